package workflows

import (
	"strings"
	"testing"
	"time"
)

func ptr(t time.Time) *time.Time { return &t }

// at builds a UTC time within a day, for pauses that do not start or end at midnight.
func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func dateStr(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }

type dueCase struct {
	m    EHCMilestone
	want time.Time // zero: does not apply
}

func checkDue(t *testing.T, name string, c EHCClock, now time.Time, cases []dueCase) {
	t.Helper()
	tm := DefaultTimings()
	for _, dc := range cases {
		got, ok := c.Due(dc.m, tm, now)
		if dc.want.IsZero() {
			if ok {
				t.Errorf("%s: %s due %s, want not applicable", name, dc.m, dateStr(got))
			}
			continue
		}
		if !ok || !got.Equal(dc.want) {
			t.Errorf("%s: %s due %s (ok=%v), want %s", name, dc.m, dateStr(got), ok, dateStr(dc.want))
		}
	}
}

func TestEHCClockNoPauses(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	now := day(2026, 3, 1)
	checkDue(t, "no pauses", c, now, []dueCase{
		{MilestoneDecisionToAssess, day(2026, 2, 16)},
		{MilestoneAdvice, time.Time{}},
		{MilestoneNoticeNotToIssue, day(2026, 4, 27)},
		{MilestoneDraftComments, time.Time{}},
		{MilestoneFinalPlan, day(2026, 5, 25)},
		{EHCMilestone("ehc_plan_party"), time.Time{}},
	})
	for _, m := range EHCMilestones() {
		a, okA := c.Due(m, DefaultTimings(), now)
		b, okB := c.DueWithoutExceptions(m, DefaultTimings())
		if okA != okB || !a.Equal(b) {
			t.Errorf("%s: with no pauses Due %s and DueWithoutExceptions %s differ", m, a, b)
		}
	}
	if c.Paused() || c.PausedFor(now) != 0 {
		t.Error("a clock with no pauses reports paused time")
	}
}

func TestEHCClockNotStarted(t *testing.T) {
	var c EHCClock
	if _, ok := c.Due(MilestoneFinalPlan, DefaultTimings(), day(2026, 1, 1)); ok {
		t.Error("a clock with no request date has a due date")
	}
	if err := c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 1, 1)); err == nil {
		t.Error("paused a clock with no request date")
	}
}

func TestEHCClockClosedPause(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	if err := c.Pause(ExceptionAbsentFromArea4Weeks, day(2026, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if !c.Paused() {
		t.Fatal("not paused after Pause")
	}
	if err := c.Resume(day(2026, 2, 23)); err != nil {
		t.Fatal(err)
	}
	if c.Paused() {
		t.Fatal("still paused after Resume")
	}
	if got := c.PausedFor(day(2026, 6, 1)); got != 21*24*time.Hour {
		t.Errorf("PausedFor = %s, want 504h", got)
	}
	// 3 weeks paused: every limit running at the time moves 21 days.
	checkDue(t, "3-week pause", c, day(2026, 6, 1), []dueCase{
		{MilestoneDecisionToAssess, day(2026, 3, 9)},
		{MilestoneNoticeNotToIssue, day(2026, 5, 18)},
		{MilestoneFinalPlan, day(2026, 6, 15)},
	})
	raw, _ := c.DueWithoutExceptions(MilestoneFinalPlan, DefaultTimings())
	if !raw.Equal(day(2026, 5, 25)) {
		t.Errorf("raw final plan = %s", dateStr(raw))
	}
}

func TestEHCClockOpenPauseCountsToNow(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	if err := c.Pause(ExceptionPersonalCircumstances, day(2026, 2, 2)); err != nil {
		t.Fatal(err)
	}
	checkDue(t, "open 10 days", c, day(2026, 2, 12), []dueCase{
		{MilestoneDecisionToAssess, day(2026, 2, 26)},
		{MilestoneFinalPlan, day(2026, 6, 4)},
	})
	// 2 days 6 hours paused is 2 whole days: 2 and 3 February (the whole-day rule).
	if got := c.PausedFor(at(2026, 2, 4, 6)); got != 54*time.Hour {
		t.Errorf("PausedFor = %s, want 54h", got)
	}
	checkDue(t, "open 2d6h", c, at(2026, 2, 4, 6), []dueCase{
		{MilestoneFinalPlan, day(2026, 5, 27)},
	})
	// Before the pause began, nothing has been paused yet.
	checkDue(t, "before pause", c, day(2026, 1, 20), []dueCase{
		{MilestoneFinalPlan, day(2026, 5, 25)},
	})
}

func TestEHCClockTwoPauses(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	steps := []error{
		c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 1, 12)),
		c.Resume(day(2026, 1, 19)),
		c.Pause(ExceptionPersonalCircumstances, day(2026, 1, 19)), // may start the day the last ended
		c.Resume(at(2026, 1, 20, 12)),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	// 12 to 19 January is 7 days; 19 January to noon on 20 January is 1 day: 8 in all.
	checkDue(t, "two pauses", c, day(2026, 6, 1), []dueCase{
		{MilestoneFinalPlan, day(2026, 6, 2)},
	})
}

func TestEHCClockPauseRefusals(t *testing.T) {
	base := func() EHCClock {
		c := EHCClock{RequestedAt: day(2026, 1, 5)}
		_ = c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 2, 2))
		_ = c.Resume(day(2026, 3, 2))
		return c
	}
	cases := []struct {
		name    string
		act     func(c *EHCClock) error
		mention string
	}{
		{"invalid reason", func(c *EHCClock) error { return c.Pause("holiday", day(2026, 3, 10)) }, `"holiday"`},
		{"empty reason", func(c *EHCClock) error { return c.Pause("", day(2026, 3, 10)) }, "exceptions the law allows"},
		{
			"before request",
			func(c *EHCClock) error { return c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 1, 4)) },
			"4 January 2026",
		},
		{
			"before last pause ended",
			func(c *EHCClock) error { return c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 3, 1)) },
			"2 March 2026",
		},
		{"paused twice", func(c *EHCClock) error {
			if err := c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 3, 10)); err != nil {
				t.Fatal(err)
			}
			return c.Pause(ExceptionAbsentFromArea4Weeks, day(2026, 3, 12))
		}, "has been paused since 10 March 2026"},
		{"resume without pause", func(c *EHCClock) error { return c.Resume(day(2026, 3, 10)) }, "not paused"},
		{"resume before pause start", func(c *EHCClock) error {
			if err := c.Pause(ExceptionSchoolClosed4Weeks, day(2026, 3, 10)); err != nil {
				t.Fatal(err)
			}
			return c.Resume(day(2026, 3, 9))
		}, "10 March 2026"},
	}
	for _, tc := range cases {
		c := base()
		err := tc.act(&c)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: error %q does not mention %s", tc.name, err, tc.mention)
		}
		if !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("%s: %q is not a sentence", tc.name, err)
		}
	}
	// A refused pause leaves the clock as it was.
	c := base()
	_ = c.Pause("holiday", day(2026, 3, 10))
	if len(c.Pauses) != 1 || c.Paused() {
		t.Errorf("refused pause changed the clock: %+v", c.Pauses)
	}
}

func TestEHCClockAdviceFromItsRequest(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	// A pause before the LA asked for advice does not extend the advice limit.
	_ = c.Pause(ExceptionPersonalCircumstances, day(2026, 2, 2))
	_ = c.Resume(day(2026, 2, 9))
	c.AdviceRequestedAt = ptr(day(2026, 2, 20))
	now := day(2026, 6, 1)
	checkDue(t, "advice", c, now, []dueCase{
		{MilestoneAdvice, day(2026, 4, 3)},
		{MilestoneFinalPlan, day(2026, 6, 1)},
	})
	// A pause overlapping the request counts only from the request: 20 Feb to 2 Mar is 10 days.
	c2 := EHCClock{RequestedAt: day(2026, 1, 5), AdviceRequestedAt: ptr(day(2026, 2, 20))}
	_ = c2.Pause(ExceptionAbsentFromArea4Weeks, day(2026, 2, 16))
	_ = c2.Resume(day(2026, 3, 2))
	checkDue(t, "advice overlap", c2, now, []dueCase{
		{MilestoneAdvice, day(2026, 4, 13)},
		{MilestoneFinalPlan, day(2026, 6, 8)},
	})
}

func TestEHCClockDraftComments(t *testing.T) {
	// 15 days beginning with the day the draft was issued: 20 April to 4 May; the final plan
	// may be issued from 5 May.
	c := EHCClock{RequestedAt: day(2026, 1, 5), DraftIssuedAt: ptr(at(2026, 4, 20, 16))}
	checkDue(t, "draft", c, day(2026, 6, 1), []dueCase{{MilestoneDraftComments, day(2026, 5, 4)}})
	if from, ok := c.FinalPlanFrom(DefaultTimings()); !ok || !from.Equal(day(2026, 5, 5)) {
		t.Errorf("final plan from %s", dateStr(from))
	}
	longer := DefaultTimings()
	longer.EHC.DraftCommentPeriod = Span{Days: 21}
	if got, _ := c.Due(MilestoneDraftComments, longer, day(2026, 6, 1)); !got.Equal(day(2026, 5, 10)) {
		t.Errorf("21-day comment period ends %s", dateStr(got))
	}
}

// A pause that starts after a deadline has passed cannot make that deadline met.
func TestEHCClockPauseAfterDeadlineDoesNotRescueIt(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	_ = c.Pause(ExceptionPersonalCircumstances, day(2026, 3, 2))
	_ = c.Resume(day(2026, 3, 30))
	checkDue(t, "late pause", c, day(2026, 6, 1), []dueCase{
		{MilestoneDecisionToAssess, day(2026, 2, 16)},
		{MilestoneFinalPlan, day(2026, 6, 22)},
	})
	// A pause starting on the due date itself still counts: the deadline had not yet passed.
	c2 := EHCClock{RequestedAt: day(2026, 1, 5)}
	_ = c2.Pause(ExceptionPersonalCircumstances, at(2026, 2, 16, 9))
	_ = c2.Resume(at(2026, 2, 23, 9))
	checkDue(t, "pause on due date", c2, day(2026, 6, 1), []dueCase{
		{MilestoneDecisionToAssess, day(2026, 2, 23)},
	})
}

func TestEHCClockAlertAt(t *testing.T) {
	c := EHCClock{RequestedAt: day(2026, 1, 5)}
	cases := []struct {
		m    EHCMilestone
		want time.Time
	}{
		{MilestoneDecisionToAssess, day(2026, 2, 2)},
		{MilestoneFinalPlan, day(2026, 5, 11)},
	}
	for _, tc := range cases {
		got, ok := c.AlertAt(tc.m, DefaultTimings(), day(2026, 1, 5))
		if !ok || !got.Equal(DayStarts(tc.want)) { // the start of the day in London
			t.Errorf("AlertAt(%s) = %s, %v; want %s", tc.m, dateStr(got), ok, dateStr(tc.want))
		}
	}
	if _, ok := c.AlertAt(MilestoneAdvice, DefaultTimings(), day(2026, 1, 5)); ok {
		t.Error("alert for advice not yet requested")
	}
}

func TestEHCClockTimeliness(t *testing.T) {
	paused := EHCClock{RequestedAt: day(2026, 1, 5)}
	_ = paused.Pause(ExceptionSchoolClosed4Weeks, day(2026, 2, 2))
	_ = paused.Resume(day(2026, 2, 23))
	plain := EHCClock{RequestedAt: day(2026, 1, 5)}
	cases := []struct {
		name          string
		c             EHCClock
		m             EHCMilestone
		done          time.Time
		withEx, rawOK bool
	}{
		{"on the raw date", plain, MilestoneFinalPlan, day(2026, 5, 25), true, true},
		{"late in the day on the raw date", plain, MilestoneFinalPlan, at(2026, 5, 25, 22), true, true},
		{"23:00 UTC in summer is the next day in London", plain, MilestoneFinalPlan, at(2026, 5, 25, 23), false, false},
		{"a day late", plain, MilestoneFinalPlan, day(2026, 5, 26), false, false},
		{"late but for the pause", paused, MilestoneFinalPlan, day(2026, 6, 10), true, false},
		{"on the extended date", paused, MilestoneFinalPlan, day(2026, 6, 15), true, false},
		{"late even with the pause", paused, MilestoneFinalPlan, day(2026, 6, 16), false, false},
		{"early", paused, MilestoneDecisionToAssess, day(2026, 1, 30), true, true},
		{"advice not requested", paused, MilestoneAdvice, day(2026, 3, 1), false, false},
	}
	for _, tc := range cases {
		withEx, raw := tc.c.Timeliness(tc.m, tc.done, DefaultTimings())
		if withEx != tc.withEx || raw != tc.rawOK {
			t.Errorf("%s: Timeliness = (%v, %v), want (%v, %v)", tc.name, withEx, raw, tc.withEx, tc.rawOK)
		}
	}
	// Timeliness counts pauses only up to when the milestone was met.
	open := EHCClock{RequestedAt: day(2026, 1, 5)}
	_ = open.Pause(ExceptionPersonalCircumstances, day(2026, 2, 2))
	if w, r := open.Timeliness(MilestoneDecisionToAssess, day(2026, 2, 20), DefaultTimings()); !w || r {
		t.Errorf("decision during a pause: Timeliness = (%v, %v), want (true, false)", w, r)
	}
}

// Across a clock change a pause of whole days is 1 hour short or long in real time; the
// extension is still the number of calendar days.
func TestEHCClockPauseAcrossClockChange(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	d := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, london) }
	cases := []struct {
		from, to, want time.Time
	}{
		// Clocks go back on 25 October 2026: 21 days + 1 hour of real time.
		// Requested 2 October 2026: raw final plan 19 February 2027, + 21 days.
		{d(2026, 10, 16), d(2026, 11, 6), d(2027, 3, 12)},
		// Clocks go forward on 29 March 2026: 21 days - 1 hour.
		// Requested 6 March 2026: raw final plan 24 July 2026, + 21 days.
		{d(2026, 3, 20), d(2026, 4, 10), d(2026, 8, 14)},
	}
	for _, tc := range cases {
		c := EHCClock{RequestedAt: tc.from.AddDate(0, 0, -14)}
		_ = c.Pause(ExceptionSchoolClosed4Weeks, tc.from)
		_ = c.Resume(tc.to)
		got, _ := c.Due(MilestoneFinalPlan, DefaultTimings(), tc.to)
		if !CalendarDate(got).Equal(CalendarDate(tc.want)) {
			t.Errorf(
				"pause %s..%s: final plan %s, want %s",
				dateStr(tc.from),
				dateStr(tc.to),
				dateStr(got),
				dateStr(tc.want),
			)
		}
	}
}

func TestEHCReasonsAndMilestones(t *testing.T) {
	for _, r := range ExceptionReasons() {
		if !r.Valid() || r.Describe() == string(r) || !strings.HasSuffix(r.Describe(), ".") {
			t.Errorf("%s: Valid=%v Describe=%q", r, r.Valid(), r.Describe())
		}
	}
	if ExceptionSchoolClosed4Weeks.Describe() != "The school was closed for 4 weeks or more." {
		t.Errorf("school closed = %q", ExceptionSchoolClosed4Weeks.Describe())
	}
	for _, r := range []ExceptionReason{"", "holiday", "School_Closed_4_Weeks"} {
		if r.Valid() {
			t.Errorf("%q valid", r)
		}
	}
	for _, m := range EHCMilestones() {
		if !m.Valid() || m.Describe() == string(m) {
			t.Errorf("%s: Valid=%v Describe=%q", m, m.Valid(), m.Describe())
		}
	}
	if EHCMilestone("final").Valid() {
		t.Error(`"final" valid`)
	}
}
