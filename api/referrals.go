package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/activities"
	"github.com/sendflow/sendflow/internal/directory"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

type ReadinessInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
	Service string `query:"service" required:"true" minLength:"1" maxLength:"64" doc:"Service code, e.g. educational_psychology; ehcna for an EHC needs assessment request"`
}

type CriterionView struct {
	ID       string `json:"id"`
	Rule     string `json:"rule" doc:"What the service asks for, in plain words"`
	Met      bool   `json:"met"`
	Evidence string `json:"evidence,omitempty" doc:"What meets it"`
	Missing  string `json:"missing,omitempty" doc:"What to do, when it is not met"`
}

type ReadinessOutput struct {
	Body struct {
		Service  string          `json:"service"`
		Ready    bool            `json:"ready"`
		Criteria []CriterionView `json:"criteria"`
	}
}

type OpenReferralInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Service string `json:"service" minLength:"1" maxLength:"64" doc:"Service code, e.g. educational_psychology"`
		Reason  string `json:"reason" minLength:"1" maxLength:"4000" doc:"What the school would like the service's help with"`
	}
}

type ReferralOutput struct {
	Status int
	Body   struct {
		ReferralID string      `json:"referralId" format:"uuid"`
		Pathway    PathwayView `json:"pathway"`
	}
}

type DecisionInput struct {
	ReferralID string `path:"referralId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Approve        bool   `json:"approve"`
		OverrideReason string `json:"overrideReason,omitempty" maxLength:"2000" doc:"Needed to approve when the readiness check is not met"`
	}
}

type ConsentInput struct {
	ReferralID string `path:"referralId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Action string `json:"action" enum:"give,refuse,withdraw"`
	}
}

type ResponseInput struct {
	ReferralID string `path:"referralId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Kind    string `json:"kind" enum:"acknowledged,advice,rejected"`
		Summary string `json:"summary,omitempty" maxLength:"8000" doc:"The advice, or the reason for rejecting"`
	}
}

func (s *Server) registerReferrals(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}
	huma.Register(api, huma.Operation{
		OperationID: "referral-readiness", Method: http.MethodGet, Path: "/v1/pupils/{pupilId}/referral-readiness",
		Summary: "Whether the evidence a service asks for is there, and what is missing", Tags: []string{"Referrals"},
		Security: bearer, Errors: errs,
	}, s.readiness)
	huma.Register(api, huma.Operation{
		OperationID: "open-referral", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/referrals",
		Summary: "Start a referral to an agency service", Tags: []string{"Referrals"},
		Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.openReferral)
	huma.Register(api, huma.Operation{
		OperationID: "referral-decision", Method: http.MethodPost, Path: "/v1/referrals/{referralId}/decision",
		Summary: "The SENDCo approves or declines a referral", Description: "Approving when the readiness check is not met needs a reason.",
		Tags: []string{"Referrals"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.decideReferral)
	huma.Register(api, huma.Operation{
		OperationID: "referral-consent", Method: http.MethodPost, Path: "/v1/referrals/{referralId}/consent",
		Summary: "A parent gives, refuses or withdraws consent", Tags: []string{"Referrals"},
		Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.consent)
	huma.Register(api, huma.Operation{
		OperationID: "referral-response", Method: http.MethodPost, Path: "/v1/referrals/{referralId}/response",
		Summary: "Record the agency's acknowledgement, advice or rejection", Tags: []string{"Referrals"},
		Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.agencyResponse)
}

func (s *Server) readiness(ctx context.Context, in *ReadinessInput) (*ReadinessOutput, error) {
	return act(ctx, s, in.PupilID, "readiness", "read", func(p *store.Pupil, _ string) (*ReadinessOutput, error) {
		if in.Service != "ehcna" {
			if _, err := s.service(ctx, "query.service", in.Service); err != nil {
				return nil, err
			}
		}
		cs, err := activities.Criteria(ctx, s.Store, p.ID, in.Service)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &ReadinessOutput{}
		out.Body.Service, out.Body.Ready = in.Service, true
		for _, c := range cs {
			out.Body.Criteria = append(out.Body.Criteria, CriterionView{ID: c.ID, Rule: c.Rule, Met: c.Met, Evidence: c.Evidence, Missing: c.Missing})
			out.Body.Ready = out.Body.Ready && c.Met
		}
		return out, nil
	})
}

// service finds a service by code, or says the code is unknown.
func (s *Server) service(ctx context.Context, field, code string) (*store.Service, error) {
	sv, err := s.Store.ServiceByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error422UnprocessableEntity("There is no service with this code.", &huma.ErrorDetail{Location: field, Message: "unknown service", Value: code})
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return sv, nil
}

func (s *Server) openReferral(ctx context.Context, in *OpenReferralInput) (*ReferralOutput, error) {
	return act(ctx, s, in.PupilID, "referral", "create", func(p *store.Pupil, _ string) (*ReferralOutput, error) {
		sv, err := s.service(ctx, "body.service", in.Body.Service)
		if err != nil {
			return nil, err
		}
		slaDays, _ := directory.Span(sv.SLA).Days() // validated when the directory was loaded
		return idempotent(ctx, s, "open-referral", in.IdempotencyKey, in, func(id string) (*ReferralOutput, error) {
			u := currentUser(ctx)
			if err := s.Store.InsertReferral(ctx, id, p.ID, in.Body.Service, in.Body.Reason, u.ID); err != nil {
				return nil, s.unavailable(err)
			}
			if _, err := s.pathwayUpdate(ctx, p, workflows.UpdateOpenReferral, "referral/"+id,
				workflows.OpenReferral{ReferralID: id, Service: in.Body.Service, By: u.ID, SLADays: slaDays, PortalURL: sv.PortalURL}); err != nil {
				return nil, err
			}
			view, err := s.pathwayView(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			out := &ReferralOutput{Status: http.StatusCreated}
			out.Body.ReferralID, out.Body.Pathway = id, *view
			return out, nil
		})
	})
}

// referralPupil finds the pupil behind a referral; an unknown referral is 404 like one out of reach.
func (s *Server) referralPupil(ctx context.Context, referralID string) (string, string, error) {
	pupilID, service, err := s.Store.ReferralPupil(ctx, referralID)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", huma.Error404NotFound("No referral with this id is available to you.")
	}
	if err != nil {
		return "", "", s.unavailable(err)
	}
	return pupilID, service, nil
}

// referralUpdate sends an action to a referral's workflow.
func (s *Server) referralUpdate(ctx context.Context, referralID, obj, op, key string, request any, build func(p *store.Pupil, service, id string) (string, any, error)) (*PathwayOutput, error) {
	pupilID, service, err := s.referralPupil(ctx, referralID)
	if err != nil {
		return nil, err
	}
	return act(ctx, s, pupilID, obj, "create", func(p *store.Pupil, _ string) (*PathwayOutput, error) {
		return idempotent(ctx, s, op, key, request, func(id string) (*PathwayOutput, error) {
			name, arg, err := build(p, service, id)
			if err != nil {
				return nil, err
			}
			if _, err := workflows.Update[workflows.ReferralState](ctx, s.Temporal, workflows.ReferralWorkflowID(p.ID, referralID), name, op+"/"+id, arg); err != nil {
				return nil, err
			}
			return s.viewOutput(ctx, p.ID)
		})
	})
}

func (s *Server) decideReferral(ctx context.Context, in *DecisionInput) (*PathwayOutput, error) {
	pupilID, service, err := s.referralPupil(ctx, in.ReferralID)
	if err != nil {
		return nil, err
	}
	return act(ctx, s, pupilID, "referral", "decide", func(p *store.Pupil, _ string) (*PathwayOutput, error) {
		return idempotent(ctx, s, "referral-decision", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
			// The decision carries the readiness check as it stands now: one evaluation, recorded.
			ready, err := activities.Readiness(ctx, s.Store, p.ID, service)
			if err != nil {
				return nil, s.unavailable(err)
			}
			if _, err := workflows.Update[workflows.ReferralState](ctx, s.Temporal, workflows.ReferralWorkflowID(p.ID, in.ReferralID),
				workflows.UpdateReferralDecision, "decision/"+id, workflows.ReferralDecision{Approve: in.Body.Approve,
					OverrideReason: in.Body.OverrideReason, By: currentUser(ctx).ID, Readiness: ready}); err != nil {
				return nil, err
			}
			return s.viewOutput(ctx, p.ID)
		})
	})
}

func (s *Server) consent(ctx context.Context, in *ConsentInput) (*PathwayOutput, error) {
	return s.referralUpdate(ctx, in.ReferralID, "consent", "referral-consent", in.IdempotencyKey, in,
		func(p *store.Pupil, service, id string) (string, any, error) {
			sv, err := s.service(ctx, "referral.service", service)
			if err != nil {
				return "", nil, err
			}
			u := currentUser(ctx)
			if err := s.Store.InsertConsent(ctx, id, in.ReferralID, u.ID, in.Body.Action, sv.ConsentVersion); err != nil {
				return "", nil, s.unavailable(err)
			}
			return workflows.UpdateConsent, workflows.Consent{Action: workflows.ConsentAction(in.Body.Action), WordingID: sv.ConsentVersion, By: u.ID}, nil
		})
}

func (s *Server) agencyResponse(ctx context.Context, in *ResponseInput) (*PathwayOutput, error) {
	return s.referralUpdate(ctx, in.ReferralID, "agency_response", "referral-response", in.IdempotencyKey, in,
		func(p *store.Pupil, _, id string) (string, any, error) {
			u := currentUser(ctx)
			if err := s.Store.InsertAgencyResponse(ctx, id, in.ReferralID, in.Body.Kind, in.Body.Summary, u.ID); err != nil {
				return "", nil, s.unavailable(err)
			}
			resp := workflows.AgencyResponse{Kind: workflows.AgencyResponseKind(in.Body.Kind), By: u.ID}
			if resp.Kind == workflows.AgencyAdvice {
				resp.AdviceID = id
			}
			return workflows.UpdateAgencyResponse, resp, nil
		})
}
