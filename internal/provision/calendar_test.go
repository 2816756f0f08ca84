package provision

import (
	"strings"
	"testing"
	"time"
)

// The demo school's autumn 2026: half-term 26–30 October, and a training day on Monday 2 November.
var autumn = Calendar{
	{First: day("2026-10-26"), Last: day("2026-10-30"), Name: "October half-term"},
	{First: day("2026-11-02"), Last: day("2026-11-02"), Name: "Training day"},
}

func TestSchoolDays(t *testing.T) {
	for _, tc := range []struct {
		monday string
		want   int
	}{
		{"2026-10-19", 5}, // a whole school week
		{"2026-10-26", 0}, // half-term
		{"2026-11-02", 4}, // the training day
		{"2026-12-21", 5}, // no closures recorded: open (a calendar says what it knows)
	} {
		if got := autumn.SchoolDays(day(tc.monday)); got != tc.want {
			t.Errorf("SchoolDays(%s) = %d, want %d", tc.monday, got, tc.want)
		}
	}
	if got := (Calendar{{First: day("2026-12-21"), Last: day("2027-01-01")}}).SchoolDays(day("2026-12-28")); got != 0 {
		t.Errorf("a holiday across the new year: %d school days", got)
	}
}

// Holidays are not shortfalls: a week wholly in a holiday is not judged, so "two weeks running"
// means two school weeks running, and a short week promises its share of the sessions.
func TestBehindSkipsHolidays(t *testing.T) {
	weeks := CompleteWeeks(day("2026-10-12"), day("2026-11-12")) // 12, 19, 26 Oct; 2 Nov
	logs := func(ds ...string) []time.Time {
		var out []time.Time
		for _, d := range ds {
			out = append(out, day(d))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		cal    Calendar
		logged []time.Time
		behind bool
	}{
		// 3 a week, all delivered before half-term; nothing in half-term; 3 in the 4-day week.
		{"half-term is not a poor week", autumn,
			logs("2026-10-12", "2026-10-14", "2026-10-16", "2026-10-19", "2026-10-21", "2026-10-23", "2026-11-03", "2026-11-04", "2026-11-05"), false},
		{"the weeks either side of half-term run together", autumn,
			logs("2026-10-12", "2026-10-14", "2026-10-16", "2026-10-19", "2026-11-03"), true},
		// The 4-day week promises 3 × 4/5 = 2.4; 2 logged is 83%: not below 80%.
		{"a short week promises its share", autumn,
			logs("2026-10-12", "2026-10-14", "2026-10-16", "2026-10-19", "2026-11-03", "2026-11-04"), false},
		{"one poor week either side of half-term is one poor week", autumn,
			logs("2026-10-12", "2026-10-14", "2026-10-16", "2026-10-19", "2026-10-21", "2026-10-23"), false},
	} {
		got := Behind(Count(weeks, 3, tc.logged, tc.cal), 0.8)
		if got.Behind != tc.behind {
			t.Errorf("%s: Behind = %v (%s), want %v", tc.name, got.Behind, got.Reason, tc.behind)
		}
	}
	// Without term dates, half-term empty after an empty week is flagged; with them it is not.
	empty := logs("2026-10-12", "2026-10-14", "2026-10-16", "2026-11-03", "2026-11-04", "2026-11-05")
	if !Behind(Count(weeks[:3], 3, empty, nil), 0.8).Behind {
		t.Error("without term dates, an empty week and an empty half-term were not flagged")
	}
	if Behind(Count(weeks[:3], 3, empty, autumn), 0.8).Behind {
		t.Error("half-term was judged as a school week")
	}
	got := Behind(Count(weeks, 3, logs("2026-10-19", "2026-11-03"), autumn), 0.8)
	if !strings.Contains(got.Reason, "school weeks of 19 October and 2 November") || !strings.Contains(got.Reason, "2.4") {
		t.Errorf("reason %q: want the two school weeks judged and the short week's promise", got.Reason)
	}
}

func TestNewlyBehind(t *testing.T) {
	line := func(pupil string, cycle, index int) Line { return Line{PupilID: pupil, Cycle: cycle, Index: index} }
	for _, tc := range []struct {
		name        string
		now, before []Line
		want        []Line
		pupils      int
	}{
		{"nothing behind", nil, nil, nil, 0},
		{"newly behind", []Line{line("a", 1, 0), line("a", 1, 1), line("b", 2, 0)}, nil,
			[]Line{line("a", 1, 0), line("a", 1, 1), line("b", 2, 0)}, 2},
		{"still behind is not new", []Line{line("a", 1, 0)}, []Line{line("a", 1, 0)}, nil, 0},
		{"another entry of the same plan is new", []Line{line("a", 1, 0), line("a", 1, 1)}, []Line{line("a", 1, 0)},
			[]Line{line("a", 1, 1)}, 1},
		{"the next cycle's plan is new", []Line{line("a", 2, 0)}, []Line{line("a", 1, 0)}, []Line{line("a", 2, 0)}, 1},
		{"caught up is not news", nil, []Line{line("a", 1, 0)}, nil, 0},
	} {
		got := NewlyBehind(tc.now, tc.before)
		if len(got) != len(tc.want) {
			t.Errorf("%s: NewlyBehind = %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i].PupilID != tc.want[i].PupilID || got[i].Cycle != tc.want[i].Cycle || got[i].Index != tc.want[i].Index {
				t.Errorf("%s: NewlyBehind = %+v, want %+v", tc.name, got, tc.want)
			}
		}
		if n := PupilsIn(got); n != tc.pupils {
			t.Errorf("%s: %d pupils, want %d", tc.name, n, tc.pupils)
		}
	}
}

func TestCalendarCheck(t *testing.T) {
	cl := func(first, last, name string) Closure { return Closure{First: day(first), Last: day(last), Name: name} }
	for _, tc := range []struct {
		name string
		cal  Calendar
		want []Problem
	}{
		{"the demo's autumn", autumn, nil},
		{"one day", Calendar{cl("2027-05-03", "2027-05-03", "Bank holiday")}, nil},
		{"ends before it starts", Calendar{cl("2027-02-19", "2027-02-15", "Half-term")},
			[]Problem{{0, "last", "is before the first day"}}},
		{"a year too long", Calendar{cl("2026-12-21", "2027-12-31", "Christmas")},
			[]Problem{{0, "last", "makes the closure longer than 70 days"}}},
		{"no name", Calendar{cl("2026-12-21", "2027-01-01", " ")},
			[]Problem{{0, "name", "is empty: say what the closure is, e.g. October half-term"}}},
		{"overlapping", Calendar{cl("2026-12-21", "2027-01-01", "Christmas"), cl("2027-01-01", "2027-01-04", "Training")},
			[]Problem{{1, "first", "overlaps Christmas (21 December 2026 to 1 January 2027)"}}},
		{"touching is fine", Calendar{cl("2026-12-21", "2027-01-01", "Christmas"), cl("2027-01-02", "2027-01-04", "Training")}, nil},
	} {
		got := tc.cal.Check()
		if len(got) != len(tc.want) {
			t.Errorf("%s: Check = %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: Check = %+v, want %+v", tc.name, got, tc.want)
			}
		}
	}
}
