package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
)

// EHCRequestInput asks the council for an EHC needs assessment for a pupil.
type EHCRequestInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		RequestedBy string `json:"requestedBy,omitempty" required:"false" enum:"school,parent,young_person" doc:"Who is asking follows from who is signed in (a parent: parent; the SENDCo: school); leave it out, or it must agree"`
	}
}

// EHCRequestOutput answers a request for an EHC needs assessment: its id and the pathway after it.
type EHCRequestOutput struct {
	Status int
	Body   struct {
		RequestID string      `json:"requestId" format:"uuid"`
		Pathway   PathwayView `json:"pathway"`
	}
}

// EHCEventInput is one step of an EHC needs assessment, recorded by the council (or the SENDCo for
// it).
type EHCEventInput struct {
	RequestID string `path:"requestId" format:"uuid" doc:"The EHC needs assessment request's id"`
	IdempotencyHeader
	Body struct {
		Type   string `json:"type" enum:"decision_to_assess,refuse_to_assess,advice_requested,advice_received,exception_started,exception_ended,draft_issued,decision_not_to_issue,final_plan_issued"`
		Reason string `json:"reason,omitempty" enum:"school_closed_4_weeks,absent_from_area_4_weeks,exceptional_personal_circumstances" doc:"The prescribed exception, with exception_started"`
	}
}

func (s *Server) registerEHC(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("ehc_request", "create", byAction),
		OperationID: "request-ehcna", Method: http.MethodPost, Path: "/pupils/{pupilId}/ehc-requests",
		Summary: "Request an EHC needs assessment", Description: "Starts the statutory clock (week 0). A parent or the school may request one.",
		Tags: []string{"EHC needs assessment"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.requestEHCNA)
	register(v1, huma.Operation{
		Metadata:    needs("ehc_event", "create", byAction),
		OperationID: "ehc-event", Method: http.MethodPost, Path: "/ehc-requests/{requestId}/events",
		Summary: "Record a step the local authority took", Description: "Decisions, advice, exceptions that pause the clock, the draft and the final plan, in statutory order.",
		Tags: []string{"EHC needs assessment"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.ehcEvent)
}

func (s *Server) requestEHCNA(ctx context.Context, in *EHCRequestInput) (*EHCRequestOutput, error) {
	return idempotent(ctx, s, "request-ehcna", in.IdempotencyKey, in, func(id string) (*EHCRequestOutput, error) {
		r, err := s.Actions.RequestEHCNA(
			ctx,
			actor(ctx),
			actions.EHCRequest{ID: id, PupilID: in.PupilID, RequestedBy: in.Body.RequestedBy},
		)
		if err != nil {
			return nil, s.problem(err)
		}
		view, err := s.pathwayView(ctx, r.Pupil.ID, r.Role)
		if err != nil {
			return nil, err
		}
		out := &EHCRequestOutput{Status: http.StatusCreated}
		out.Body.RequestID, out.Body.Pathway = id, *view
		return out, nil
	})
}

func (s *Server) ehcEvent(ctx context.Context, in *EHCEventInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "ehc-event", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		return s.answer(
			ctx,
		)(
			s.Actions.RecordEHCStep(
				ctx,
				actor(ctx),
				actions.EHCStep{ID: id, RequestID: in.RequestID, Type: in.Body.Type, Reason: in.Body.Reason},
			),
		)
	})
}
