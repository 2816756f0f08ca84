package workflows

// Table tests of the rules in ehc_rules.go.

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestRulesRequestEHCNA(t *testing.T) {
	req := RequestEHCNA{RequestID: "ehc-1", RequestedBy: "parent", By: "parent-1"}
	cases := []struct {
		name  string
		stage Stage
		edit  func(*RequestEHCNA)
		want  string
	}{
		{"from SEN support", StageSENSupport, nil, ""},
		{"before any concern", StageNone, nil, ""},
		{"by a young person", StageSENSupport, func(r *RequestEHCNA) { r.RequestedBy = "young_person" }, ""},
		{"by the school", StageSENSupport, func(r *RequestEHCNA) { r.RequestedBy = "school" }, ""},
		{
			"by someone else",
			StageSENSupport,
			func(r *RequestEHCNA) { r.RequestedBy = "neighbour" },
			`"neighbour" cannot request an assessment; use school, parent or young_person`,
		},
		{
			"no id",
			StageSENSupport,
			func(r *RequestEHCNA) { r.RequestID = "" },
			"a request needs its id and the person making it",
		},
		{"one under way", StageEHCAssessment, nil, "an EHC needs assessment is already under way"},
		{
			"a plan in place",
			StageEHCPlan,
			nil,
			"the pupil already has an EHC plan; changes go through its annual review",
		},
	}
	for _, c := range cases {
		r := req
		if c.edit != nil {
			c.edit(&r)
		}
		checkRule(t, c.name, pathwayAt(c.stage).ValidateRequestEHCNA(r), c.want)
	}
	s := pathwayAt(StageSENSupport)
	ev := s.ApplyRequestEHCNA(req, rulesNow)
	if s.Stage != StageEHCAssessment ||
		!reflect.DeepEqual(s.EHC, &EHCRef{RequestID: "ehc-1", PreviousStage: StageSENSupport}) ||
		ev.Summary != "A request for an EHC needs assessment was made. The council must decide whether to assess by 19 October 2026." {
		t.Errorf("after request: %s %+v %q", s.Stage, s.EHC, ev.Summary)
	}
}

func TestRulesEHCFinished(t *testing.T) {
	issued := day(2027, 1, 21)
	cases := []struct {
		name     string
		previous Stage
		f        EHCFinished
		want     Stage
		kind     string
	}{
		{
			"plan issued",
			StageSENSupport,
			EHCFinished{RequestID: "ehc-1", Outcome: EHCPlanIssued, At: issued},
			StageEHCPlan,
			"ehc_plan_issued",
		},
		{
			"refused, back to SEN support",
			StageSENSupport,
			EHCFinished{RequestID: "ehc-1", Outcome: EHCRefusedToAssess, At: issued},
			StageSENSupport,
			"ehcna_refused",
		},
		{
			"refused after a parent asked while monitoring",
			StageMonitoring,
			EHCFinished{RequestID: "ehc-1", Outcome: EHCRefusedToAssess},
			StageSENSupport,
			"ehcna_refused",
		},
		{
			"not issuing after a request before any concern",
			StageNone,
			EHCFinished{RequestID: "ehc-1", Outcome: EHCNotIssuing},
			StageSENSupport,
			"ehc_not_issuing",
		},
		{
			"another request's answer",
			StageSENSupport,
			EHCFinished{RequestID: "ehc-0", Outcome: EHCPlanIssued, At: issued},
			StageEHCAssessment,
			"ehcna_finished",
		},
	}
	for _, c := range cases {
		s := pathwayAt(c.previous)
		s.ApplyRequestEHCNA(RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "s"}, rulesNow)
		ev := s.ApplyEHCFinished(c.f, rulesNow)
		if s.Stage != c.want || ev.Kind != c.kind {
			t.Errorf("%s: stage %s event %s", c.name, s.Stage, ev.Kind)
		}
		if plan := s.PlanIssuedAt != nil && s.PlanIssuedAt.Equal(issued); plan != (c.want == StageEHCPlan) {
			t.Errorf("%s: plan issued at %v", c.name, s.PlanIssuedAt)
		}
		if c.kind == "ehc_plan_issued" &&
			ev.Summary != "The EHC plan was issued. Its first annual review is due by 21 January 2028." {
			t.Errorf("%s: %q", c.name, ev.Summary)
		}
	}
}

// newEHC is an assessment requested at rulesNow: decision due 19 October 2026, notice of not
// issuing 28 December 2026, final plan 25 January 2027.
func newEHC() *EHCState {
	return NewEHCState(EHCInput{RequestEHCNA: RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "s"},
		PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}, rulesNow)
}

func ehcApply(e *EHCState, at time.Time, typ EHCEventType, reason ExceptionReason) {
	e.ApplyEvent(EHCEvent{Type: typ, Reason: reason, By: "la-1"}, at)
}

func TestRulesEHCPending(t *testing.T) {
	e := newEHC()
	want := func(name string, ms ...EHCMilestone) {
		t.Helper()
		if got := e.Pending(); !slices.Equal(got, ms) {
			t.Errorf("%s: pending %v, want %v", name, got, ms)
		}
	}
	want("requested", MilestoneDecisionToAssess, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "")
	want("assessing", MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 14), EHCAdviceRequested, "")
	want("advice asked for", MilestoneAdvice, MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 30), EHCAdviceReceived, "")
	want("advice received", MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 60), EHCDraftIssued, "")
	want("draft issued", MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 80), EHCFinalPlanIssued, "")
	want("finished")
}

// Staff are alerted at the start of the day 2 weeks before a limit and told it was missed once
// the due day has passed in London; a paused clock sends nothing.
func TestRulesEHCAlerts(t *testing.T) {
	due := CalendarDate(days(rulesNow, 42)) // the decision whether to assess, 19 October
	alert, missed := DayStarts(days(due, -14)), DayEnds(due)
	finalAlert := DayStarts(days(rulesNow, 140-14)) // the final plan's alert, 11 January 2027
	type check struct {
		now    time.Time
		alerts []Alert
		next   time.Time
	}
	decision := func(missed bool) Alert { return Alert{Milestone: MilestoneDecisionToAssess, Due: due, Missed: missed} }
	cases := []struct {
		name   string
		checks []check
	}{
		{"one at a time", []check{
			{rulesNow, nil, alert},
			{alert, []Alert{decision(false)}, missed},
			{due.Add(22 * time.Hour), nil, missed}, // 23:00 on the due day in London
			{missed.Add(-time.Second), nil, missed},
			{missed, []Alert{decision(true)}, finalAlert},
		}},
		{"missed without a warning first", []check{
			{missed, []Alert{decision(true)}, finalAlert},
			{days(missed, 1), nil, finalAlert},
		}},
	}
	for _, c := range cases {
		e := newEHC()
		for _, k := range c.checks {
			alerts, events := e.DueAlerts(k.now)
			next, has := e.NextWake(k.now)
			if !reflect.DeepEqual(alerts, k.alerts) || len(events) != len(k.alerts) || !has || !next.Equal(k.next) {
				t.Errorf(
					"%s at %s: alerts %+v next %v/%v; want %+v %v",
					c.name,
					dateStr(k.now),
					alerts,
					next,
					has,
					k.alerts,
					k.next,
				)
			}
		}
	}

	e := newEHC()
	ehcApply(e, days(rulesNow, 10), EHCExceptionStarted, ExceptionPersonalCircumstances)
	if _, has := e.NextWake(days(rulesNow, 11)); has {
		t.Error("a paused clock wakes")
	}
	if alerts, _ := e.DueAlerts(days(missed, 5)); alerts != nil {
		t.Errorf("a paused clock alerted %+v", alerts)
	}
	ehcApply(e, days(rulesNow, 24), EHCExceptionEnded, "")
	if next, has := e.NextWake(days(rulesNow, 24)); !has || !next.Equal(DayStarts(days(due, 0))) {
		t.Errorf("after a 14-day pause the alert moves to %s, got %v/%v", dateWords(days(alert, 14)), next, has)
	}
	// A pause that starts after a deadline cannot move it, but still holds the alerts back.
	e = newEHC()
	ehcApply(e, days(rulesNow, 44), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	if alerts, _ := e.DueAlerts(days(rulesNow, 45)); alerts != nil {
		t.Errorf("a clock paused after its deadline alerted %+v", alerts)
	}
	ehcApply(e, days(rulesNow, 46), EHCExceptionEnded, "")
	if alerts, _ := e.DueAlerts(days(rulesNow, 46)); !reflect.DeepEqual(alerts, []Alert{decision(true)}) {
		t.Errorf("after the pause: %+v, want the missed decision", alerts)
	}
}

func TestRulesEHCEventValidation(t *testing.T) {
	type setup func(*EHCState)
	decided := func(e *EHCState) { ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "") }
	asked := func(e *EHCState) { decided(e); ehcApply(e, days(rulesNow, 14), EHCAdviceRequested, "") }
	received := func(e *EHCState) { asked(e); ehcApply(e, days(rulesNow, 30), EHCAdviceReceived, "") }
	paused := func(e *EHCState) {
		decided(e)
		ehcApply(e, days(rulesNow, 20), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	}
	drafted := func(e *EHCState) { decided(e); ehcApply(e, days(rulesNow, 60), EHCDraftIssued, "") } // comments until 21 November
	finished := func(e *EHCState) { ehcApply(e, days(rulesNow, 20), EHCDecidedNotToAssess, "") }
	now := days(rulesNow, 70)
	cases := []struct {
		name  string
		setup setup
		ev    EHCEvent
		now   time.Time
		want  string
	}{
		{"decide to assess", nil, EHCEvent{Type: EHCDecidedToAssess}, now, ""},
		{"refuse to assess", nil, EHCEvent{Type: EHCDecidedNotToAssess}, now, ""},
		{
			"decide twice",
			decided,
			EHCEvent{Type: EHCDecidedNotToAssess},
			now,
			"the decision whether to assess has already been made",
		},
		{
			"ask for advice before deciding",
			nil,
			EHCEvent{Type: EHCAdviceRequested},
			now,
			"advice is requested once the council has decided to assess",
		},
		{"ask for advice", decided, EHCEvent{Type: EHCAdviceRequested}, now, ""},
		{"ask for advice twice", asked, EHCEvent{Type: EHCAdviceRequested}, now, "advice has already been requested"},
		{
			"advice before asking",
			decided,
			EHCEvent{Type: EHCAdviceReceived},
			now,
			"no advice request is waiting for an answer",
		},
		{"advice received", asked, EHCEvent{Type: EHCAdviceReceived}, now, ""},
		{
			"advice received twice",
			received,
			EHCEvent{Type: EHCAdviceReceived},
			now,
			"no advice request is waiting for an answer",
		},
		{"pause", decided, EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionAbsentFromArea4Weeks}, now, ""},
		{"pause for another reason", decided, EHCEvent{Type: EHCExceptionStarted, Reason: "illness"}, now,
			`"illness" is not a prescribed exception; use school_closed_4_weeks, absent_from_area_4_weeks or exceptional_personal_circumstances`},
		{"pause twice", paused, EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionAbsentFromArea4Weeks}, now,
			"The clock has been paused since 27 September 2026. Resume it before pausing it again."},
		{"resume", paused, EHCEvent{Type: EHCExceptionEnded}, now, ""},
		{"resume a running clock", decided, EHCEvent{Type: EHCExceptionEnded}, now, "the time limits are not paused"},
		{"draft", decided, EHCEvent{Type: EHCDraftIssued}, now, ""},
		{"decide not to issue", received, EHCEvent{Type: EHCDecidedNotToIssue}, now, ""},
		{"draft before deciding", nil, EHCEvent{Type: EHCDraftIssued}, now,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is requested"},
		{"second draft", drafted, EHCEvent{Type: EHCDraftIssued}, now,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is draft_issued"},
		{
			"final plan without a draft",
			decided,
			EHCEvent{Type: EHCFinalPlanIssued},
			now,
			"the final plan comes after the draft plan",
		},
		{"final plan during comments", drafted, EHCEvent{Type: EHCFinalPlanIssued}, days(rulesNow, 74),
			"parents have until 20 November 2026 to comment on the draft (15 days, counting the day it was issued); the final plan can be issued from 21 November 2026"},
		{"final plan when comments end", drafted, EHCEvent{Type: EHCFinalPlanIssued}, days(rulesNow, 75), ""},
		{
			"anything after the end",
			finished,
			EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionSchoolClosed4Weeks},
			now,
			"this assessment has finished (refused_to_assess)",
		},
		{"not an event", nil, EHCEvent{Type: "tribunal"}, now, `"tribunal" is not an assessment event`},
	}
	for _, c := range cases {
		e := newEHC()
		if c.setup != nil {
			c.setup(e)
		}
		ev := c.ev
		ev.By = "la-1"
		before := e.Timeline
		checkRule(t, c.name, e.ValidateEvent(ev, c.now), c.want)
		if !reflect.DeepEqual(e.Timeline, before) {
			t.Errorf("%s: validating changed the clock", c.name)
		}
	}
	checkRule(
		t,
		"nobody recording it",
		newEHC().ValidateEvent(EHCEvent{Type: EHCDecidedToAssess}, now),
		"an event needs the person recording it",
	)
}

// A decision is a letter parents may appeal; the final plan says whether it was on time.
func TestRulesEHCOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(*EHCState)
		typ      EHCEventType
		at       time.Time
		outcome  EHCOutcome
		summary  string
		appealBy string
	}{
		{"refused to assess", nil, EHCDecidedNotToAssess, days(rulesNow, 35), EHCRefusedToAssess,
			"The council decided not to assess. Parents can appeal until 12 December 2026.", "12 December 2026"},
		{
			"not issuing",
			func(e *EHCState) { ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "") },
			EHCDecidedNotToIssue,
			days(rulesNow, 84),
			EHCNotIssuing,
			"The council decided not to issue an EHC plan. Parents can appeal until 30 January 2027.",
			"30 January 2027",
		},
		{"plan on time", drafted(nil), EHCFinalPlanIssued, day(2027, 1, 25), EHCPlanIssued,
			"The final EHC plan was issued, on time.", "25 March 2027"},
		{"plan late", drafted(nil), EHCFinalPlanIssued, day(2027, 1, 27), EHCPlanIssued,
			"The final EHC plan was issued, late.", "27 March 2027"},
		{"plan on time counting a pause", drafted(func(e *EHCState) {
			ehcApply(e, days(rulesNow, 20), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
			ehcApply(e, days(rulesNow, 48), EHCExceptionEnded, "")
		}), EHCFinalPlanIssued, day(2027, 2, 15), EHCPlanIssued,
			"The final EHC plan was issued, on time, counting the paused weeks.", "15 April 2027"},
	}
	for _, c := range cases {
		e := newEHC()
		if c.setup != nil {
			c.setup(e)
		}
		ev, outcome := e.ApplyEvent(EHCEvent{Type: c.typ, By: "la-1"}, c.at)
		if outcome != c.outcome || e.Outcome != c.outcome || e.Status != EHCDone || ev.Summary != c.summary ||
			e.AppealBy == nil ||
			dateWords(*e.AppealBy) != c.appealBy {
			t.Errorf("%s: outcome %s status %s appeal by %v\n %q", c.name, outcome, e.Status, e.AppealBy, ev.Summary)
		}
	}
}

// drafted is a setup that decides to assess, runs extra (a pause, say), then issues the draft
// on 1 December 2026.
func drafted(extra func(*EHCState)) func(*EHCState) {
	return func(e *EHCState) {
		ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "")
		if extra != nil {
			extra(e)
		}
		ehcApply(e, day(2026, 12, 1), EHCDraftIssued, "")
	}
}
