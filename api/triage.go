package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

type TriageInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Decision string `json:"decision" enum:"monitor,more_evidence,sen_support,no_further_action" doc:"monitor: keep trying classroom strategies for another trial window; more_evidence: ask the teacher for more; sen_support: start SEN support and tell the parents; no_further_action: close the concern"`
	}
}

func (s *Server) registerTriage(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "triage", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/pathway/triage",
		Summary: "The SENDCo's decision on a concern", Tags: []string{"Pathway"}, Security: bearer, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *TriageInput) (*PathwayOutput, error) {
		return act(ctx, s, in.PupilID, "triage", "create", func(p *store.Pupil, _ string) (*PathwayOutput, error) {
			return idempotent(ctx, s, "triage", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
				return s.pathwayUpdate(ctx, p, workflows.UpdateTriage, "triage/"+id,
					workflows.Triage{Decision: workflows.TriageDecision(in.Body.Decision), By: currentUser(ctx).ID})
			})
		})
	})
}
