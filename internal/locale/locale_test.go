package locale

import (
	"slices"
	"testing"
	"time"
)

// A preference or a browser's Accept-Language picks a language sendflow has, whatever its case
// or region; anything else gets English.
func TestPicking(t *testing.T) {
	for pref, want := range map[string]string{"pl": "pl", "pl-PL": "pl", " PL ": "pl", "pl_PL": "pl", "en-GB": "en", "ur": "en", "": "en"} {
		if got := For(pref).Tag; got != want {
			t.Errorf("For(%q) = %s, want %s", pref, got, want)
		}
	}
	for h, want := range map[string]string{"pl-PL,pl;q=0.9,en;q=0.8": "pl", "de-DE, pl;q=0.5": "pl", "fr": "en", "": "en"} {
		if got := FromHeader(h).Tag; got != want {
			t.Errorf("FromHeader(%q) = %s, want %s", h, got, want)
		}
	}
	// Base keeps a language sendflow lacks (an email's stored language is what the parent chose).
	for pref, want := range map[string]string{"ur-PK": "ur", "PL_pl": "pl", " ": "en"} {
		if got := Base(pref); got != want {
			t.Errorf("Base(%q) = %s, want %s", pref, got, want)
		}
	}
	if got := Tags(); !slices.Equal(got, []string{"en", "pl"}) {
		t.Errorf("Tags() = %v, want [en pl]", got)
	}
	if !Has("pl") || Has("pl-PL") || Has("ur") {
		t.Error("Has answers for the wrong tags")
	}
}

// Dates and times of day are written in the language, on the UK's clock: an instant in summer is
// an hour ahead of UTC, a calendar date kept as midnight UTC stays its day.
func TestDatesInWords(t *testing.T) {
	summer := time.Date(2027, time.June, 15, 9, 30, 0, 0, time.UTC) // 10:30 BST
	winter := time.Date(2027, time.January, 12, 10, 0, 0, 0, time.UTC)
	if got := English.Date(summer) + " " + English.Clock(summer); got != "Tuesday 15 June 2027 10:30" {
		t.Errorf("en = %q", got)
	}
	if got := Polish.Date(winter) + " " + Polish.Clock(winter); got != "wtorek, 12 stycznia 2027 10:00" {
		t.Errorf("pl = %q", got)
	}
	lateInSummer := time.Date(2027, time.June, 15, 23, 30, 0, 0, time.UTC) // already the 16th in London
	if got := English.ShortDate(lateInSummer); got != "16 June 2027" {
		t.Errorf("ShortDate at 23:30 UTC in June = %q, want the London day, 16 June 2027", got)
	}
	review := time.Date(2027, time.March, 20, 0, 0, 0, 0, time.UTC)
	if got := Polish.ShortCalendarDate(review); got != "20 marca 2027" {
		t.Errorf("pl ShortCalendarDate = %q", got)
	}
	if got := English.CalendarDate(review); got != "Saturday 20 March 2027" {
		t.Errorf("en CalendarDate = %q", got)
	}
}

func TestCount(t *testing.T) {
	if got := Count(1, "day", "days") + ", " + Count(0, "day", "days") + ", " + Count(3, "day", "days"); got != "1 day, 0 days, 3 days" {
		t.Errorf("Count = %q", got)
	}
}
