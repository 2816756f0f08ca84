package workflows

import (
	"slices"
	"testing"
	"time"
)

// Issue 17, item 3: an annual review warns before each step is due (2 weeks ahead, as the EHC
// clock does), flags a breach once the due day is over, closes each deadline when its step is
// done, and warns when a booking cannot meet a limit.

func arLate(at time.Time, step, due string, to ...string) wantNotice {
	if len(to) == 0 {
		to = []string{ToSENDCo}
	}
	return wantNotice{at, "annual_review_step_late", to, map[string]string{"Step": step, "Due": due}}
}

func arScheduleWarning(at time.Time, step, due, meeting string) wantNotice {
	return wantNotice{at, "annual_review_schedule_warning", []string{ToSENDCo, ToCouncil},
		map[string]string{"Step": step, "Due": due, "MeetingDate": meeting}}
}

// deadlineKinds lists the kinds of the open deadlines in the latest projection.
func deadlineKinds(h *childHarness) []string {
	var out []string
	for _, d := range h.lastProjection().Deadlines {
		out = append(out, d.Kind)
	}
	slices.Sort(out)
	return out
}

func TestAnnualReviewWarnsBeforeAndFlagsAfter(t *testing.T) {
	h := newAnnualReviewHarness(t)
	meeting := time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC)
	arStep(h, childStart.Add(time.Hour), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting})
	heldAt := meeting.Add(time.Hour)
	arStep(h, heldAt, AnnualReviewEvent{Type: ARMeetingHeld})
	var afterInvitations []string
	h.at(days(meeting, -10), func() { afterInvitations = deadlineKinds(h) })
	h.cancelAt(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	runAnnualReview(h, arPrevious)
	h.finished(true)

	want := []wantNotice{
		// Invitations go at the start of 16 October, two weeks before the meeting.
		{
			DayStarts(day(2026, 10, 16)),
			"annual_review_invitation",
			[]string{ToParents},
			map[string]string{"MeetingDate": "30 October 2026"},
		},
		arStepDue(DayStarts(day(2026, 10, 16)), "the annual review meeting", "30 October 2026", ToSENDCo, ToTeachers),
		// The report is due 2 weeks after the meeting: the warning goes as soon as it is held.
		arStepDue(heldAt, "the review report to the council", "13 November 2026"),
		// The council's decision, 4 weeks after: its officer is warned too, 2 weeks ahead.
		arStepDue(
			DayStarts(day(2026, 11, 13)),
			"the council's decision after the review",
			"27 November 2026",
			ToSENDCo,
			ToCouncil,
		),
		// Breaches once the due day is over, worded as late.
		arLate(DayEnds(day(2026, 11, 13)), "the review report to the council", "13 November 2026"),
		arLate(
			DayEnds(day(2026, 11, 27)),
			"the council's decision after the review",
			"27 November 2026",
			ToSENDCo,
			ToCouncil,
		),
	}
	checkNotices(t, h.notices(), want)
	// The invitations' deadline closes once they have gone.
	if slices.Contains(afterInvitations, ARInvitations) {
		t.Errorf("after the invitations went, the open deadlines still include them: %v", afterInvitations)
	}
	var late []string
	for _, e := range h.events() {
		if e.Kind == "annual_review_step_late" {
			late = append(late, e.Summary)
		}
	}
	if len(late) != 2 ||
		late[0] != "The review report to the council was due by 13 November 2026 and has not been recorded: it is late. The SENDCo has been told." {
		t.Errorf("late events %q", late)
	}
}

// A meeting booked after the 12-month limit is taken (the family still needs its review), with a
// warning to the SENDCo and the council; the due date stays on the record and is flagged when
// it passes.
func TestAnnualReviewBookedAfterTheLimit(t *testing.T) {
	h := newAnnualReviewHarness(t)
	meeting := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // due 2 November
	bookedAt := childStart.Add(time.Hour)
	booked := arStep(h, bookedAt, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting})
	var kinds []string
	h.at(days(childStart, 1), func() { kinds = deadlineKinds(h) })
	h.cancelAt(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	runAnnualReview(h, arPrevious)
	h.finished(true)

	checkAccepted(t, "a late booking", booked)
	if !slices.Contains(kinds, "annual_review_due") {
		t.Errorf("the review's due date disappeared once a late meeting was booked: %v", kinds)
	}
	checkNotices(t, h.notices(), []wantNotice{
		arScheduleWarning(bookedAt, "the annual review meeting", "2 November 2026", "20 November 2026"),
		arLate(DayEnds(day(2026, 11, 2)), "the annual review meeting", "2 November 2026"),
		{
			DayStarts(day(2026, 11, 6)),
			"annual_review_invitation",
			[]string{ToParents},
			map[string]string{"MeetingDate": "20 November 2026"},
		},
		arStepDue(DayStarts(day(2026, 11, 6)), "the annual review meeting", "20 November 2026", ToSENDCo, ToTeachers),
	})
}

// A phase-transfer review booked so late that the council's 4 weeks to decide run past
// 15 February is warned about at once, and the transfer deadline is warned 2 weeks ahead.
func TestAnnualReviewTransferScheduleTooLate(t *testing.T) {
	h := newAnnualReviewHarness(t)
	previous := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) // due 1 April 2027
	meeting := time.Date(2027, 2, 10, 10, 0, 0, 0, time.UTC)
	bookedAt := childStart.Add(time.Hour)
	arStep(
		h,
		bookedAt,
		AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting, Transfer: PhaseTransferPrimaryToSecondary},
	)
	h.cancelAt(time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC))
	runAnnualReview(h, previous)
	h.finished(true)

	const transfer = "the council's decision and any amended plan before the move to secondary school"
	checkNotices(t, h.notices(), []wantNotice{
		arScheduleWarning(bookedAt, transfer, "15 February 2027", "10 February 2027"),
		{
			DayStarts(day(2027, 1, 27)),
			"annual_review_invitation",
			[]string{ToParents},
			map[string]string{"MeetingDate": "10 February 2027"},
		},
		arStepDue(DayStarts(day(2027, 1, 27)), "the annual review meeting", "10 February 2027", ToSENDCo, ToTeachers),
		arStepDue(DayStarts(day(2027, 2, 1)), transfer, "15 February 2027", ToSENDCo, ToCouncil),
	})
}
