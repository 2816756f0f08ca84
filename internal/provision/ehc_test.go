package provision

import (
	"strings"
	"testing"
	"time"
)

// An issued EHC plan's provision is tracked as a support plan's is (the same delivery rule), at
// the sessions a week section F promises, and marked as EHC plan provision: its shortfall is
// said to be a statutory matter; a support plan's is not.
func TestBuildEHCPlanProvision(t *testing.T) {
	cat, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	cats := Catalogues{cat.Version: cat}
	today := day("2026-09-30") // a Wednesday: the weeks of 14 and 21 September are the last complete
	sessions := func(days ...string) []time.Time {
		var out []time.Time
		for _, d := range days {
			out = append(out, day(d))
		}
		return out
	}
	ehc := func(e Entry, logged []time.Time) PupilPlan {
		return PupilPlan{PupilID: "p", Pupil: "Nia", Class: "Oak", EHC: true, Agreed: day("2026-09-07"),
			Entries: []Entry{e}, Logged: map[int][]time.Time{0: logged}}
	}
	twoAWeek := sessions("2026-09-07", "2026-09-08", "2026-09-14", "2026-09-15", "2026-09-21", "2026-09-22")
	oneAWeek := sessions("2026-09-07", "2026-09-14", "2026-09-21")
	for _, tc := range []struct {
		name       string
		plan       PupilPlan
		costed     bool
		yearPounds string
		frequency  string
		behind     bool
	}{
		{"catalogue item at section F's 2 a week, given twice a week",
			ehc(Entry{ID: "i1", ItemID: "talk-boost", CatalogueVersion: cat.Version, SessionsPerWeek: 2}, twoAWeek),
			true, "175.50", "2 × 30 min a week, group of 4", false},
		{"catalogue item at section F's 2 a week, given once a week",
			ehc(Entry{ID: "i1", ItemID: "talk-boost", CatalogueVersion: cat.Version, SessionsPerWeek: 2}, oneAWeek),
			true, "175.50", "2 × 30 min a week, group of 4", true},
		{"catalogue item at its own 3 a week when section F says no number, given twice a week",
			ehc(Entry{ID: "i1", ItemID: "talk-boost", CatalogueVersion: cat.Version}, twoAWeek),
			true, "263.25", "3 × 30 min a week, group of 4", true},
		{"words, 1 a week, given weekly",
			ehc(Entry{ID: "i2", Text: "Speech and language therapy", SessionsPerWeek: 1}, oneAWeek),
			false, "0.00", "", false},
		{"words, 1 a week, nothing given",
			ehc(Entry{ID: "i2", Text: "Speech and language therapy", SessionsPerWeek: 1}, nil),
			false, "0.00", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Build([]PupilPlan{tc.plan}, cats, nil, today)
			if len(m.Lines) != 1 {
				t.Fatalf("%d lines", len(m.Lines))
			}
			l := m.Lines[0]
			if !l.EHC || l.EntryID != tc.plan.Entries[0].ID {
				t.Errorf("line not marked as EHC plan provision item %s: %+v", tc.plan.Entries[0].ID, l)
			}
			if l.Costed != tc.costed || l.Cost.Year.Pounds() != tc.yearPounds || m.School.Cost.Year.Pounds() != tc.yearPounds {
				t.Errorf("costed %v at %s a year (school %s), want %v at %s", l.Costed, l.Cost.Year.Pounds(),
					m.School.Cost.Year.Pounds(), tc.costed, tc.yearPounds)
			}
			if tc.frequency != "" && l.Frequency != tc.frequency {
				t.Errorf("frequency %q, want %q", l.Frequency, tc.frequency)
			}
			if l.Shortfall.Behind != tc.behind || (len(m.Behind) == 1) != tc.behind {
				t.Errorf("behind = %v (%s), want %v", l.Shortfall.Behind, l.Shortfall.Reason, tc.behind)
			}
			if said := strings.Contains(l.Delivered(), "statutory matter"); said != tc.behind {
				t.Errorf("delivery in words %q: statutory matter said %v, want %v", l.Delivered(), said, tc.behind)
			}
		})
	}
	// A support plan's shortfall is not called statutory.
	sup := ehc(Entry{ItemID: "talk-boost", CatalogueVersion: cat.Version, SessionsPerWeek: 2}, oneAWeek)
	sup.EHC, sup.Cycle = false, 1
	l := Build([]PupilPlan{sup}, cats, nil, today).Lines[0]
	if !l.Shortfall.Behind || l.EHC || strings.Contains(l.Shortfall.Reason, "statutory") {
		t.Errorf("support plan line = %+v", l)
	}
}

func TestEHCItemKey(t *testing.T) {
	for _, tc := range []struct {
		a, b [2]string
		same bool
	}{
		{[2]string{"talk-boost", ""}, [2]string{"talk-boost", "Talk Boost"}, true},
		{[2]string{"", "Speech and language therapy"}, [2]string{"", "  speech and  Language therapy "}, true},
		{[2]string{"", "Speech therapy"}, [2]string{"", "Occupational therapy"}, false},
		{[2]string{"talk-boost", ""}, [2]string{"", "talk-boost"}, false},
	} {
		if got := EHCItemKey(tc.a[0], tc.a[1]) == EHCItemKey(tc.b[0], tc.b[1]); got != tc.same {
			t.Errorf("%v and %v the same: %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
