package workflows

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The plan was issued (or last reviewed) on 2 November 2025, so this review is due by
// 2 November 2026; the SENDCo is asked to book it 3 weeks before, on 12 October.
var (
	arPrevious = time.Date(2025, 11, 2, 9, 0, 0, 0, time.UTC)
	arDue      = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

func newAnnualReviewHarness(t *testing.T) *childHarness {
	return newChildHarness(t, realTime, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterWorkflowWithOptions(AnnualReview, workflow.RegisterOptions{Name: AnnualReviewWorkflowName})
	})
}

func runAnnualReview(h *childHarness, previous time.Time) {
	h.env.ExecuteWorkflow(
		AnnualReviewWorkflowName,
		AnnualReviewInput{PupilID: "pupil-1", SchoolID: "school-1", Number: 1,
			Previous: previous, Clock: realTime, Timings: DefaultTimings()},
	)
}

// arStep sends a review step at calendar time at.
func arStep(h *childHarness, at time.Time, ev AnnualReviewEvent) *update[AnnualReviewState] {
	if ev.By == "" {
		ev.By = "sendco-1"
	}
	return send[AnnualReviewState](h, at, UpdateAnnualReviewEvent, ev)
}

func arStepDue(at time.Time, step, due string, to ...string) wantNotice {
	if len(to) == 0 {
		to = []string{ToSENDCo}
	}
	return wantNotice{at, "annual_review_step_due", to, map[string]string{"Step": step, "Due": due}}
}

func arInvitations(at time.Time, meeting string) []wantNotice {
	at = DayStarts(at) // at the start of the day, two weeks before the meeting
	return []wantNotice{
		{at, "annual_review_invitation", []string{ToParents}, map[string]string{"MeetingDate": meeting}},
		arStepDue(at, "the annual review meeting", meeting, ToSENDCo, ToTeachers),
	}
}

func arDecisionLetter(at time.Time, letter, tribunal string) wantNotice {
	return wantNotice{
		at,
		"annual_review_decision",
		[]string{ToParents},
		map[string]string{"LetterDate": letter, "TribunalDeadline": tribunal},
	}
}

func checkARFinished(t *testing.T, h *childHarness, meetingAt time.Time, ceased bool) {
	t.Helper()
	want := []ChildChanged{{AnnualReview: &AnnualReviewFinished{Number: 1, MeetingAt: meetingAt, Ceased: ceased}}}
	if got := h.pathwaySignals(); !reflect.DeepEqual(got, want) {
		t.Errorf("pathway told %+v, want %+v", got, want)
	}
}

// projectedStatuses lists the statuses the read model saw, repeats removed.
func projectedStatuses(h *childHarness) []string {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	var out []string
	for _, p := range h.rec.projections {
		if len(out) == 0 || out[len(out)-1] != p.Status {
			out = append(out, p.Status)
		}
	}
	return out
}

// Nobody books the meeting, so the SENDCo is asked to; each late step is chased; the council keeps
// the plan and the parents get a decision letter.
func TestAnnualReviewKeep(t *testing.T) {
	h := newAnnualReviewHarness(t)
	arrangeAt := days(arDue, -21)
	tooSoon := arStep(
		h,
		days(arrangeAt, 1),
		AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC)},
	)
	meeting := time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)
	booked := arStep(
		h,
		days(arrangeAt, 1).Add(time.Hour),
		AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting},
	)
	heldAt := meeting.Add(2 * time.Hour)
	arStep(h, heldAt, AnnualReviewEvent{Type: ARMeetingHeld})
	arStep(h, days(meeting, 17), AnnualReviewEvent{Type: ARReportSent})
	badDecision := arStep(h, days(meeting, 31), AnnualReviewEvent{Type: ARLADecision, Decision: "maybe"})
	decidedAt := days(meeting, 32) // 1 December 2026
	kept := arStep(h, decidedAt, AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep, By: "la-officer-1"})
	runAnnualReview(h, arPrevious)
	h.finished(false)

	checkRefused(
		t,
		"a meeting with too little notice",
		tooSoon,
		"Invitations must go out at least 2 weeks before the meeting, so a meeting on 20 October 2026 needed them sent by 6 October 2026. "+
			"Choose a date from 27 October 2026 to 2 November 2026.",
	)
	checkAccepted(t, "booking", booked)
	checkRefused(t, "a decision that is not one", badDecision, `"maybe" is not a decision; use keep, amend or cease`)
	checkAccepted(t, "decision", kept)
	want := []wantNotice{
		{
			DayStarts(arrangeAt),
			"annual_review_to_arrange",
			[]string{ToSENDCo},
			map[string]string{"Due": "2 November 2026"},
		},
	}
	want = append(want, arInvitations(days(meeting, -14), "30 October 2026")...)
	want = append(
		want,
		// Warned before each step, told once each is late.
		arStepDue(heldAt, "the review report to the council", "13 November 2026"),
		arStepDue(
			DayStarts(days(meeting, 14)),
			"the council's decision after the review",
			"27 November 2026",
			ToSENDCo,
			ToCouncil,
		),
		arLate(DayEnds(days(meeting, 14)), "the review report to the council", "13 November 2026"),
		arLate(
			DayEnds(days(meeting, 28)),
			"the council's decision after the review",
			"27 November 2026",
			ToSENDCo,
			ToCouncil,
		),
		arDecisionLetter(decidedAt, "1 December 2026", "1 February 2027"),
	)
	checkNotices(t, h.notices(), want)
	checkARFinished(t, h, heldAt, false)
	if want := []string{"due", "meeting_booked", "report_due", "awaiting_decision", "complete"}; !slices.Equal(
		projectedStatuses(h),
		want,
	) {
		t.Errorf("projected statuses %v, want %v", projectedStatuses(h), want)
	}
	if st := kept.result; !st.Done || st.Decision != ARKeep || !st.HeldAt.Equal(heldAt) {
		t.Errorf("final state: %+v", st)
	}
}

// The meeting is booked well ahead, so nobody is asked to arrange it. After a decision to amend,
// the amended plan is due 8 weeks later; ceasing ends the plan.
func TestAnnualReviewAmendAndCease(t *testing.T) {
	meeting := time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)
	heldAt := meeting.Add(time.Hour)
	decidedAt := time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		decision string
		issuedAt time.Time // zero: no amended plan
		late     bool      // the amended plan comes after its 8 weeks
		ceased   bool
	}{
		{"amended in time", ARAmend, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), false, false},
		{"amended late", ARAmend, time.Date(2027, 1, 6, 9, 0, 0, 0, time.UTC), true, false},
		{"ceased", ARCease, time.Time{}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newAnnualReviewHarness(t)
			arStep(h, childStart.Add(time.Hour), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting})
			arStep(h, heldAt, AnnualReviewEvent{Type: ARMeetingHeld})
			arStep(h, days(meeting, 3), AnnualReviewEvent{Type: ARReportSent})
			decided := arStep(h, decidedAt, AnnualReviewEvent{Type: ARLADecision, Decision: c.decision})
			var issued *update[AnnualReviewState]
			if !c.issuedAt.IsZero() {
				issued = arStep(h, c.issuedAt, AnnualReviewEvent{Type: ARAmendedPlanIssued})
			}
			runAnnualReview(h, arPrevious)
			h.finished(false)

			checkAccepted(t, "decision", decided)
			want := append(arInvitations(days(meeting, -14), "30 October 2026"),
				arStepDue(heldAt, "the review report to the council", "13 November 2026"),
				arDecisionLetter(decidedAt, "9 November 2026", "9 January 2027"))
			if c.late { // issued after its warning and its due day
				want = append(
					want,
					arStepDue(
						DayStarts(days(decidedAt, 42)),
						"the amended EHC plan",
						"4 January 2027",
						ToSENDCo,
						ToCouncil,
					),
				)
			}
			if c.late {
				want = append(
					want,
					arLate(DayEnds(days(decidedAt, 56)), "the amended EHC plan", "4 January 2027", ToSENDCo, ToCouncil),
				)
			}
			checkNotices(t, h.notices(), want)
			checkARFinished(t, h, heldAt, c.ceased)
			if issued != nil {
				checkAccepted(t, "amended plan", issued)
				if decided.result.Done || !issued.result.Done || !issued.result.AmendedIssuedAt.Equal(c.issuedAt) {
					t.Errorf("done after decision %v, after amended plan %v", decided.result.Done, issued.result.Done)
				}
			}
			if c.decision == ARAmend && !slices.Contains(projectedStatuses(h), "amending") {
				t.Errorf("projected statuses %v lack amending", projectedStatuses(h))
			}
		})
	}
}

// A meeting in a secondary to post-16 transfer year brings the amended plan forward to 31 March
// (8 weeks after a 10 March decision would be 5 May).
func TestAnnualReviewPostSixteenTransfer(t *testing.T) {
	h := newAnnualReviewHarness(t)
	previous := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) // due 1 April 2027
	meeting := time.Date(2027, 2, 16, 9, 0, 0, 0, time.UTC)
	booked := arStep(
		h,
		childStart.Add(time.Hour),
		AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting, Transfer: PhaseTransferSecondaryToPost16},
	)
	arStep(h, meeting.Add(time.Hour), AnnualReviewEvent{Type: ARMeetingHeld})
	arStep(h, days(meeting, 1), AnnualReviewEvent{Type: ARReportSent})
	decidedAt := time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)
	decided := arStep(h, decidedAt, AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
	h.cancelAt(time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC))
	runAnnualReview(h, previous)
	h.finished(true)

	checkAccepted(t, "booking", booked)
	if st := booked.result; st.Transfer != PhaseTransferSecondaryToPost16 || st.TransferYear != 2027 {
		t.Errorf("transfer %q in %d, want secondary_to_post16 in 2027", st.Transfer, st.TransferYear)
	}
	checkAccepted(t, "decision", decided)
	// The decision to amend on 10 March closes the transfer deadline's own step; the amended
	// plan's 8 weeks are brought forward to it, and warned 2 weeks ahead.
	want := append(
		arInvitations(days(meeting, -14), "16 February 2027"),
		arStepDue(meeting.Add(time.Hour), "the review report to the council", "2 March 2027"),
		arStepDue(
			DayStarts(day(2027, 3, 2)),
			"the council's decision after the review",
			"16 March 2027",
			ToSENDCo,
			ToCouncil,
		),
		arDecisionLetter(decidedAt, "10 March 2027", "10 May 2027"),
		arStepDue(DayStarts(day(2027, 3, 17)), "the amended EHC plan", "31 March 2027", ToSENDCo, ToCouncil),
		arLate(DayEnds(day(2027, 3, 31)), "the amended EHC plan", "31 March 2027", ToSENDCo, ToCouncil),
	)
	checkNotices(t, h.notices(), want)
	var summary string
	for _, e := range h.events() {
		if e.Kind == "annual_review_decided" {
			summary = e.Summary
		}
	}
	if summary != "The council decided to amend the plan. The amended plan is due by 31 March 2027." {
		t.Errorf("decision event: %q", summary)
	}
	if s := h.pathwaySignals(); len(s) != 0 {
		t.Errorf("an unfinished review told the pathway %+v", s)
	}
}
