package workflows

import (
	"reflect"
	"testing"
	"time"
)

// Issue 17, items 1 and 7: statutory dates are calendar dates in Europe/London, and a pause
// counts the whole calendar days it covers — the day it starts, not the day the clock resumes.

// utc is an instant, written in UTC.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// onDate reports whether t falls on the date y-m-d in London.
func onDate(t time.Time, y int, m time.Month, d int) bool {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	ty, tm, td := t.In(loc).Date()
	return ty == y && tm == m && td == d
}

func TestPausesCountWholeLondonDays(t *testing.T) {
	// Requested 1 December 2026 at 10:00: decision by 12 January, final plan by 20 April 2027.
	requested := utc(2026, 12, 1, 10, 0)
	cases := []struct {
		name     string
		from, to time.Time // to zero: still paused at now
		now      time.Time
		decision [3]int // y, m, d of the decision's due date
		final    [3]int
	}{
		{
			"paused and resumed on the same day adds nothing",
			utc(2027, 1, 5, 9, 0),
			utc(2027, 1, 5, 17, 0),
			utc(2027, 3, 1, 0, 0),
			[3]int{2027, 1, 12},
			[3]int{2027, 4, 20},
		},
		{"33 days and 1 hour is 33 days", utc(2027, 1, 5, 10, 0), utc(2027, 2, 7, 11, 0), utc(2027, 3, 1, 0, 0),
			[3]int{2027, 2, 14}, [3]int{2027, 5, 23}},
		{
			"25 hours over two midnights is 2 days",
			utc(2027, 1, 4, 23, 30),
			utc(2027, 1, 6, 0, 30),
			utc(2027, 3, 1, 0, 0),
			[3]int{2027, 1, 14},
			[3]int{2027, 4, 22},
		},
		{"an open pause counts the days so far", utc(2027, 1, 5, 10, 0), time.Time{}, utc(2027, 1, 8, 9, 0),
			[3]int{2027, 1, 15}, [3]int{2027, 4, 23}},
		{"an open pause started today adds nothing yet", utc(2027, 1, 5, 10, 0), time.Time{}, utc(2027, 1, 5, 23, 0),
			[3]int{2027, 1, 12}, [3]int{2027, 4, 20}},
	}
	for _, c := range cases {
		clock := EHCClock{RequestedAt: requested}
		if err := clock.Pause(ExceptionPersonalCircumstances, c.from); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !c.to.IsZero() {
			if err := clock.Resume(c.to); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		for _, w := range []struct {
			m    EHCMilestone
			want [3]int
		}{{MilestoneDecisionToAssess, c.decision}, {MilestoneFinalPlan, c.final}} {
			got, ok := clock.Due(w.m, DefaultTimings(), c.now)
			if !ok || !onDate(got, w.want[0], time.Month(w.want[1]), w.want[2]) {
				t.Errorf("%s: %s due %s, want %d-%02d-%02d", c.name, w.m, dateStr(got), w.want[0], w.want[1], w.want[2])
			}
		}
	}
}

// In summer a UTC time late in the evening is already the next day in London: the pause below
// starts and ends on 16 June by the school's clock, so it adds nothing.
func TestPauseDaysAreLondonDays(t *testing.T) {
	clock := EHCClock{RequestedAt: utc(2027, 5, 3, 10, 0)} // final plan by 20 September 2027
	_ = clock.Pause(ExceptionSchoolClosed4Weeks, utc(2027, 6, 15, 23, 30))
	_ = clock.Resume(utc(2027, 6, 16, 22, 0))
	if got, _ := clock.Due(MilestoneFinalPlan, DefaultTimings(), utc(2027, 7, 1, 0, 0)); !onDate(got, 2027, 9, 20) {
		t.Errorf("final plan due %s, want 20 September 2027", dateStr(got))
	}
	// A request at 23:30 UTC on 15 June is made on 16 June in London: the decision is due
	// 6 weeks after 16 June.
	late := EHCClock{RequestedAt: utc(2027, 6, 15, 23, 30)}
	if got, _ := late.Due(MilestoneDecisionToAssess, DefaultTimings(), utc(2027, 6, 16, 0, 0)); !onDate(
		got,
		2027,
		7,
		28,
	) {
		t.Errorf("decision due %s, want 28 July 2027", dateStr(got))
	}
}

// The final plan may be issued at any time on the first day after the comment period, whatever
// the time of day the draft was issued.
func TestFinalPlanFromItsDate(t *testing.T) {
	e := newEHC()
	ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "")
	ehcApply(e, utc(2026, 11, 30, 15, 0), EHCDraftIssued, "")
	ev := EHCEvent{Type: EHCFinalPlanIssued, By: "la-1"}
	checkRule(
		t,
		"the last day of comments",
		e.ValidateEvent(ev, utc(2026, 12, 14, 23, 0)),
		"parents have until 14 December 2026 to comment on the draft (15 days, counting the day it was issued); the final plan can be issued from 15 December 2026",
	)
	checkRule(t, "early on the first day after", e.ValidateEvent(ev, utc(2026, 12, 15, 6, 0)), "")
}

// A deadline is missed once its whole day has passed in London: the alert goes at midnight,
// not a day later at the time of day the request was made.
func TestMissedAtTheEndOfTheDueDay(t *testing.T) {
	cases := []struct {
		name      string
		requested time.Time
		alertAt   time.Time // two weeks before the decision is due, at the start of the day
		missedAt  time.Time // the first moment after the due day
	}{
		{"winter, requested in the evening", utc(2026, 12, 1, 18, 0), utc(2026, 12, 29, 0, 0), utc(2027, 1, 13, 0, 0)},
		{
			"summer: London midnight is 23:00 UTC",
			utc(2027, 6, 1, 18, 0),
			utc(2027, 6, 28, 23, 0),
			utc(2027, 7, 13, 23, 0),
		},
	}
	for _, c := range cases {
		e := NewEHCState(EHCInput{RequestEHCNA: RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "s"},
			PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}, c.requested)
		if next, has := e.NextWake(c.requested); !has || !next.Equal(c.alertAt) {
			t.Errorf("%s: first wake %s, want the warning at %s", c.name, dateStr(next), dateStr(c.alertAt))
		}
		if alerts, _ := e.DueAlerts(c.alertAt); len(alerts) != 1 || alerts[0].Missed {
			t.Errorf("%s: at %s alerts %+v, want the warning", c.name, dateStr(c.alertAt), alerts)
		}
		if next, has := e.NextWake(c.alertAt); !has || !next.Equal(c.missedAt) {
			t.Errorf("%s: next wake %s, want the breach at %s", c.name, dateStr(next), dateStr(c.missedAt))
		}
		if alerts, _ := e.DueAlerts(c.missedAt.Add(-time.Second)); alerts != nil {
			t.Errorf("%s: breach flagged during the due day: %+v", c.name, alerts)
		}
		alerts, _ := e.DueAlerts(c.missedAt)
		if len(alerts) != 1 || !alerts[0].Missed || !reflect.DeepEqual(alerts[0].Milestone, MilestoneDecisionToAssess) {
			t.Errorf("%s: at %s alerts %+v, want the decision missed", c.name, dateStr(c.missedAt), alerts)
		}
	}
}
