package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
)

// ReadinessInput asks whether a pupil's record has what a service asks for before a referral.
type ReadinessInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Service string `query:"service" required:"true" minLength:"1" maxLength:"64" doc:"Service code, e.g. educational_psychology; ehcna for an EHC needs assessment request"`
}

// CriterionView is one thing a service asks for, and whether the record has it.
type CriterionView struct {
	ID       string `json:"id"`
	Rule     string `json:"rule" doc:"What the service asks for, in plain words"`
	Met      bool   `json:"met"`
	Evidence string `json:"evidence,omitempty" doc:"What meets it"`
	Missing  string `json:"missing,omitempty" doc:"What to do, when it is not met"`
}

// ReadinessOutput is the readiness check for a service: ready when every criterion is met.
type ReadinessOutput struct {
	Body struct {
		Service  string          `json:"service"`
		Ready    bool            `json:"ready"`
		Criteria []CriterionView `json:"criteria"`
	}
}

// OpenReferralInput refers a pupil to an agency service.
type OpenReferralInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		Service string `json:"service" minLength:"1" maxLength:"64" doc:"Service code, e.g. educational_psychology"`
		Reason  string `json:"reason" minLength:"1" maxLength:"4000" doc:"What the school would like the service's help with"`
	}
}

// ReferralOutput answers an opened referral: its id and the pathway after it.
type ReferralOutput struct {
	Status int
	Body   struct {
		ReferralID string      `json:"referralId" format:"uuid"`
		Pathway    PathwayView `json:"pathway"`
	}
}

// DecisionInput is the SENDCo's decision on a referral: approve it (with a reason when the
// readiness check is not met) or not.
type DecisionInput struct {
	ReferralID string `path:"referralId" format:"uuid" doc:"The referral's id"`
	IdempotencyHeader
	Body struct {
		Approve        bool   `json:"approve"`
		OverrideReason string `json:"overrideReason,omitempty" maxLength:"2000" doc:"Needed to approve when the readiness check is not met"`
	}
}

// ConsentInput is a parent's answer on consent to a referral: give, refuse or withdraw.
type ConsentInput struct {
	ReferralID string `path:"referralId" format:"uuid" doc:"The referral's id"`
	IdempotencyHeader
	Body struct {
		Action string `json:"action" enum:"give,refuse,withdraw"`
	}
}

// ResponseInput is an agency's answer to a referral: acknowledged, advice, or rejected with a
// reason.
type ResponseInput struct {
	ReferralID string `path:"referralId" format:"uuid" doc:"The referral's id"`
	IdempotencyHeader
	Body struct {
		Kind    string `json:"kind" enum:"acknowledged,advice,rejected"`
		Summary string `json:"summary,omitempty" maxLength:"8000" doc:"The advice, or the reason for rejecting"`
	}
}

func (s *Server) registerReferrals(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("readiness", "read", readsPupil),
		OperationID: "referral-readiness", Method: http.MethodGet, Path: "/pupils/{pupilId}/referral-readiness",
		Summary: "Whether the evidence a service asks for is there, and what is missing", Tags: []string{"Referrals"},
		Errors: actionErrors,
	}, s.readiness)
	register(v1, huma.Operation{
		Metadata:    needs("referral", "create", byAction),
		OperationID: "open-referral", Method: http.MethodPost, Path: "/pupils/{pupilId}/referrals",
		Summary: "Start a referral to an agency service", Tags: []string{"Referrals"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.openReferral)
	register(v1, huma.Operation{
		Metadata:    needs("referral", "decide", byAction),
		OperationID: "referral-decision", Method: http.MethodPost, Path: "/referrals/{referralId}/decision",
		Summary: "The SENDCo approves or declines a referral", Description: "Approving when the readiness check is not met needs a reason.",
		Tags: []string{"Referrals"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.decideReferral)
	register(v1, huma.Operation{
		Metadata:    needs("consent", "create", byAction),
		OperationID: "referral-consent", Method: http.MethodPost, Path: "/referrals/{referralId}/consent",
		Summary: "A parent gives, refuses or withdraws consent", Tags: []string{"Referrals"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.consent)
	register(v1, huma.Operation{
		Metadata:    needs("agency_response", "create", byAction),
		OperationID: "referral-response", Method: http.MethodPost, Path: "/referrals/{referralId}/response",
		Summary: "Record the agency's acknowledgement, advice or rejection", Tags: []string{"Referrals"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.agencyResponse)
}

func (s *Server) readiness(ctx context.Context, in *ReadinessInput) (*ReadinessOutput, error) {
	return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*ReadinessOutput, error) {
		if in.Service != "ehcna" {
			if _, err := s.Actions.Service(ctx, "query.service", in.Service); err != nil {
				return nil, err
			}
		}
		cs, err := gather.Criteria(ctx, s.Store, p.ID, in.Service)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &ReadinessOutput{}
		out.Body.Service, out.Body.Ready = in.Service, true
		for _, c := range cs {
			out.Body.Criteria = append(
				out.Body.Criteria,
				CriterionView{ID: c.ID, Rule: c.Rule, Met: c.Met, Evidence: c.Evidence, Missing: c.Missing},
			)
			out.Body.Ready = out.Body.Ready && c.Met
		}
		return out, nil
	})
}

func (s *Server) openReferral(ctx context.Context, in *OpenReferralInput) (*ReferralOutput, error) {
	return idempotent(ctx, s, "open-referral", in.IdempotencyKey, in, func(id string) (*ReferralOutput, error) {
		r, err := s.Actions.OpenReferral(
			ctx,
			actor(ctx),
			actions.Referral{ID: id, PupilID: in.PupilID, Service: in.Body.Service, Reason: in.Body.Reason},
		)
		if err != nil {
			return nil, s.problem(err)
		}
		view, err := s.pathwayView(ctx, r.Pupil.ID, r.Role)
		if err != nil {
			return nil, err
		}
		out := &ReferralOutput{Status: http.StatusCreated}
		out.Body.ReferralID, out.Body.Pathway = id, *view
		return out, nil
	})
}

func (s *Server) decideReferral(ctx context.Context, in *DecisionInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "referral-decision", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		return s.answer(
			ctx,
		)(
			s.Actions.DecideReferral(ctx, actor(ctx), actions.Decision{ID: id, ReferralID: in.ReferralID,
				Approve: in.Body.Approve, OverrideReason: in.Body.OverrideReason}),
		)
	})
}

func (s *Server) consent(ctx context.Context, in *ConsentInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "referral-consent", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		return s.answer(
			ctx,
		)(
			s.Actions.Consent(
				ctx,
				actor(ctx),
				actions.ConsentAnswer{ID: id, ReferralID: in.ReferralID, Action: in.Body.Action},
			),
		)
	})
}

func (s *Server) agencyResponse(ctx context.Context, in *ResponseInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "referral-response", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		return s.answer(
			ctx,
		)(
			s.Actions.AgencyResponse(ctx, actor(ctx), actions.AgencyReply{ID: id, ReferralID: in.ReferralID,
				Kind: in.Body.Kind, Summary: in.Body.Summary}),
		)
	})
}
