package workflows

import (
	"testing"
	"time"
)

func TestAcademicYear(t *testing.T) {
	cases := []struct {
		t     time.Time
		start int
		label string
	}{
		{day(2026, 8, 31), 2025, "2025/26"},
		{day(2026, 9, 1), 2026, "2026/27"},
		{time.Date(2026, 8, 31, 23, 59, 59, 0, time.UTC), 2025, "2025/26"},
		{day(2026, 12, 31), 2026, "2026/27"},
		{day(2027, 1, 1), 2026, "2026/27"},
		{day(2027, 8, 31), 2026, "2026/27"},
		{day(2027, 9, 1), 2027, "2027/28"},
		{day(1999, 9, 1), 1999, "1999/00"},
		{day(2009, 9, 1), 2009, "2009/10"},
	}
	for _, c := range cases {
		if got := AcademicYearStart(c.t); got != c.start {
			t.Errorf("AcademicYearStart(%s) = %d, want %d", dateStr(c.t), got, c.start)
		}
		if got := AcademicYearLabel(c.t); got != c.label {
			t.Errorf("AcademicYearLabel(%s) = %q, want %q", dateStr(c.t), got, c.label)
		}
	}
	start, end := AcademicYearBounds(day(2027, 3, 1))
	if !start.Equal(day(2026, 9, 1)) || !end.Equal(day(2027, 9, 1)) {
		t.Errorf("AcademicYearBounds = %s, %s", dateStr(start), dateStr(end))
	}
}

func TestParentMeetingsWarning(t *testing.T) {
	now := day(2026, 11, 10) // academic year 2026/27
	cases := []struct {
		name     string
		meetings []time.Time
		count    int
		warn     bool
	}{
		{"none", nil, 0, true},
		{"two", []time.Time{day(2026, 10, 1), day(2027, 2, 1)}, 2, true},
		{"three", []time.Time{day(2026, 10, 1), day(2027, 2, 1), day(2027, 6, 1)}, 3, false},
		{
			"last year's not counted",
			[]time.Time{day(2026, 6, 1), day(2026, 8, 31), day(2026, 9, 1), day(2027, 2, 1)},
			2,
			true,
		},
		{"next year's not counted", []time.Time{day(2026, 9, 1), day(2027, 8, 31), day(2027, 9, 1)}, 2, true},
		{"zero time ignored", []time.Time{{}, day(2026, 10, 1), day(2027, 2, 1), day(2027, 6, 1)}, 3, false},
	}
	for _, c := range cases {
		count, warn := ParentMeetingsWarning(c.meetings, now, 3)
		if count != c.count || warn != c.warn {
			t.Errorf("%s: = (%d, %v), want (%d, %v)", c.name, count, warn, c.count, c.warn)
		}
	}
	if _, warn := ParentMeetingsWarning([]time.Time{day(2026, 10, 1), day(2027, 2, 1)}, now, 2); warn {
		t.Error("2 meetings warned against a minimum of 2")
	}
}

// A meeting stored in UTC late on 31 August is on 1 September in London: next year's meeting.
func TestParentMeetingsReadInSchoolZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	meeting := time.Date(2026, 8, 31, 23, 30, 0, 0, time.UTC)
	if n, _ := ParentMeetingsWarning([]time.Time{meeting}, time.Date(2026, 10, 1, 12, 0, 0, 0, london), 3); n != 1 {
		t.Errorf("counted %d in 2026/27, want 1", n)
	}
	if n, _ := ParentMeetingsWarning([]time.Time{meeting}, time.Date(2026, 7, 1, 12, 0, 0, 0, london), 3); n != 0 {
		t.Errorf("counted %d in 2025/26, want 0", n)
	}
}

func TestAppealDeadline(t *testing.T) {
	cases := []struct {
		name        string
		decision    time.Time
		certificate *time.Time
		want        time.Time
	}{
		{"no mediation", day(2026, 10, 1), nil, day(2026, 12, 1)},
		{"certificate later wins", day(2026, 10, 1), ptr(day(2026, 11, 29)), day(2026, 12, 29)},
		{"decision later wins", day(2026, 10, 1), ptr(day(2026, 10, 15)), day(2026, 12, 1)},
		{"equal", day(2026, 10, 1), ptr(day(2026, 11, 1)), day(2026, 12, 1)},
		{"month-end clamp", day(2026, 12, 31), nil, day(2027, 2, 28)},
		{"certificate month-end clamp", day(2026, 11, 1), ptr(day(2027, 1, 31)), day(2027, 2, 28)},
	}
	for _, c := range cases {
		if got := AppealDeadline(c.decision, c.certificate, DefaultTimings()); !got.Equal(c.want) {
			t.Errorf("%s: = %s, want %s", c.name, dateStr(got), dateStr(c.want))
		}
	}
}
