package workflows

import "testing"

// Issue 17, item 6: timeliness — with and without the exceptions — in words and dates, one
// implementation for the pathway, the caseload and the council's view.

func timelinessOf(t *testing.T, steps []StepTimeliness, step string) StepTimeliness {
	t.Helper()
	for _, s := range steps {
		if s.Step == step {
			return s
		}
	}
	t.Fatalf("no %s in %+v", step, steps)
	return StepTimeliness{}
}

func TestEHCTimelinessInWords(t *testing.T) {
	requested := utc(2026, 12, 1, 10, 0)
	e := NewEHCState(EHCInput{RequestEHCNA: RequestEHCNA{RequestID: "r1", RequestedBy: "school", By: "s"},
		PupilID: "p", SchoolID: "s", Timings: DefaultTimings()}, requested)
	now := utc(2026, 12, 20, 9, 0)
	d := timelinessOf(t, e.Timeliness(now), string(MilestoneDecisionToAssess))
	if d.Status != TimelyOnTrack || !d.Due.Equal(day(2027, 1, 12)) || !d.Council ||
		d.Words != "Due by 12 January 2027 (6 weeks from 1 December 2026). On track: 23 days to go." {
		t.Errorf("decision on track: %+v", d)
	}
	d = timelinessOf(t, e.Timeliness(utc(2027, 1, 2, 9, 0)), string(MilestoneDecisionToAssess))
	if d.Status != TimelyAtRisk ||
		d.Words != "Due by 12 January 2027 (6 weeks from 1 December 2026). At risk: 10 days to go." {
		t.Errorf("decision at risk: %+v", d)
	}
	d = timelinessOf(t, e.Timeliness(utc(2027, 1, 13, 0, 30)), string(MilestoneDecisionToAssess))
	if d.Status != TimelyLate || d.Words != "Due by 12 January 2027 (6 weeks from 1 December 2026). Late by 1 day." {
		t.Errorf("decision late: %+v", d)
	}

	// Decided; paused from 5 January to 7 February (33 days); the draft, then the plan.
	ehcApply(e, utc(2026, 12, 20, 9, 0), EHCDecidedToAssess, "")
	ehcApply(e, utc(2027, 1, 5, 10, 0), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	paused := timelinessOf(t, e.Timeliness(utc(2027, 1, 10, 9, 0)), string(MilestoneFinalPlan))
	if paused.Status != TimelyPaused ||
		paused.Words != "Due by 25 April 2027: 20 April 2027 (20 weeks from 1 December 2026), moved 5 days by pauses so far. The time limits are paused." {
		t.Errorf("final plan while paused: %+v", paused)
	}
	ehcApply(e, utc(2027, 2, 7, 11, 0), EHCExceptionEnded, "")
	ehcApply(e, utc(2027, 4, 1, 9, 0), EHCDraftIssued, "")
	ehcApply(e, utc(2027, 5, 10, 9, 0), EHCFinalPlanIssued, "")
	f := timelinessOf(t, e.Timeliness(utc(2027, 6, 1, 0, 0)), string(MilestoneFinalPlan))
	if f.Status != TimelyDoneCountingExceptions || f.OnTimeWithExceptions == nil || !*f.OnTimeWithExceptions ||
		*f.OnTimeWithoutExceptions ||
		!f.DueWithoutExceptions.Equal(day(2027, 4, 20)) ||
		!f.Due.Equal(day(2027, 5, 23)) ||
		f.Words != "Done on 10 May 2027: on time counting the 33 days the time limits were paused (due by 23 May 2027); 20 days late without them (due by 20 April 2027)." {
		t.Errorf("final plan issued: %+v", f)
	}
}

func TestAnnualReviewTimelinessInWords(t *testing.T) {
	a := newAR() // due 2 November 2026
	a.ApplyEvent(AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting, By: "s"}, rulesNow)
	a.ApplyEvent(AnnualReviewEvent{Type: ARMeetingHeld, By: "s"}, arMeeting)
	a.ApplyEvent(AnnualReviewEvent{Type: ARReportSent, By: "s"}, day(2026, 11, 16))
	steps := a.Timeliness(day(2026, 11, 20))
	r := timelinessOf(t, steps, ARReportDue)
	if r.Status != TimelyDoneLate || r.Council ||
		r.Words != "Done on 16 November 2026: 3 days late (due by 13 November 2026)." {
		t.Errorf("report: %+v", r)
	}
	m := timelinessOf(t, steps, ARMeetingDue)
	if m.Status != TimelyDone || m.Words != "Done on 30 October 2026: on time (due by 2 November 2026)." {
		t.Errorf("meeting: %+v", m)
	}
	d := timelinessOf(t, steps, ARDecisionDue)
	if d.Status != TimelyAtRisk || !d.Council || d.Words != "Due by 27 November 2026. At risk: 7 days to go." {
		t.Errorf("decision: %+v", d)
	}
}
