package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// Names of the referral workflow and its actions.
const (
	ReferralWorkflowName   = "Referral"
	UpdateReferralDecision = "decide"
	UpdateConsent          = "consent"
	UpdateAgencyResponse   = "respond"
)

// Referral follows one referral to an agency service: the readiness check, the SENDCo's
// decision, the parents' consent (with a reminder and an expiry), submission, the agency's
// acknowledgement within its service level (or an escalation) and its advice, which feeds the
// next plan. Consent withdrawn stops it.
func Referral(ctx workflow.Context, in ReferralInput) error {
	r := NewReferralState(in, calendarNow(ctx, in.Clock))
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ReferralState, error) { return *r, nil }); err != nil {
		return err
	}
	ref := &referral{r: r}
	if err := ref.register(ctx); err != nil {
		return err
	}
	var res Readiness
	if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityCheckReadiness,
		ReadinessRequest{PupilID: r.PupilID, Service: r.Service}).Get(ctx, &res); err != nil {
		return err
	}
	if err := ref.save(ctx, r.SetReadiness(res, calendarNow(ctx, r.Clock))); err != nil {
		return err
	}
	if err := ref.tell(ctx, "decision", "referral_decision_needed", nil, ToSENDCo); err != nil {
		return err
	}
	if err := ref.askConsent(ctx, "consent", "consent_request", nil); err != nil {
		return err
	}
	for !r.Status.Finished() {
		seen := r.Version
		at, has := r.NextWake()
		if err := sleepUntil(ctx, r.Clock, at, has, func() bool { return r.Version != seen }); err != nil {
			return err
		}
		fired, events := r.DueTimers(calendarNow(ctx, r.Clock))
		if len(fired) == 0 {
			continue
		}
		if err := ref.changed(ctx, events...); err != nil {
			return err
		}
		for _, name := range fired {
			var err error
			switch name {
			case ReferralConsentReminder:
				err = ref.askConsent(ctx, name, "consent_reminder",
					map[string]string{"ExpiresOn": dateWords(r.Timings.Referral.ConsentExpiry.AddTo(*r.ConsentRequestedAt))})
			case ReferralConsentExpiry:
				err = ref.tell(ctx, name, "consent_expired", nil, ToSENDCo)
			case ReferralSLA:
				err = ref.tell(ctx, name, "agency_no_reply", map[string]string{"SubmittedOn": dateWords(*r.SubmittedAt)}, ToSENDCo)
			}
			if err != nil {
				return err
			}
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

type referral struct{ r *ReferralState }

func (ref *referral) register(ctx workflow.Context) error {
	r := ref.r
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReferralDecision, ref.decide,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d ReferralDecision) error {
			return refusalError(r.ValidateDecision(d))
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateConsent, ref.consent,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c Consent) error {
			return refusalError(r.ValidateConsent(c))
		}}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgencyResponse, ref.respond,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a AgencyResponse) error {
			return refusalError(r.ValidateResponse(a))
		}})
}

func (ref *referral) save(ctx workflow.Context, events ...Event) error {
	r := ref.r
	var deadlines []Deadline
	for name, at := range r.deadlines() {
		label := map[string]string{
			ReferralConsentReminder: "Remind parents about consent",
			ReferralConsentExpiry:   "Parents' consent needed by",
			ReferralSLA:             "The service should acknowledge the referral by",
		}[name]
		deadlines = append(deadlines, Deadline{Kind: name, Due: at, Label: label})
	}
	sortDeadlines(deadlines)
	return project(ctx, Projection{PupilID: r.PupilID, SchoolID: r.SchoolID, ItemID: "referral/" + r.ReferralID,
		Kind: "referral", Status: string(r.Status), Version: r.Version, State: stateJSON(r), Events: events,
		Deadlines: deadlines, UpdatedAt: calendarNow(ctx, r.Clock)})
}

// changed saves and tells the pathway the referral's new status.
func (ref *referral) changed(ctx workflow.Context, events ...Event) error {
	if err := ref.save(ctx, events...); err != nil {
		return err
	}
	return tellPathway(ctx, ref.r.PupilID, ChildChanged{Referral: &ReferralChanged{
		ReferralID: ref.r.ReferralID, Status: ref.r.Status, AdviceID: ref.r.AdviceID}})
}

func (ref *referral) tell(ctx workflow.Context, what, template string, vars map[string]string, to ...string) error {
	return notify(ctx, ref.notice(what, template, vars, to))
}

// askConsent emails the parents a link to the consent page of this referral.
func (ref *referral) askConsent(ctx workflow.Context, what, template string, vars map[string]string) error {
	n := ref.notice(what, template, vars, []string{ToParents})
	n.Parents = ParentPage{Kind: PageConsent, ReferralID: ref.r.ReferralID}
	return notify(ctx, n)
}

func (ref *referral) notice(what, template string, vars map[string]string, to []string) Notice {
	r := ref.r
	return Notice{Key: r.PupilID + "/referral/" + r.ReferralID + "/" + what, Template: template, To: to,
		PupilID: r.PupilID, SchoolID: r.SchoolID, Vars: vars, LinkPath: "/v1/pupils/" + r.PupilID + "/pathway"}
}

func (ref *referral) decide(ctx workflow.Context, d ReferralDecision) (ReferralState, error) {
	r := ref.r
	ev := r.ApplyDecision(d, calendarNow(ctx, r.Clock))
	if err := ref.changed(ctx, ev); err != nil {
		return ReferralState{}, err
	}
	if r.Status == ReferralSubmitted {
		return *r, ref.submit(ctx)
	}
	return *r, nil
}

func (ref *referral) consent(ctx workflow.Context, c Consent) (ReferralState, error) {
	r := ref.r
	ev := r.ApplyConsent(c, calendarNow(ctx, r.Clock))
	if err := ref.changed(ctx, ev); err != nil {
		return ReferralState{}, err
	}
	var err error
	switch c.Action {
	case ConsentGive:
		if r.Status == ReferralSubmitted {
			err = ref.submit(ctx)
		}
	case ConsentRefuse:
		err = ref.tell(ctx, "refused", "consent_refused", nil, ToSENDCo)
	case ConsentWithdraw:
		err = ref.tell(ctx, "withdrawn", "consent_withdrawn", nil, ToSENDCo)
	}
	return *r, err
}

func (ref *referral) respond(ctx workflow.Context, a AgencyResponse) (ReferralState, error) {
	r := ref.r
	ev := r.ApplyResponse(a, calendarNow(ctx, r.Clock))
	if err := ref.changed(ctx, ev); err != nil {
		return ReferralState{}, err
	}
	if a.Kind == AgencyAdvice {
		if err := ref.tell(ctx, "advice/staff", "advice_received_staff", nil, ToSENDCo); err != nil {
			return ReferralState{}, err
		}
		return *r, ref.tell(ctx, "advice/parents", "advice_received_parent", nil, ToParents)
	}
	return *r, nil
}

// submit sends the referral by the service's route: its referral inbox, or, for a service with
// its own portal, a task for the SENDCo to upload it there (the email links to the portal).
func (ref *referral) submit(ctx workflow.Context) error {
	r := ref.r
	if r.PortalURL != "" {
		return ref.tell(ctx, "submitted", "referral_portal_upload", map[string]string{"Link": r.PortalURL}, ToSENDCo)
	}
	return ref.tell(ctx, "submitted", "referral_submitted", map[string]string{"Reference": r.ReferralID}, ToAgency(r.Service))
}
