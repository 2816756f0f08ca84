package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
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
	a := NewAnnualReviewState(in)
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (AnnualReviewState, error) { return *a, nil }); err != nil {
		return err
	}
	save := func(ctx workflow.Context, events ...Event) error {
		var deadlines []Deadline
		for name, at := range a.timers() {
			deadlines = append(deadlines, Deadline{Kind: name, Due: at, Label: annualReviewLabels[name]})
		}
		if a.MeetingAt == nil {
			deadlines = append(deadlines, Deadline{Kind: "annual_review_due", Due: a.Due(), Label: "The annual review meeting"})
		}
		sortDeadlines(deadlines)
		status := "due"
		switch {
		case a.Done:
			status = "complete"
		case a.Decision == ARAmend:
			status = "amending"
		case a.ReportSentAt != nil:
			status = "awaiting_decision"
		case a.HeldAt != nil:
			status = "report_due"
		case a.MeetingAt != nil:
			status = "meeting_booked"
		}
		return project(ctx, Projection{PupilID: a.PupilID, SchoolID: a.SchoolID, ItemID: fmt.Sprintf("annual-review/%d", a.Number),
			Kind: "annual_review", Status: status, Version: a.Version, State: stateJSON(a), Events: events,
			Deadlines: deadlines, UpdatedAt: calendarNow(ctx, a.Clock)})
	}
	tell := func(ctx workflow.Context, what, template string, vars map[string]string, to ...string) error {
		return notify(ctx, Notice{Key: fmt.Sprintf("%s/annual-review/%d/%s", a.PupilID, a.Number, what), Template: template,
			To: to, PupilID: a.PupilID, SchoolID: a.SchoolID, Vars: vars, LinkPath: "/v1/pupils/" + a.PupilID + "/pathway"})
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAnnualReviewEvent,
		func(ctx workflow.Context, ev AnnualReviewEvent) (AnnualReviewState, error) {
			now := calendarNow(ctx, a.Clock)
			recorded := a.ApplyEvent(ev, now)
			if err := save(ctx, recorded); err != nil {
				return AnnualReviewState{}, err
			}
			if ev.Type == ARLADecision {
				by := AppealDeadline(now, nil, a.Timings)
				return *a, tell(ctx, "decision", "annual_review_decision",
					map[string]string{"LetterDate": dateWords(now), "TribunalDeadline": dateWords(by)}, ToParents)
			}
			return *a, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, ev AnnualReviewEvent) error {
			return refusalError(a.ValidateEvent(ev, calendarNow(ctx, a.Clock)))
		}})
	if err != nil {
		return err
	}
	if err := save(ctx); err != nil {
		return err
	}
	for !a.Done {
		seen := a.Version
		at, has := a.NextWake()
		if err := sleepUntil(ctx, a.Clock, at, has, func() bool { return a.Version != seen }); err != nil {
			return err
		}
		fired, events := a.DueTimers(calendarNow(ctx, a.Clock))
		if len(fired) == 0 {
			continue
		}
		if err := save(ctx, events...); err != nil {
			return err
		}
		for _, name := range []string{ARArrange, ARInvitations, ARReportDue, ARDecisionDue, ARAmendDue} {
			at, ok := fired[name]
			if !ok {
				continue
			}
			key := name + "/" + at.Format("20060102")
			switch name {
			case ARArrange:
				err = tell(ctx, key, "annual_review_to_arrange", map[string]string{"Due": dateWords(at)}, ToSENDCo)
			case ARInvitations:
				if err = tell(ctx, key, "annual_review_invitation", map[string]string{"MeetingDate": dateWords(at)}, ToParents); err == nil {
					err = tell(ctx, key+"/staff", "annual_review_step_due", map[string]string{"Step": "the annual review meeting", "Due": dateWords(at)}, ToSENDCo, ToTeachers)
				}
			default:
				err = tell(ctx, key, "annual_review_step_due", map[string]string{"Step": annualReviewLabels[name], "Due": dateWords(at)}, ToSENDCo)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	meeting := a.Due()
	if a.HeldAt != nil {
		meeting = *a.HeldAt
	}
	return tellPathway(ctx, a.PupilID, ChildChanged{AnnualReview: &AnnualReviewFinished{Number: a.Number, MeetingAt: meeting, Ceased: a.Decision == ARCease}})
}

var annualReviewLabels = map[string]string{
	ARArrange:     "Book the annual review meeting",
	ARInvitations: "Send annual review invitations",
	ARReportDue:   "the review report to the council",
	ARDecisionDue: "the council's decision after the review",
	ARAmendDue:    "the amended EHC plan",
}
