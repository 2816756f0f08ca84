package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/email/mailname"
)

// Names of the EHC needs assessment workflow and its action.
const (
	EHCWorkflowName = "EHCAssessment"
	UpdateEHCEvent  = "event"
)

// ehcLetters maps each LA step to the letter parents receive.
var ehcLetters = map[EHCEventType]string{
	EHCDecidedToAssess:    mailname.EHCWillAssess,
	EHCDecidedNotToAssess: mailname.EHCRefusedToAssess,
	EHCExceptionStarted:   mailname.EHCClockPaused,
	EHCExceptionEnded:     mailname.EHCClockResumed,
	EHCDraftIssued:        mailname.EHCDraftIssued,
	EHCDecidedNotToIssue:  mailname.EHCNotIssuing,
	EHCFinalPlanIssued:    mailname.EHCPlanIssued,
}

// EHCAssessment runs the statutory clock of one EHC needs assessment from the request (week 0):
// the decision to assess by week 6, advice within 6 weeks of being asked, notice of not issuing
// by week 16, at least 15 days for parents to comment on the draft, the final plan by week 20.
// Exceptions pause the clock; staff are alerted before each limit is missed; parents get a letter
// at each step, with their rights at each decision.
func EHCAssessment(ctx workflow.Context, in EHCInput) error {
	e := NewEHCState(in, calendarNow(ctx, in.Clock))
	if workflow.GetVersion(ctx, changeStatutoryDays, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		e.Timeline.LegacyHours = true
	}
	a := &assessment{e: e, g: newGuard(ctx)}
	if err := a.register(ctx); err != nil {
		return err
	}
	due, _ := a.e.Timeline.Due(MilestoneDecisionToAssess, a.e.Timings, a.now(ctx))
	if err := a.commit(ctx, a.e, nil, a.notice("requested", mailname.EHCRequestReceived, map[string]string{"DecisionDue": dateWords(due)}, ToParents)); err != nil {
		return err
	}
	for a.e.Status != EHCDone {
		seen := a.e.Version
		at, has := a.e.NextWake(a.now(ctx))
		if err := sleepUntil(ctx, a.e.Clock, at, has, func() bool { return a.e.Version != seen }); err != nil {
			return err
		}
		if err := a.g.hold(ctx, func() error { return a.alerts(ctx) }); err != nil {
			return err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	e = a.e
	finishedAt := e.Met[MilestoneFinalPlan].At
	if e.Outcome != EHCPlanIssued {
		finishedAt = a.now(ctx)
	}
	return tellPathway(
		ctx,
		e.PupilID,
		ChildChanged{EHC: &EHCFinished{RequestID: e.RequestID, Outcome: e.Outcome, At: finishedAt}},
	)
}

// changeStatutoryDays: statutory dates are calendar dates in Europe/London — a limit ends with
// its day, pauses count whole days, warnings go at the start of a day and breaches once the due
// day is over — and annual reviews warn before each step (version 1). Runs started before keep
// the old arithmetic so their histories replay.
const changeStatutoryDays = "statutory-days"

// assessment carries one run of the EHCAssessment workflow.
type assessment struct {
	e *EHCState
	g *guard
}

func (a *assessment) register(ctx workflow.Context) error {
	e := a.e
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (EHCState, error) { return *e, nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateEHCEvent, a.onEvent,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, ev EHCEvent) error {
			if a.g.handlerDecides(&e.Recent, ev.ID) {
				return nil
			}
			return refusalError(e.ValidateEvent(ev, calendarNow(ctx, e.Clock)))
		}})
}

func (a *assessment) now(ctx workflow.Context) time.Time { return calendarNow(ctx, a.e.Clock) }

func (a *assessment) recent() *Recent { return &a.e.Recent }

// commit saves a changed copy of the assessment with the emails it sends, then keeps it.
func (a *assessment) commit(ctx workflow.Context, next *EHCState, events []Event, notices ...Notice) error {
	now := a.now(ctx)
	var deadlines []Deadline
	for _, m := range next.Pending() {
		if due, ok := next.Timeline.Due(m, next.Timings, now); ok {
			deadlines = append(
				deadlines,
				Deadline{Kind: string(m), Due: due, Label: "EHC needs assessment: " + MilestoneWords(m)},
			)
		}
	}
	status := string(next.Status)
	if next.Timeline.Paused() && next.Status != EHCDone { // an assessment that ended is finished, paused or not
		status = "paused"
	}
	proj := Projection{PupilID: next.PupilID, SchoolID: next.SchoolID, ItemID: "ehc/" + next.RequestID, Kind: "ehc",
		Status: status, Version: next.Version, State: stateJSON(next), Events: events, Deadlines: deadlines, UpdatedAt: now}
	return a.g.save(ctx, Commit{Projection: &proj, Notices: notices}, func() { *a.e = *next }, nil)
}

func (a *assessment) notice(what, template string, vars map[string]string, to ...string) Notice {
	e := a.e
	return Notice{Key: e.PupilID + "/ehc/" + e.RequestID + "/" + what, Template: template, To: to,
		PupilID: e.PupilID, SchoolID: e.SchoolID, Vars: vars, LinkPath: pathwayLink(e.PupilID)}
}

func (a *assessment) onEvent(ctx workflow.Context, ev EHCEvent) (EHCState, error) {
	check := func() error { return a.e.ValidateEvent(ev, a.now(ctx)) }
	_, err := a.g.take(ctx, ev.ID, a.recent, check, func() error {
		now := a.now(ctx)
		e := stage(a.g, a.e)
		recorded, _ := e.ApplyEvent(ev, now)
		e.Recent.Add(ev.ID)
		letter, ok := ehcLetters[ev.Type]
		if !ok {
			return a.commit(ctx, e, []Event{recorded})
		}
		vars := map[string]string{"LetterDate": dateWords(now)}
		if e.AppealBy != nil {
			vars["TribunalDeadline"] = dateWords(*e.AppealBy)
		}
		if due, ok := e.Timeline.Due(MilestoneFinalPlan, e.Timings, now); ok {
			vars["FinalPlanDue"] = dateWords(due)
		}
		if last, ok := e.Timeline.DueWithoutExceptions(MilestoneDraftComments, e.Timings); ok {
			vars["CommentsBy"] = dateWords(last)
		}
		if n := len(e.Timeline.Pauses); n > 0 && (ev.Type == EHCExceptionStarted || ev.Type == EHCExceptionEnded) {
			p := e.Timeline.Pauses[n-1]
			vars["PausedFrom"] = dateWords(p.From)
			if p.To != nil {
				vars["ResumedOn"], vars["PausedDays"] = dateWords(*p.To), itoa(int64(p.Days(*p.To)))
			}
		}
		if ev.Type == EHCExceptionStarted {
			// The letter reads "paused because {{.Reason}}.": lower-case words, no full stop.
			vars["Reason"] = phraseOf(ev.Reason.Describe())
		}
		return a.commit(ctx, e, []Event{recorded}, a.notice("letter/"+itoa(recorded.Seq), letter, vars, ToParents))
	})
	return *a.e, err
}

// alerts warns staff of limits at risk or missed.
func (a *assessment) alerts(ctx workflow.Context) error {
	next := stage(a.g, a.e)
	alerts, events := next.DueAlerts(a.now(ctx))
	if len(alerts) == 0 {
		return nil
	}
	var notices []Notice
	for _, al := range alerts {
		template, what := mailname.EHCDeadlineAtRisk, "risk/"+string(al.Milestone)
		if al.Missed {
			template, what = mailname.EHCDeadlineMissed, "missed/"+string(al.Milestone)
		}
		// Every milestone that runs is the council's to meet (the decision, advice it asked
		// for, the notice, the final plan): its officer and team are told with the SENDCo.
		notices = append(notices, a.notice(
			what+"/"+al.Due.Format("20060102"),
			template,
			map[string]string{
				"Milestone": MilestoneWords(al.Milestone),
				"Due":       dateWords(al.Due),
			},
			ToSENDCo,
			ToCouncil,
		))
	}
	return a.commit(ctx, next, events, notices...)
}
