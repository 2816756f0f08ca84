package actions

import (
	"context"
	"errors"

	"github.com/sendflow/sendflow/internal/directory"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// Referral asks for a referral to an agency service.
type Referral struct {
	ID      string
	PupilID string
	Service string // service code, e.g. educational_psychology
	Reason  string // what the school would like the service's help with
}

// Service finds an agency service by code, or says the code is unknown.
func (s *Service) Service(ctx context.Context, field, code string) (*store.Service, error) {
	sv, err := s.Store.ServiceByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("There is no service with this code.", field, "unknown service", code)
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return sv, nil
}

// OpenReferral starts a referral: the readiness check, the SENDCo's decision and the parents'
// consent follow in the referral's own workflow.
func (s *Service) OpenReferral(ctx context.Context, a Actor, in Referral) (*Result, error) {
	var c checks
	c.required("body.reason", &in.Reason, 4000)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "referral", "create")
	if err != nil {
		return nil, err
	}
	sv, err := s.Service(ctx, "body.service", in.Service)
	if err != nil {
		return nil, err
	}
	slaDays, _ := directory.Span(sv.SLA).Days() // validated when the directory was loaded
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "referral:create",
		record: &record{kind: workflows.RecordReferral, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeReferral(ctx, in.ID, p.ID, in.Service, in.Reason, a.ID)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdateOpenReferral,
				in.ID,
				workflows.OpenReferral{
					ReferralID: in.ID,
					Service:    in.Service,
					By:         a.ID,
					SLADays:    slaDays,
					PortalURL:  sv.PortalURL,
				},
			)
		}})
}

// referral finds the pupil and service of a referral the actor may act on; an unknown referral
// is NotFound like one out of reach. Access is to this referral: an agency practitioner reaches
// only their own service's, and only while it is open with the parents' consent.
func (s *Service) referral(
	ctx context.Context,
	a Actor,
	referralID, obj, verb string,
) (*store.Pupil, string, string, error) {
	pupilID, service, err := s.Store.ReferralPupil(ctx, referralID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", obj+":"+verb, "", "", "not_found")
		return nil, "", "", &NotFound{What: "referral"}
	}
	if err != nil {
		return nil, "", "", s.unavailable(err)
	}
	p, role, err := s.reach(
		ctx,
		a,
		pupilID,
		"referral",
		policies.Target{ReferralID: referralID, Service: service},
		obj,
		verb,
	)
	if err != nil {
		return nil, "", "", err
	}
	return p, role, service, nil
}

// Decision is the SENDCo's decision on a referral.
type Decision struct {
	ID             string
	ReferralID     string
	Approve        bool
	OverrideReason string // needed to approve when the readiness check is not met
}

// DecideReferral approves or declines a referral. The decision carries the readiness check as it
// stands now: one evaluation, recorded with it.
func (s *Service) DecideReferral(ctx context.Context, a Actor, in Decision) (*Result, error) {
	var c checks
	c.text("body.overrideReason", &in.OverrideReason, 2000)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, service, err := s.referral(ctx, a, in.ReferralID, "referral", "decide")
	if err != nil {
		return nil, err
	}
	ready, err := gather.Readiness(ctx, s.Store, p.ID, service)
	if err != nil {
		return nil, s.unavailable(err)
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "referral:decide",
		deliver: func(ctx context.Context) error {
			return update[workflows.ReferralState](
				ctx,
				s,
				workflows.ReferralWorkflowID(p.ID, in.ReferralID),
				workflows.UpdateReferralDecision,
				in.ID,
				workflows.ReferralDecision{
					ID:             in.ID,
					Approve:        in.Approve,
					OverrideReason: in.OverrideReason,
					By:             a.ID,
					Readiness:      ready,
				},
			)
		}})
}

// ConsentAnswer is a parent giving, refusing or withdrawing consent to a referral.
type ConsentAnswer struct {
	ID         string
	ReferralID string
	Action     string // give, refuse or withdraw
	// Language and Version are the consent wording the parent was shown: "" and "" mean the
	// service's current English wording.
	Language string
	Version  string
}

// ErrWordingChanged means the consent wording changed after the parent read it.
var ErrWordingChanged = &Refused{
	Reason: "The wording of the consent has changed since you read it. Read the new wording before you answer.",
}

// Consent records a parent's answer to the exact, versioned wording they were shown.
func (s *Service) Consent(ctx context.Context, a Actor, in ConsentAnswer) (*Result, error) {
	p, role, service, err := s.referral(ctx, a, in.ReferralID, "consent", "create")
	if err != nil {
		return nil, err
	}
	sv, err := s.Service(ctx, "referral.service", service)
	if err != nil {
		return nil, err
	}
	// The answer is to the words the parent read, in their language: if those words are no
	// longer the current ones, they must read the new words first.
	shown, ok := sv.WordingIn(in.Language)
	if !ok || (in.Version != "" && in.Version != shown.Version) {
		return nil, ErrWordingChanged
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "consent:create",
		record: &record{kind: workflows.RecordConsent, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeConsent(ctx, in.ID, in.ReferralID, a.ID, in.Action, sv.ConsentVersion, shown)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.ReferralState](
				ctx,
				s,
				workflows.ReferralWorkflowID(p.ID, in.ReferralID),
				workflows.UpdateConsent,
				in.ID,
				workflows.Consent{
					ConsentID: in.ID,
					Action:    workflows.ConsentAction(in.Action),
					WordingID: sv.ConsentVersion,
					By:        a.ID,
				},
			)
		}})
}

// AgencyReply is the agency's acknowledgement, advice or rejection of a referral.
type AgencyReply struct {
	ID         string
	ReferralID string
	Kind       string // acknowledged, advice or rejected
	Summary    string // the advice, or the reason for rejecting
}

// AgencyResponse records the agency's reply.
func (s *Service) AgencyResponse(ctx context.Context, a Actor, in AgencyReply) (*Result, error) {
	var c checks
	c.text("body.summary", &in.Summary, 8000)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, _, err := s.referral(ctx, a, in.ReferralID, "agency_response", "create")
	if err != nil {
		return nil, err
	}
	resp := workflows.AgencyResponse{ResponseID: in.ID, Kind: workflows.AgencyResponseKind(in.Kind), By: a.ID}
	if resp.Kind == workflows.AgencyAdvice {
		resp.AdviceID = in.ID
	}
	return &Result{
			Pupil: p,
			Role:  role,
		}, s.run(
			ctx,
			step{actor: a, pupil: p, role: role, action: "agency_response:create",
				record: &record{
					kind: workflows.RecordAgencyResponse,
					id:   in.ID,
					propose: func(ctx context.Context) error {
						return s.Store.ProposeAgencyResponse(ctx, in.ID, in.ReferralID, in.Kind, in.Summary, a.ID)
					},
				},
				deliver: func(ctx context.Context) error {
					return update[workflows.ReferralState](
						ctx,
						s,
						workflows.ReferralWorkflowID(p.ID, in.ReferralID),
						workflows.UpdateAgencyResponse,
						in.ID,
						resp,
					)
				}},
		)
}
