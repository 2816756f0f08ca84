package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
)

// TriageInput is the SENDCo's decision on a raised concern.
type TriageInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		Decision string `json:"decision" enum:"monitor,more_evidence,sen_support,no_further_action" doc:"monitor: keep trying classroom strategies for another trial window; more_evidence: ask the teacher for more; sen_support: start SEN support and tell the parents; no_further_action: close the concern"`
	}
}

func (s *Server) registerTriage(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("triage", "create", byAction),
		OperationID: "triage", Method: http.MethodPost, Path: "/pupils/{pupilId}/pathway/triage",
		Summary: "The SENDCo's decision on a concern", Tags: []string{"Pathway"}, DefaultStatus: http.StatusCreated,
		Errors: actionErrors,
	}, func(ctx context.Context, in *TriageInput) (*PathwayOutput, error) {
		return idempotent(ctx, s, "triage", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
			return s.answer(
				ctx,
			)(
				s.Actions.TriageConcern(
					ctx,
					actor(ctx),
					actions.Triage{ID: id, PupilID: in.PupilID, Decision: in.Body.Decision},
				),
			)
		})
	})
}
