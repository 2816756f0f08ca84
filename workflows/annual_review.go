package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/email/mailname"
)

// Names of the annual review workflow and its action.
const (
	AnnualReviewWorkflowName = "AnnualReview"
	UpdateAnnualReviewEvent  = "event"
)

// AnnualReview is one annual review of an EHC plan: due 12 months after the plan (or the last
// review); the SENDCo is asked to book it; invitations go out 2 weeks before the meeting; the
// school's report is due 2 weeks after, the council's decision 4 weeks after, an amended plan 8
// weeks after a decision to amend (earlier in a phase-transfer year). It tells the pathway when it
// is done, and the pathway starts the next.
func AnnualReview(ctx workflow.Context, in AnnualReviewInput) error {
	r := &annualReview{a: NewAnnualReviewState(in)}
	legacy := workflow.GetVersion(ctx, changeStatutoryDays, workflow.DefaultVersion, 1) == workflow.DefaultVersion
	r.a.Legacy = legacy
	r.g = newGuard(ctx)
	if err := r.register(ctx); err != nil {
		return err
	}
	if legacy {
		if err := r.commit(ctx, r.a, nil); err != nil {
			return err
		}
	} else if err := r.g.hold(ctx, func() error { return r.open(ctx) }); err != nil {
		return err
	}
	for !r.a.Done {
		seen := r.a.Version
		at, has := r.a.NextWake()
		if err := sleepUntil(ctx, r.a.Clock, at, has, func() bool { return r.a.Version != seen }); err != nil {
			return err
		}
		if err := r.g.hold(ctx, func() error { return r.timers(ctx) }); err != nil {
			return err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	a := r.a
	meeting := a.Due()
	if a.HeldAt != nil {
		meeting = *a.HeldAt
	}
	return tellPathway(
		ctx,
		a.PupilID,
		ChildChanged{
			AnnualReview: &AnnualReviewFinished{Number: a.Number, MeetingAt: meeting, Ceased: a.Decision == ARCease},
		},
	)
}

// annualReview carries one run of the AnnualReview workflow.
type annualReview struct {
	a *AnnualReviewState
	g *guard
}

func (r *annualReview) register(ctx workflow.Context) error {
	a := r.a
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (AnnualReviewState, error) { return *a, nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAnnualReviewEvent, r.onEvent,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, ev AnnualReviewEvent) error {
			if r.g.handlerDecides(&a.Recent, ev.ID) {
				return nil
			}
			return refusalError(a.ValidateEvent(ev, calendarNow(ctx, a.Clock)))
		}})
}

func (r *annualReview) now(ctx workflow.Context) time.Time { return calendarNow(ctx, r.a.Clock) }

func (r *annualReview) recent() *Recent { return &r.a.Recent }

// open reads the pupil's placement (their birth year and school's year groups, to work out the
// phase transfer) and records that the review is open. The caller holds the run's lock, so no
// action is checked before the placement is known.
func (r *annualReview) open(ctx workflow.Context) error {
	var p *Placement
	if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityPupilPlacement, r.a.PupilID).Get(ctx, &p); err != nil {
		return err
	}
	next := stage(r.g, r.a)
	next.Placement = p
	return r.commit(ctx, next, []Event{next.Opened(r.now(ctx))})
}

// commit saves a changed copy of the review with the emails it sends, then keeps it.
func (r *annualReview) commit(ctx workflow.Context, next *AnnualReviewState, events []Event, notices ...Notice) error {
	return r.commitAccepting(ctx, next, nil, events, notices...)
}

// commitAccepting is commit that also takes the proposed records of an action into the record.
func (r *annualReview) commitAccepting(
	ctx workflow.Context,
	next *AnnualReviewState,
	accept []Record,
	events []Event,
	notices ...Notice,
) error {
	var deadlines []Deadline
	if next.Legacy {
		//workflowcheck:ignore map order never reaches the history: sorted below
		for name, at := range next.legacyTimers() {
			deadlines = append(deadlines, Deadline{Kind: name, Due: at, Label: annualReviewLabels[name]})
		}
		if next.MeetingAt == nil {
			deadlines = append(
				deadlines,
				Deadline{Kind: "annual_review_due", Due: next.Due(), Label: "The annual review meeting"},
			)
		}
	} else if !next.Done {
		if next.MeetingAt == nil {
			deadlines = append(deadlines, Deadline{Kind: ARArrange, Label: annualReviewLabels[ARArrange],
				Due: next.Timings.AnnualReview.InvitationsBefore.SubtractFrom(next.LatestMeeting()).AddDate(0, 0, -7)})
		}
		for _, st := range next.Steps() {
			if st.Open() {
				deadlines = append(deadlines, Deadline{Kind: st.Kind, Due: st.Due, Label: "Annual review: " + next.StepWords(st.Kind)})
			}
		}
	}
	sortDeadlines(deadlines)
	proj := Projection{
		PupilID:   next.PupilID,
		SchoolID:  next.SchoolID,
		ItemID:    fmt.Sprintf("annual-review/%d", next.Number),
		Kind:      "annual_review",
		Status:    next.Status(),
		Version:   next.Version,
		State:     stateJSON(next),
		Events:    events,
		Deadlines: deadlines,
		Accept:    accept,
		UpdatedAt: r.now(ctx),
	}
	return r.g.save(ctx, Commit{Projection: &proj, Notices: notices}, func() { *r.a = *next }, nil)
}

func (r *annualReview) notice(what, template string, vars map[string]string, to ...string) Notice {
	a := r.a
	return Notice{Key: fmt.Sprintf("%s/annual-review/%d/%s", a.PupilID, a.Number, what), Template: template,
		To: to, PupilID: a.PupilID, SchoolID: a.SchoolID, Vars: vars, LinkPath: pathwayLink(a.PupilID)}
}

func (r *annualReview) onEvent(ctx workflow.Context, ev AnnualReviewEvent) (AnnualReviewState, error) {
	check := func() error { return r.a.ValidateEvent(ev, r.now(ctx)) }
	_, err := r.g.take(ctx, ev.ID, r.recent, check, func() error {
		now := r.now(ctx)
		next := stage(r.g, r.a)
		recorded := next.ApplyEvent(ev, now)
		next.Recent.Add(ev.ID)
		var notices []Notice
		if ev.Type == ARMeetingScheduled && !next.Legacy {
			for _, w := range next.ScheduleWarnings(ev.MeetingAt) {
				notices = append(
					notices,
					r.notice(
						"schedule/"+w.Kind+"/"+CalendarDate(ev.MeetingAt).Format("20060102"),
						mailname.AnnualReviewScheduleWarning,
						map[string]string{
							"Step":        next.StepWords(w.Kind),
							"Due":         dateWords(w.Due),
							"MeetingDate": dateWords(ev.MeetingAt),
						},
						ToSENDCo,
						ToCouncil,
					),
				)
			}
		}
		if ev.Type == ARLADecision {
			by := AppealDeadline(now, nil, next.Timings)
			notices = append(notices, r.notice("decision", mailname.AnnualReviewDecision,
				map[string]string{"LetterDate": dateWords(now), "TribunalDeadline": dateWords(by)}, ToParents))
		}
		var accept []Record
		if ev.Type == ARTransferCorrected {
			accept = records(RecordTransferCorrection, ev.CorrectionID)
		}
		return r.commitAccepting(ctx, next, accept, []Event{recorded}, notices...)
	})
	return *r.a, err
}

// timers sends the reminders, warnings and breaches that have fallen due.
func (r *annualReview) timers(ctx workflow.Context) error {
	if at, has := r.a.NextWake(); !has || at.After(r.now(ctx)) {
		return nil
	}
	if r.a.Legacy {
		return r.legacyTimers(ctx)
	}
	next := stage(r.g, r.a)
	due, events := next.DueReminders(r.now(ctx))
	if len(due) == 0 {
		return nil
	}
	var notices []Notice
	for _, rem := range due {
		vars := map[string]string{"Step": next.StepWords(rem.Kind), "Due": dateWords(rem.Due)}
		to := []string{ToSENDCo}
		if rem.Council {
			to = append(to, ToCouncil)
		}
		switch {
		case rem.Kind == ARArrange:
			notices = append(
				notices,
				r.notice(
					rem.Name+"/"+rem.Due.Format("20060102"),
					mailname.AnnualReviewToArrange,
					map[string]string{"Due": dateWords(rem.Due)},
					ToSENDCo,
				),
			)
		case rem.Kind == ARInvitations:
			notices = append(
				notices,
				r.notice(
					rem.Name,
					mailname.AnnualReviewInvitation,
					map[string]string{"MeetingDate": dateWords(rem.Due)},
					ToParents,
				),
				r.notice(
					rem.Name+"/staff",
					mailname.AnnualReviewStepDue,
					map[string]string{"Step": "the annual review meeting", "Due": dateWords(rem.Due)},
					ToSENDCo,
					ToTeachers,
				),
			)
		case rem.Late:
			notices = append(notices, r.notice(rem.Name, mailname.AnnualReviewStepLate, vars, to...))
		default:
			notices = append(notices, r.notice(rem.Name, mailname.AnnualReviewStepDue, vars, to...))
		}
	}
	return r.commit(ctx, next, events, notices...)
}

// legacyTimers sends the reminders of runs started before statutory-days.
func (r *annualReview) legacyTimers(ctx workflow.Context) error {
	next := stage(r.g, r.a)
	fired, events := next.DueTimers(r.now(ctx))
	if len(fired) == 0 {
		return nil
	}
	var notices []Notice
	for _, name := range []string{ARArrange, ARInvitations, ARReportDue, ARDecisionDue, ARAmendDue} {
		at, ok := fired[name]
		if !ok {
			continue
		}
		key := name + "/" + at.Format("20060102")
		switch name {
		case ARArrange:
			notices = append(
				notices,
				r.notice(key, mailname.AnnualReviewToArrange, map[string]string{"Due": dateWords(at)}, ToSENDCo),
			)
		case ARInvitations:
			notices = append(
				notices,
				r.notice(
					key,
					mailname.AnnualReviewInvitation,
					map[string]string{"MeetingDate": dateWords(at)},
					ToParents,
				),
				r.notice(
					key+"/staff",
					mailname.AnnualReviewStepDue,
					map[string]string{"Step": "the annual review meeting", "Due": dateWords(at)},
					ToSENDCo,
					ToTeachers,
				),
			)
		default:
			notices = append(
				notices,
				r.notice(
					key,
					mailname.AnnualReviewStepDue,
					map[string]string{"Step": annualReviewLabels[name], "Due": dateWords(at)},
					ToSENDCo,
				),
			)
		}
	}
	return r.commit(ctx, next, events, notices...)
}

var annualReviewLabels = map[string]string{
	ARArrange:     "Book the annual review meeting",
	ARInvitations: "Send annual review invitations",
	ARReportDue:   "the review report to the council",
	ARDecisionDue: "the council's decision after the review",
	ARAmendDue:    "the amended EHC plan",
}
