package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/email/mailname"
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
	ref := &referral{r: NewReferralState(in, calendarNow(ctx, in.Clock)), g: newGuard(ctx)}
	if err := ref.register(ctx); err != nil {
		return err
	}
	check := func() error {
		var res Readiness
		if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityCheckReadiness,
			ReadinessRequest{PupilID: ref.r.PupilID, Service: ref.r.Service}).Get(ctx, &res); err != nil {
			return err
		}
		next := stage(ref.g, ref.r)
		ev := next.SetReadiness(res, ref.now(ctx))
		return ref.commit(
			ctx,
			next,
			nil,
			[]Event{ev},
			nil,
			ref.notice(
				"decision",
				mailname.ReferralDecisionNeeded,
				nil,
				ToSENDCo,
			),
			ref.consentNotice("consent", mailname.ConsentRequest, nil),
		)
	}
	// The first check holds the run's lock like any change: a decision or consent arriving
	// meanwhile waits for it, rather than being saved beside it and then overwritten.
	if workflow.GetVersion(ctx, changeReferralCheckLocked, workflow.DefaultVersion, 1) == 1 {
		if err := ref.g.hold(ctx, check); err != nil {
			return err
		}
	} else if err := check(); err != nil {
		return err
	}
	for !ref.r.Status.Finished() {
		seen := ref.r.Version
		at, has := ref.r.NextWake()
		if err := sleepUntil(ctx, ref.r.Clock, at, has, func() bool { return ref.r.Version != seen }); err != nil {
			return err
		}
		if err := ref.g.hold(ctx, func() error { return ref.timers(ctx) }); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// changeReferralCheckLocked: the first readiness check runs under the run's lock (version 1).
// Runs started before checked outside it; their histories replay as they were.
const changeReferralCheckLocked = "referral-check-locked"

// referral carries one run of the Referral workflow.
type referral struct {
	r *ReferralState
	g *guard
}

func (ref *referral) register(ctx workflow.Context) error {
	r := ref.r
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ReferralState, error) { return *r, nil }); err != nil {
		return err
	}
	later := func(id string) bool { return ref.g.handlerDecides(&r.Recent, id) }
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReferralDecision, ref.decide,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d ReferralDecision) error {
			if later(d.ID) {
				return nil
			}
			return refusalError(r.ValidateDecision(d))
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateConsent, ref.consent,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c Consent) error {
			if later(c.ConsentID) {
				return nil
			}
			return refusalError(r.ValidateConsent(c))
		}}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgencyResponse, ref.respond,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a AgencyResponse) error {
			if later(a.ResponseID) {
				return nil
			}
			return refusalError(r.ValidateResponse(a))
		}})
}

func (ref *referral) now(ctx workflow.Context) time.Time { return calendarNow(ctx, ref.r.Clock) }

func (ref *referral) recent() *Recent { return &ref.r.Recent }

// commit saves a changed copy of the referral with the records it accepts and the emails it
// sends, keeps it, and then runs after.
func (ref *referral) commit(
	ctx workflow.Context,
	next *ReferralState,
	accept []Record,
	events []Event,
	after func() error,
	notices ...Notice,
) error {
	var deadlines []Deadline
	//workflowcheck:ignore map order never reaches the history: sorted below
	for name, at := range next.deadlines() {
		label := map[string]string{
			ReferralConsentReminder: "Remind parents about consent",
			ReferralConsentExpiry:   "Parents' consent needed by",
			ReferralSLA:             "The service should acknowledge the referral by",
		}[name]
		deadlines = append(deadlines, Deadline{Kind: name, Due: at, Label: label})
	}
	sortDeadlines(deadlines)
	proj := Projection{PupilID: next.PupilID, SchoolID: next.SchoolID, ItemID: "referral/" + next.ReferralID,
		Kind: "referral", Status: string(next.Status), Version: next.Version, State: stateJSON(next), Events: events,
		Deadlines: deadlines, Accept: accept, UpdatedAt: ref.now(ctx)}
	return ref.g.save(ctx, Commit{Projection: &proj, Notices: notices}, func() { *ref.r = *next }, after)
}

// changed commits a change and tells the pathway the referral's new status.
func (ref *referral) changed(
	ctx workflow.Context,
	next *ReferralState,
	accept []Record,
	events []Event,
	notices ...Notice,
) error {
	return ref.commit(ctx, next, accept, events, func() error {
		return tellPathway(ctx, ref.r.PupilID, ChildChanged{Referral: &ReferralChanged{
			ReferralID: ref.r.ReferralID, Status: ref.r.Status, AdviceID: ref.r.AdviceID}})
	}, notices...)
}

// consentNotice asks the parents, with a link to the consent page of this referral.
func (ref *referral) consentNotice(what, template string, vars map[string]string) Notice {
	n := ref.notice(what, template, vars, ToParents)
	n.Parents = ParentPage{Kind: PageConsent, ReferralID: ref.r.ReferralID}
	return n
}

func (ref *referral) notice(what, template string, vars map[string]string, to ...string) Notice {
	r := ref.r
	return Notice{Key: r.PupilID + "/referral/" + r.ReferralID + "/" + what, Template: template, To: to,
		PupilID: r.PupilID, SchoolID: r.SchoolID, Vars: vars, LinkPath: pathwayLink(r.PupilID)}
}

func (ref *referral) decide(ctx workflow.Context, d ReferralDecision) (ReferralState, error) {
	_, err := ref.g.take(ctx, d.ID, ref.recent, func() error { return ref.r.ValidateDecision(d) }, func() error {
		next := stage(ref.g, ref.r)
		ev := next.ApplyDecision(d, ref.now(ctx))
		next.Recent.Add(d.ID)
		var notices []Notice
		if next.Status == ReferralSubmitted {
			notices = append(notices, ref.submission(next))
		}
		return ref.changed(ctx, next, nil, []Event{ev}, notices...)
	})
	return *ref.r, err
}

func (ref *referral) consent(ctx workflow.Context, c Consent) (ReferralState, error) {
	_, err := ref.g.take(ctx, c.ConsentID, ref.recent, func() error { return ref.r.ValidateConsent(c) }, func() error {
		next := stage(ref.g, ref.r)
		ev := next.ApplyConsent(c, ref.now(ctx))
		next.Recent.Add(c.ConsentID)
		var notices []Notice
		switch c.Action {
		case ConsentGive:
			if next.Status == ReferralSubmitted {
				notices = append(notices, ref.submission(next))
			}
		case ConsentRefuse:
			notices = append(notices, ref.notice("refused", mailname.ConsentRefused, nil, ToSENDCo))
		case ConsentWithdraw:
			notices = append(notices, ref.notice("withdrawn", mailname.ConsentWithdrawn, nil, ToSENDCo))
		}
		return ref.changed(ctx, next, records(RecordConsent, c.ConsentID), []Event{ev}, notices...)
	})
	return *ref.r, err
}

func (ref *referral) respond(ctx workflow.Context, a AgencyResponse) (ReferralState, error) {
	_, err := ref.g.take(
		ctx,
		a.ResponseID,
		ref.recent,
		func() error { return ref.r.ValidateResponse(a) },
		func() error {
			next := stage(ref.g, ref.r)
			ev := next.ApplyResponse(a, ref.now(ctx))
			next.Recent.Add(a.ResponseID)
			var notices []Notice
			if a.Kind == AgencyAdvice {
				notices = append(notices, ref.notice("advice/staff", mailname.AdviceReceivedStaff, nil, ToSENDCo),
					ref.notice("advice/parents", mailname.AdviceReceivedParent, nil, ToParents))
			}
			return ref.changed(ctx, next, records(RecordAgencyResponse, a.ResponseID), []Event{ev}, notices...)
		},
	)
	return *ref.r, err
}

// timers acts on the reminders and limits that have fallen due.
func (ref *referral) timers(ctx workflow.Context) error {
	if at, has := ref.r.NextWake(); !has || at.After(ref.now(ctx)) {
		return nil
	}
	next := stage(ref.g, ref.r)
	fired, events := next.DueTimers(ref.now(ctx))
	if len(fired) == 0 {
		return nil
	}
	var notices []Notice
	for _, name := range fired {
		switch name {
		case ReferralConsentReminder:
			notices = append(notices, ref.consentNotice(
				name,
				mailname.ConsentReminder,
				map[string]string{
					"ExpiresOn": dateWords(next.Timings.Referral.ConsentExpiry.AddTo(*next.ConsentRequestedAt)),
				},
			))
		case ReferralConsentExpiry:
			notices = append(notices, ref.notice(name, mailname.ConsentExpired, nil, ToSENDCo))
		case ReferralSLA:
			notices = append(
				notices,
				ref.notice(
					name,
					mailname.AgencyNoReply,
					map[string]string{"SubmittedOn": dateWords(*next.SubmittedAt)},
					ToSENDCo,
				),
			)
		}
	}
	return ref.changed(ctx, next, nil, events, notices...)
}

// submission sends the referral by the service's route: its referral inbox, or, for a service
// with its own portal, a task for the SENDCo to upload it there (the email links to the portal).
func (ref *referral) submission(r *ReferralState) Notice {
	if r.PortalURL != "" {
		return ref.notice("submitted", mailname.ReferralPortalUpload, map[string]string{"Link": r.PortalURL}, ToSENDCo)
	}
	return ref.notice(
		"submitted",
		mailname.ReferralSubmitted,
		map[string]string{"Reference": r.ReferralID},
		ToAgency(r.Service),
	)
}
