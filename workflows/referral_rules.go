package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReferralStatus is where a referral to an agency is.
type ReferralStatus string

const (
	ReferralAwaitingDecision ReferralStatus = "awaiting_decision"
	ReferralDeclined         ReferralStatus = "declined"
	ReferralAwaitingConsent  ReferralStatus = "awaiting_consent"
	ReferralConsentRefused   ReferralStatus = "consent_refused"
	ReferralConsentExpired   ReferralStatus = "consent_expired"
	ReferralWithdrawn        ReferralStatus = "consent_withdrawn"
	ReferralSubmitted        ReferralStatus = "submitted"
	ReferralAcknowledged     ReferralStatus = "acknowledged"
	ReferralAdviceReceived   ReferralStatus = "advice_received"
	ReferralRejected         ReferralStatus = "rejected_by_agency"
)

// Finished reports whether nothing more can happen to the referral.
func (s ReferralStatus) Finished() bool {
	switch s {
	case ReferralDeclined,
		ReferralConsentRefused,
		ReferralConsentExpired,
		ReferralWithdrawn,
		ReferralAdviceReceived,
		ReferralRejected:
		return true
	}
	return false
}

// Readiness is the outcome of the readiness check: whether the evidence an agency asks for is
// there, and in plain sentences what is missing.
type Readiness struct {
	Met     bool
	Missing []string
}

// OpenReferral asks for a referral to one agency service.
type OpenReferral struct {
	ReferralID string
	Service    string // service code, e.g. "educational_psychology"
	By         string
	// SLADays is the service's time to acknowledge, from the agency directory (0: the default).
	SLADays int
	// PortalURL is set when the service takes referrals through its own portal, not by email.
	PortalURL string
}

// ValidateOpenReferral refuses a referral the pathway cannot take.
func (s *PathwayState) ValidateOpenReferral(r OpenReferral) error {
	if r.ReferralID == "" || r.Service == "" || r.By == "" {
		return refuse("a referral needs its id, the service and the person asking")
	}
	switch s.Stage {
	case StageSENSupport, StageEHCAssessment, StageEHCPlan:
	default:
		return refuse(
			"a referral to a specialist needs the pupil to be on SEN support; the pupil is at stage %s",
			s.Stage,
		)
	}
	for _, have := range s.Referrals {
		if have.ReferralID == r.ReferralID {
			return refuse("referral %s already exists", r.ReferralID)
		}
		if have.Service == r.Service && !have.Status.Finished() {
			return refuse("a referral to this service is already open (%s)", have.Status)
		}
	}
	return nil
}

// ApplyOpenReferral records it; the referral's own workflow does the rest.
func (s *PathwayState) ApplyOpenReferral(r OpenReferral, now time.Time) Event {
	s.Referrals = append(
		s.Referrals,
		ReferralRef{ReferralID: r.ReferralID, Service: r.Service, Status: ReferralAwaitingDecision},
	)
	return s.event(
		now,
		"referral_opened",
		"A referral to a specialist service was started. The SENDCo will check the evidence and decide.",
	)
}

// ReferralChanged is the referral workflow telling the pathway its status changed.
type ReferralChanged struct {
	ReferralID string
	Status     ReferralStatus
	AdviceID   string
}

// ApplyReferralChanged mirrors a referral's status; advice received feeds the next plan.
func (s *PathwayState) ApplyReferralChanged(r ReferralChanged) {
	i := slices.IndexFunc(s.Referrals, func(x ReferralRef) bool { return x.ReferralID == r.ReferralID })
	if i < 0 {
		return
	}
	s.Referrals[i].Status = r.Status
	if r.AdviceID != "" && !slices.Contains(s.Advice, r.AdviceID) {
		s.Advice = append(s.Advice, r.AdviceID)
	}
	s.Version++
}

// ReferralInput starts a referral's workflow.
type ReferralInput struct {
	OpenReferral
	PupilID   string
	SchoolID  string
	ParentIDs []string // people with parental responsibility, who may consent
	Clock     Clock
	Timings   Timings
}

// ReferralDecision is the SENDCo's decision on a referral.
type ReferralDecision struct {
	ID             string // names the action, so a repeat is not applied twice
	Approve        bool
	OverrideReason string // required to approve when the readiness check is not met
	By             string
	// Readiness is the check as it stood when the SENDCo decided, so history records what they saw.
	Readiness Readiness
}

// ConsentAction is a parent's answer to a consent request, or a withdrawal.
type ConsentAction string

const (
	ConsentGive     ConsentAction = "give"
	ConsentRefuse   ConsentAction = "refuse"
	ConsentWithdraw ConsentAction = "withdraw"
)

// Consent is a parent acting on consent for the referral.
type Consent struct {
	ConsentID     string // the record of the answer, with the wording shown
	Action        ConsentAction
	WordingID     string // the versioned consent wording shown to the parent
	By            string // parent's user id
	WithdrawnNote string
}

// AgencyResponseKind is what an agency sent back.
type AgencyResponseKind string

const (
	AgencyAcknowledged AgencyResponseKind = "acknowledged"
	AgencyAdvice       AgencyResponseKind = "advice"
	AgencyRejected     AgencyResponseKind = "rejected"
)

// AgencyResponse is the agency's reply, recorded by the agency or the school.
type AgencyResponse struct {
	ResponseID string // the record of the reply
	Kind       AgencyResponseKind
	AdviceID   string // where the advice's words are kept
	By         string
}

// ReferralState is the state of one referral.
type ReferralState struct {
	ReferralInput
	Status             ReferralStatus
	Readiness          Readiness
	OverrideReason     string
	ConsentRequestedAt *time.Time
	ConsentReminded    bool
	ConsentWordingID   string
	// ConsentGiven is set when a parent consents; parents may do so before the SENDCo decides.
	ConsentGiven bool
	SubmittedAt  *time.Time
	Escalated    bool
	AdviceID     string
	// Recent are the last actions taken, so a repeat is answered, not applied twice.
	Recent  Recent
	Version int64
	NextSeq int64
}

// NewReferralState opens a referral awaiting the SENDCo's decision. Parents are asked for consent
// at once, so the evidence and the consent can be ready together.
func NewReferralState(in ReferralInput, now time.Time) *ReferralState {
	return &ReferralState{ReferralInput: in, Status: ReferralAwaitingDecision, ConsentRequestedAt: &now, NextSeq: 1}
}

func (r *ReferralState) event(now time.Time, kind, summary string) Event {
	e := Event{Seq: r.NextSeq, At: now, Kind: kind, Summary: summary}
	r.NextSeq++
	r.Version++
	return e
}

// SetReadiness records the readiness check.
func (r *ReferralState) SetReadiness(res Readiness, now time.Time) Event {
	r.Readiness = res
	if res.Met {
		return r.event(now, "readiness_checked", "The readiness check found the evidence the service asks for.")
	}
	return r.event(
		now,
		"readiness_checked",
		"The readiness check found evidence missing: "+strings.Join(res.Missing, " "),
	)
}

// ValidateDecision refuses a decision out of turn, or an approval of an unmet check without a reason.
func (r *ReferralState) ValidateDecision(d ReferralDecision) error {
	if r.Status != ReferralAwaitingDecision {
		return refuse("this referral is not waiting for a decision: it is %s", r.Status)
	}
	if d.By == "" {
		return refuse("a decision needs the person making it")
	}
	if d.Approve && !d.Readiness.Met && strings.TrimSpace(d.OverrideReason) == "" {
		return refuse(
			"the readiness check is not met: %s Give a reason to approve the referral anyway",
			strings.Join(d.Readiness.Missing, " "),
		)
	}
	return nil
}

// ApplyDecision approves (and asks the parents for consent) or declines.
func (r *ReferralState) ApplyDecision(d ReferralDecision, now time.Time) Event {
	r.Readiness = d.Readiness
	if !d.Approve {
		r.Status = ReferralDeclined
		return r.event(now, "referral_declined", "The SENDCo decided not to make this referral.")
	}
	r.OverrideReason = d.OverrideReason
	summary := "The SENDCo approved the referral."
	if !r.Readiness.Met {
		summary = "The SENDCo approved the referral although the readiness check was not met, and recorded why."
	}
	if r.ConsentGiven {
		r.Status, r.SubmittedAt = ReferralSubmitted, &now
		return r.event(
			now,
			"referral_submitted",
			summary+" Parents had given consent, so the referral was sent to the service.",
		)
	}
	r.Status = ReferralAwaitingConsent
	return r.event(now, "referral_approved", summary+" It will be sent when the parents give consent.")
}

// ValidateConsent refuses consent from someone without parental responsibility, or out of turn.
func (r *ReferralState) ValidateConsent(c Consent) error {
	if !slices.Contains(r.ParentIDs, c.By) {
		return refuse("only a parent or carer with parental responsibility for this pupil can answer for them")
	}
	switch c.Action {
	case ConsentGive, ConsentRefuse:
		if r.Status != ReferralAwaitingConsent && r.Status != ReferralAwaitingDecision {
			return refuse("consent is not being asked for: the referral is %s", r.Status)
		}
		if r.ConsentGiven {
			return refuse("consent has already been given; it can be withdrawn")
		}
		if c.Action == ConsentGive && c.WordingID == "" {
			return refuse("consent must record the wording the parent was shown")
		}
	case ConsentWithdraw:
		switch {
		case r.ConsentGiven && !r.Status.Finished(), r.Status == ReferralAwaitingConsent:
		default:
			return refuse("there is no consent to withdraw: the referral is %s", r.Status)
		}
	default:
		return refuse("%q is not a consent answer; use give, refuse or withdraw", c.Action)
	}
	return nil
}

// ApplyConsent carries out the parent's answer. Consent given submits the referral.
func (r *ReferralState) ApplyConsent(c Consent, now time.Time) Event {
	switch c.Action {
	case ConsentGive:
		r.ConsentGiven, r.ConsentWordingID = true, c.WordingID
		if r.Status == ReferralAwaitingDecision {
			return r.event(
				now,
				"consent_given",
				"Parents gave consent. The referral goes to the service once the SENDCo approves it.",
			)
		}
		r.Status, r.SubmittedAt = ReferralSubmitted, &now
		return r.event(now, "referral_submitted", "Parents gave consent. The referral was sent to the service.")
	case ConsentRefuse:
		r.Status = ReferralConsentRefused
		return r.event(now, "consent_refused", "Parents did not give consent, so the referral has stopped.")
	default:
		r.Status = ReferralWithdrawn
		return r.event(now, "consent_withdrawn", "Parents withdrew their consent, so the referral has stopped.")
	}
}

// ValidateResponse refuses an agency reply out of turn.
func (r *ReferralState) ValidateResponse(a AgencyResponse) error {
	if a.By == "" {
		return refuse("a response needs the person recording it")
	}
	switch a.Kind {
	case AgencyAcknowledged:
		if r.Status != ReferralSubmitted {
			return refuse("the service can acknowledge a referral once it has been sent; it is %s", r.Status)
		}
	case AgencyAdvice, AgencyRejected:
		if r.Status != ReferralSubmitted && r.Status != ReferralAcknowledged {
			return refuse("the service can reply once the referral has been sent; it is %s", r.Status)
		}
		if a.Kind == AgencyAdvice && a.AdviceID == "" {
			return refuse("advice needs the id of the record that holds it")
		}
	default:
		return refuse("%q is not a response; use acknowledged, advice or rejected", a.Kind)
	}
	return nil
}

// ApplyResponse records the reply.
func (r *ReferralState) ApplyResponse(a AgencyResponse, now time.Time) Event {
	switch a.Kind {
	case AgencyAcknowledged:
		r.Status = ReferralAcknowledged
		return r.event(now, "referral_acknowledged", "The service acknowledged the referral.")
	case AgencyAdvice:
		r.Status, r.AdviceID = ReferralAdviceReceived, a.AdviceID
		return r.event(
			now,
			"advice_received",
			"Advice from the service arrived. It will be used in the next support plan.",
		)
	default:
		r.Status = ReferralRejected
		return r.event(
			now,
			"referral_rejected",
			"The service did not accept the referral. The SENDCo will talk to the family about what next.",
		)
	}
}

// Referral reminders and deadlines.
const (
	ReferralConsentReminder = "consent_reminder"
	ReferralConsentExpiry   = "consent_expiry"
	ReferralSLA             = "agency_sla"
)

func (r *ReferralState) deadlines() map[string]time.Time {
	t := r.Timings.Referral
	out := map[string]time.Time{}
	if (r.Status == ReferralAwaitingConsent || r.Status == ReferralAwaitingDecision) && !r.ConsentGiven &&
		r.ConsentRequestedAt != nil {
		if !r.ConsentReminded {
			out[ReferralConsentReminder] = t.ConsentReminderAfter.AddTo(*r.ConsentRequestedAt)
		}
		out[ReferralConsentExpiry] = t.ConsentExpiry.AddTo(*r.ConsentRequestedAt)
	}
	if r.Status == ReferralSubmitted && r.SubmittedAt != nil && !r.Escalated {
		out[ReferralSLA] = r.sla().AddTo(*r.SubmittedAt)
	}
	return out
}

// sla is the service's acknowledgement time from the agency directory, or the default timing.
func (r *ReferralState) sla() Span {
	if r.SLADays > 0 {
		return Span{Days: r.SLADays}
	}
	return r.Timings.Referral.AgencyAcknowledgementSLA
}

// NextWake is the next reminder or deadline.
func (r *ReferralState) NextWake() (time.Time, bool) {
	var next time.Time
	found := false
	//workflowcheck:ignore map order never reaches the history: the earliest is the same in any order
	for _, at := range r.deadlines() {
		if !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}

// DueTimers applies every reminder and deadline due by now and returns which fired.
func (r *ReferralState) DueTimers(now time.Time) ([]string, []Event) {
	var fired []string
	var events []Event
	d := r.deadlines()
	for _, name := range []string{ReferralConsentReminder, ReferralConsentExpiry, ReferralSLA} {
		at, ok := d[name]
		if !ok || at.After(now) {
			continue
		}
		switch name {
		case ReferralConsentReminder:
			r.ConsentReminded = true
			events = append(
				events,
				r.event(
					now,
					"consent_reminder_sent",
					fmt.Sprintf(
						"Parents were reminded about consent. The request ends on %s.",
						dateWords(d[ReferralConsentExpiry]),
					),
				),
			)
		case ReferralConsentExpiry:
			r.Status = ReferralConsentExpired
			events = append(
				events,
				r.event(
					now,
					"consent_expired",
					"Parents did not answer the consent request in time, so the referral has stopped. The SENDCo has been told.",
				),
			)
		case ReferralSLA:
			r.Escalated = true
			events = append(
				events,
				r.event(
					now,
					"agency_sla_breached",
					fmt.Sprintf(
						"The service has not acknowledged the referral within %s. The SENDCo has been asked to chase it.",
						r.sla().Describe(),
					),
				),
			)
		}
		fired = append(fired, name)
	}
	return fired, events
}
