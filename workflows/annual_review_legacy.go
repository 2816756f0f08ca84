package workflows

import (
	"fmt"
	"time"
)

// The annual review as runs started before statutory-days keep it, so their histories replay:
// timers at the time of day the review started, no warning before a step, a step reported the
// moment it is due, and the invitations' deadline open until the meeting is held.

// legacyDue is the due date with its time of day.
func (a *AnnualReviewState) legacyDue() time.Time {
	return a.Timings.AnnualReview.Interval.AddTo(a.Previous)
}

// legacyTimers are the review's timers by name.
func (a *AnnualReviewState) legacyTimers() map[string]time.Time {
	t := a.Timings.AnnualReview
	out := map[string]time.Time{}
	if a.Done {
		return out
	}
	if a.MeetingAt == nil {
		// Ask the SENDCo to book the meeting a week before invitations would have to go out.
		out[ARArrange] = t.InvitationsBefore.SubtractFrom(a.legacyDue()).AddDate(0, 0, -7)
		return out
	}
	sched := annualReviewSchedule(a.Previous, *a.MeetingAt, a.Timings, true)
	if a.HeldAt == nil {
		out[ARInvitations] = sched.InvitationsBy
	}
	if a.ReportSentAt == nil {
		out[ARReportDue] = sched.ReportBy
	}
	if a.DecidedAt == nil {
		out[ARDecisionDue] = sched.LADecisionBy
	}
	if a.Decision == ARAmend && a.AmendedIssuedAt == nil && a.DecidedAt != nil {
		out[ARAmendDue] = amendedPlanDeadline(*a.DecidedAt, a.Transfer, a.TransferYear, a.Timings, true)
	}
	return out
}

// legacyDueTimers marks and returns the timers due by now, with the date each concerns, as runs
// started before statutory-days do: no warnings, and a step is reported the moment its due time
// comes, at the time of day it started.
func (a *AnnualReviewState) legacyDueTimers(now time.Time) (map[string]time.Time, []Event) {
	fired := map[string]time.Time{}
	var events []Event
	for _, name := range []string{ARArrange, ARInvitations, ARReportDue, ARDecisionDue, ARAmendDue} {
		at, ok := a.legacyTimers()[name]
		if !ok || a.Sent[name] || at.After(now) {
			continue
		}
		a.Sent[name] = true
		fired[name] = at
		switch name {
		case ARArrange:
			fired[name] = a.legacyDue()
			events = append(
				events,
				a.event(
					now,
					"annual_review_to_arrange",
					fmt.Sprintf(
						"The annual review must be held by %s. The SENDCo has been asked to arrange the meeting.",
						dateWords(a.legacyDue()),
					),
				),
			)
		case ARInvitations:
			fired[name] = *a.MeetingAt
			events = append(
				events,
				a.event(
					now,
					"annual_review_invitations",
					fmt.Sprintf(
						"Invitations to the annual review on %s were sent to the family and the professionals.",
						dateWords(*a.MeetingAt),
					),
				),
			)
		case ARReportDue:
			events = append(
				events,
				a.event(
					now,
					"annual_review_report_late",
					fmt.Sprintf("The review report was due to the council by %s and has not been sent.", dateWords(at)),
				),
			)
		case ARDecisionDue:
			events = append(
				events,
				a.event(
					now,
					"annual_review_decision_late",
					fmt.Sprintf("The council's decision was due by %s and has not been recorded.", dateWords(at)),
				),
			)
		case ARAmendDue:
			events = append(
				events,
				a.event(
					now,
					"amended_plan_late",
					fmt.Sprintf("The amended plan was due by %s and has not been issued.", dateWords(at)),
				),
			)
		}
	}
	return fired, events
}
