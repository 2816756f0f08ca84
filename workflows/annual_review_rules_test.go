package workflows

// Table tests of the rules in annual_review_rules.go.

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// newAR is an annual review of a plan issued on 2 November 2025: due 2 November 2026.
func newAR() *AnnualReviewState {
	return NewAnnualReviewState(AnnualReviewInput{PupilID: "pupil-1", SchoolID: "school-1", Number: 1,
		Previous: time.Date(2025, 11, 2, 9, 0, 0, 0, time.UTC), Timings: DefaultTimings()})
}

func arApply(a *AnnualReviewState, at time.Time, ev AnnualReviewEvent) Event {
	ev.By = "s"
	return a.ApplyEvent(ev, at)
}

var arMeeting = time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)

func TestRulesAnnualReviewValidation(t *testing.T) {
	booked := func(a *AnnualReviewState) {
		arApply(a, rulesNow, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	}
	held := func(a *AnnualReviewState) { booked(a); arApply(a, arMeeting, AnnualReviewEvent{Type: ARMeetingHeld}) }
	reported := func(a *AnnualReviewState) {
		held(a)
		arApply(a, days(arMeeting, 5), AnnualReviewEvent{Type: ARReportSent})
	}
	amending := func(a *AnnualReviewState) {
		reported(a)
		arApply(a, days(arMeeting, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
	}
	kept := func(a *AnnualReviewState) {
		reported(a)
		arApply(a, days(arMeeting, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep})
	}
	cases := []struct {
		name  string
		setup func(*AnnualReviewState)
		ev    AnnualReviewEvent
		now   time.Time
		want  string
	}{
		{"book a meeting", nil, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting}, rulesNow, ""},
		{
			"move the meeting",
			booked,
			AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: days(arMeeting, 1)},
			rulesNow,
			"",
		},
		{
			"book after the due date",
			nil,
			AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: day(2026, 11, 20)},
			rulesNow,
			"",
		}, // late, but held
		{
			"book with too little notice",
			nil,
			AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting},
			days(arMeeting, -10),
			"Invitations must go out at least 2 weeks before the meeting, so a meeting on 30 October 2026 needed them sent by 16 October 2026. The earliest possible date, 3 November 2026, is after the review is due on 2 November 2026: tell the local authority the review will be late.",
		},
		{
			"book before the plan",
			nil,
			AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: day(2025, 10, 1)},
			rulesNow,
			"The review meeting on 1 October 2025 must be after the plan was issued or last reviewed, on 2 November 2025.",
		},
		{
			"book without a date",
			nil,
			AnnualReviewEvent{Type: ARMeetingScheduled},
			rulesNow,
			"Choose a date for the review meeting.",
		},
		{
			"book after holding it",
			held,
			AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: days(arMeeting, 30)},
			rulesNow,
			"the meeting has already been held",
		},
		{
			"hold without booking",
			nil,
			AnnualReviewEvent{Type: ARMeetingHeld},
			rulesNow,
			"book the review meeting first",
		},
		{"hold", booked, AnnualReviewEvent{Type: ARMeetingHeld}, arMeeting, ""},
		{
			"hold twice",
			held,
			AnnualReviewEvent{Type: ARMeetingHeld},
			arMeeting,
			"the meeting has already been recorded as held",
		},
		{
			"report before the meeting",
			booked,
			AnnualReviewEvent{Type: ARReportSent},
			arMeeting,
			"the report is sent once, after the meeting",
		},
		{"report", held, AnnualReviewEvent{Type: ARReportSent}, arMeeting, ""},
		{
			"report twice",
			reported,
			AnnualReviewEvent{Type: ARReportSent},
			arMeeting,
			"the report is sent once, after the meeting",
		},
		{"decide before the report", held, AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep}, arMeeting,
			"the council decides after the school has sent the review report"},
		{"decide", reported, AnnualReviewEvent{Type: ARLADecision, Decision: ARCease}, arMeeting, ""},
		{
			"decide something else",
			reported,
			AnnualReviewEvent{Type: ARLADecision, Decision: "pause"},
			arMeeting,
			`"pause" is not a decision; use keep, amend or cease`,
		},
		{
			"decide twice",
			amending,
			AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep},
			arMeeting,
			"the council's decision is already recorded",
		},
		{"amended plan", amending, AnnualReviewEvent{Type: ARAmendedPlanIssued}, arMeeting, ""},
		{"amended plan without a decision to amend", reported, AnnualReviewEvent{Type: ARAmendedPlanIssued}, arMeeting,
			"an amended plan follows a decision to amend"},
		{
			"anything after the end",
			kept,
			AnnualReviewEvent{Type: ARAmendedPlanIssued},
			arMeeting,
			"annual review 1 has finished",
		},
		{"not a step", nil, AnnualReviewEvent{Type: "party"}, arMeeting, `"party" is not an annual review step`},
	}
	for _, c := range cases {
		a := newAR()
		if c.setup != nil {
			c.setup(a)
		}
		ev := c.ev
		ev.By = "s"
		checkRule(t, c.name, a.ValidateEvent(ev, c.now), c.want)
	}
	checkRule(
		t,
		"nobody recording it",
		newAR().ValidateEvent(AnnualReviewEvent{Type: ARMeetingHeld}, rulesNow),
		"an annual review step needs the person recording it",
	)
}

// Runs started before statutory-days keep their timers: at the time of day, no warnings.
func TestRulesAnnualReviewLegacyTimers(t *testing.T) {
	due := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	arrange := days(due, -21)
	a := newAR()
	a.Legacy = true
	if next, has := a.NextWake(); !has || !next.Equal(arrange) {
		t.Errorf("first wake %v/%v, want %s", next, has, arrange)
	}
	fired, events := a.DueTimers(arrange)
	if !reflect.DeepEqual(fired, map[string]time.Time{ARArrange: due}) || len(events) != 1 ||
		events[0].Summary != "The annual review must be held by 2 November 2026. The SENDCo has been asked to arrange the meeting." {
		t.Errorf("arrange: %v %+v", fired, events)
	}
	if _, has := a.NextWake(); has {
		t.Error("with nothing booked after the reminder, the review still wakes")
	}

	// Booked: invitations 2 weeks before, then the report and the decision if they are late.
	arApply(a, days(arrange, 1), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	invite := days(arMeeting, -14)
	if next, _ := a.NextWake(); !next.Equal(invite) {
		t.Errorf("wake %v, want invitations %v", next, invite)
	}
	if fired, _ := a.DueTimers(invite); !reflect.DeepEqual(fired, map[string]time.Time{ARInvitations: arMeeting}) {
		t.Errorf("invitations: %v", fired)
	}
	// Moving the meeting sends fresh invitations for the new date.
	moved := days(arMeeting, 2)
	arApply(a, days(invite, 1), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: moved})
	if fired, _ := a.DueTimers(days(moved, -14)); !reflect.DeepEqual(
		fired,
		map[string]time.Time{ARInvitations: moved},
	) {
		t.Errorf("invitations for the moved meeting: %v", fired)
	}
	arApply(a, moved, AnnualReviewEvent{Type: ARMeetingHeld})
	if fired, _ := a.DueTimers(days(moved, 28)); !reflect.DeepEqual(
		fired,
		map[string]time.Time{ARReportDue: days(moved, 14), ARDecisionDue: days(moved, 28)},
	) {
		t.Errorf("late report and decision: %v", fired)
	}
	arApply(a, days(moved, 29), AnnualReviewEvent{Type: ARReportSent})
	decided := days(moved, 30)
	ev := arApply(a, decided, AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
	if ev.Summary != "The council decided to amend the plan. The amended plan is due by 26 January 2027." || a.Done {
		t.Errorf("amend: %q done %v", ev.Summary, a.Done)
	}
	if next, has := a.NextWake(); !has || !next.Equal(days(decided, 56)) {
		t.Errorf("amended plan wake %v/%v", next, has)
	}
	arApply(a, days(decided, 20), AnnualReviewEvent{Type: ARAmendedPlanIssued})
	if _, has := a.NextWake(); has || !a.Done {
		t.Errorf("after the amended plan: wakes %v, done %v", has, a.Done)
	}
}

// Since statutory-days: the reminder to book and the invitations at the start of their day; a
// warning 2 weeks before each step and a breach once its day is over; a done step closes.
func TestRulesAnnualReviewReminders(t *testing.T) {
	type fired struct {
		kind string
		late bool
		due  time.Time
	}
	check := func(name string, a *AnnualReviewState, now time.Time, want ...fired) {
		t.Helper()
		got, events := a.DueReminders(now)
		var g []fired
		for _, r := range got {
			g = append(g, fired{r.Kind, r.Late, r.Due})
		}
		if !reflect.DeepEqual(g, want) || len(events) != len(want) {
			t.Errorf("%s at %s: %+v, want %+v", name, dateStr(now), g, want)
		}
	}
	a := newAR() // due 2 November 2026
	due := day(2026, 11, 2)
	if next, has := a.NextWake(); !has || !next.Equal(DayStarts(day(2026, 10, 12))) {
		t.Errorf("first wake %s, want the reminder to book at the start of 12 October", dateStr(next))
	}
	check("book", a, DayStarts(day(2026, 10, 12)), fired{ARArrange, false, due})
	check("meeting warned", a, DayStarts(day(2026, 10, 19)), fired{ARMeetingDue, false, due})
	arApply(a, day(2026, 10, 19).Add(10*time.Hour), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	check(
		"invitations",
		a,
		DayStarts(day(2026, 10, 19)).Add(11*time.Hour),
		fired{ARInvitations, false, day(2026, 10, 30)},
	)
	if a.InvitedAt == nil {
		t.Error("the invitations' time was not kept")
	}
	for _, st := range a.Steps() {
		if st.Kind == ARInvitations && st.Open() {
			t.Error("the invitations step is still open after they went")
		}
	}
	arApply(a, arMeeting, AnnualReviewEvent{Type: ARMeetingHeld})
	check("report warned once held", a, arMeeting.Add(time.Hour), fired{ARReportDue, false, day(2026, 11, 13)})
	check("nothing more on 12 November", a, DayStarts(day(2026, 11, 12)))
	check("decision warned", a, DayStarts(day(2026, 11, 13)), fired{ARDecisionDue, false, day(2026, 11, 27)})
	check("still the report's due day", a, DayEnds(day(2026, 11, 13)).Add(-time.Second))
	check("report late", a, DayEnds(day(2026, 11, 13)), fired{ARReportDue, true, day(2026, 11, 13)})
	arApply(a, day(2026, 11, 20), AnnualReviewEvent{Type: ARReportSent})
	arApply(a, day(2026, 11, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep})
	if _, has := a.NextWake(); has {
		t.Error("a finished review still wakes")
	}
}

func TestRulesAnnualReviewTransfer(t *testing.T) {
	cases := []struct {
		transfer PhaseTransfer
		meeting  time.Time
		year     int
		want     string // the amended plan's deadline after a decision on 10 March 2027
	}{
		{PhaseTransferNone, day(2027, 2, 16), 0, "5 May 2027"},
		{PhaseTransferSecondaryToPost16, day(2027, 2, 16), 2027, "31 March 2027"},
		{PhaseTransferPrimaryToSecondary, day(2026, 10, 20), 2027, "15 February 2027"}, // already passed: late
	}
	for _, c := range cases {
		a := NewAnnualReviewState(
			AnnualReviewInput{PupilID: "p", Number: 1, Previous: day(2026, 4, 1), Timings: DefaultTimings()},
		)
		arApply(a, rulesNow, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: c.meeting, Transfer: c.transfer})
		arApply(a, c.meeting, AnnualReviewEvent{Type: ARMeetingHeld})
		arApply(a, c.meeting, AnnualReviewEvent{Type: ARReportSent})
		arApply(a, day(2027, 3, 10), AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
		var amended time.Time
		for _, st := range a.Steps() {
			if st.Kind == ARAmendDue {
				amended = st.Due
			}
		}
		if a.Transfer != c.transfer || a.TransferYear != c.year || dateWords(amended) != c.want {
			t.Errorf(
				"%q: transfer %q in %d, amended plan due %s; want %s",
				c.transfer,
				a.Transfer,
				a.TransferYear,
				dateWords(amended),
				c.want,
			)
		}
	}
}

func TestRulesAnnualReviewFinished(t *testing.T) {
	held := day(2026, 10, 30)
	s := pathwayAt(StageEHCPlan)
	s.PlanIssuedAt = ptr(day(2025, 11, 2))
	ev := s.ApplyAnnualReviewFinished(AnnualReviewFinished{Number: 1, MeetingAt: held}, rulesNow)
	if s.Stage != StageEHCPlan || !slices.Equal(s.Meetings, []time.Time{held}) ||
		ev.Summary != "Annual review 1 is complete. The next is due by 30 October 2027." {
		t.Errorf("kept: %s %v %q", s.Stage, s.Meetings, ev.Summary)
	}
	ev = s.ApplyAnnualReviewFinished(AnnualReviewFinished{Number: 2, MeetingAt: held, Ceased: true}, rulesNow)
	if s.Stage != StageSENSupport || s.PlanIssuedAt != nil || ev.Kind != "ehc_plan_ceased" {
		t.Errorf("ceased: %s %v %s", s.Stage, s.PlanIssuedAt, ev.Kind)
	}
}
