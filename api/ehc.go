package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

type EHCRequestInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		RequestedBy string `json:"requestedBy" enum:"school,parent,young_person" doc:"Who is making the request"`
	}
}

type EHCRequestOutput struct {
	Status int
	Body   struct {
		RequestID string      `json:"requestId" format:"uuid"`
		Pathway   PathwayView `json:"pathway"`
	}
}

type EHCEventInput struct {
	RequestID string `path:"requestId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Type   string `json:"type" enum:"decision_to_assess,refuse_to_assess,advice_requested,advice_received,exception_started,exception_ended,draft_issued,decision_not_to_issue,final_plan_issued"`
		Reason string `json:"reason,omitempty" enum:"school_closed_4_weeks,absent_from_area_4_weeks,exceptional_personal_circumstances" doc:"The prescribed exception, with exception_started"`
	}
}

func (s *Server) registerEHC(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}
	huma.Register(api, huma.Operation{
		OperationID: "request-ehcna", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/ehc-requests",
		Summary: "Request an EHC needs assessment", Description: "Starts the statutory clock (week 0). A parent or the school may request one.",
		Tags: []string{"EHC needs assessment"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.requestEHCNA)
	huma.Register(api, huma.Operation{
		OperationID: "ehc-event", Method: http.MethodPost, Path: "/v1/ehc-requests/{requestId}/events",
		Summary: "Record a step the local authority took", Description: "Decisions, advice, exceptions that pause the clock, the draft and the final plan, in statutory order.",
		Tags: []string{"EHC needs assessment"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.ehcEvent)
}

func (s *Server) requestEHCNA(ctx context.Context, in *EHCRequestInput) (*EHCRequestOutput, error) {
	return act(ctx, s, in.PupilID, "ehc_request", "create", func(p *store.Pupil, _ string) (*EHCRequestOutput, error) {
		return idempotent(ctx, s, "request-ehcna", in.IdempotencyKey, in, func(id string) (*EHCRequestOutput, error) {
			u := currentUser(ctx)
			if err := s.Store.InsertEHCRequest(ctx, id, p.ID, in.Body.RequestedBy, u.ID); err != nil {
				return nil, s.unavailable(err)
			}
			// A parent may ask before any concern was raised: the request starts the pathway if needed.
			if _, err := workflows.SendEHCRequest(ctx, s.Temporal, s.TaskQueue, s.pathwayStart(p),
				workflows.RequestEHCNA{RequestID: id, RequestedBy: in.Body.RequestedBy, By: u.ID}); err != nil {
				return nil, err
			}
			view, err := s.pathwayView(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			out := &EHCRequestOutput{Status: http.StatusCreated}
			out.Body.RequestID, out.Body.Pathway = id, *view
			return out, nil
		})
	})
}

func (s *Server) ehcEvent(ctx context.Context, in *EHCEventInput) (*PathwayOutput, error) {
	pupilID, err := s.Store.EHCRequestPupil(ctx, in.RequestID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error404NotFound("No EHC request with this id is available to you.")
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return act(ctx, s, pupilID, "ehc_event", "create", func(p *store.Pupil, _ string) (*PathwayOutput, error) {
		return idempotent(ctx, s, "ehc-event", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
			ev := workflows.EHCEvent{Type: workflows.EHCEventType(in.Body.Type), Reason: workflows.ExceptionReason(in.Body.Reason), By: currentUser(ctx).ID}
			if _, err := workflows.Update[workflows.EHCState](ctx, s.Temporal, workflows.EHCWorkflowID(p.ID, in.RequestID), workflows.UpdateEHCEvent, "ehc/"+id, ev); err != nil {
				return nil, err
			}
			return s.viewOutput(ctx, p.ID)
		})
	})
}
