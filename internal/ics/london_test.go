package ics

import (
	"testing"
	"time"
	_ "time/tzdata"
)

// The wall-clock times Build writes come from londonOffset; check it against
// Go's tz database every 15 minutes from 1997 to 2045.
func TestLondonOffsetMatchesTZDatabase(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC)
	for u := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC); u.Before(end); u = u.Add(15 * time.Minute) {
		local := u.In(london)
		_, off := local.Zone()
		if got := londonOffset(u); got != time.Duration(off)*time.Second {
			t.Fatalf("%s: londonOffset %s, tz database %ds", u.Format(time.RFC3339), got, off)
		}
		w := londonWall(u)
		if w.Format(localFormat) != local.Format(localFormat) {
			t.Fatalf("%s: wall %s, tz database %s", u, w.Format(localFormat), local.Format(localFormat))
		}
		// The repeated hour is 01:00-01:59 local on the last Sunday of October.
		want := local.Month() == time.October && local.Hour() == 1 &&
			local.Weekday() == time.Sunday && local.Day() > 31-7
		if got := ambiguousLondonWall(w); got != want {
			t.Fatalf("%s (local %s): ambiguous = %v, want %v", u, local, got, want)
		}
	}
}
