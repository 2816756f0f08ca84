package workflows

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	origin := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		clock   Clock
		realAt  time.Time
		wantNow time.Time
		until   time.Time
		delay   time.Duration
	}{
		{
			"real time",
			Clock{origin, 1},
			origin.Add(time.Hour),
			origin.Add(time.Hour),
			origin.Add(2 * time.Hour),
			time.Hour,
		},
		{
			"zero scale means real time",
			Clock{origin, 0},
			origin.Add(time.Hour),
			origin.Add(time.Hour),
			origin.Add(2 * time.Hour),
			time.Hour,
		},
		{
			"a week per minute",
			Clock{origin, 10080},
			origin.Add(time.Minute),
			origin.Add(7 * 24 * time.Hour),
			origin.Add(14 * 24 * time.Hour),
			time.Minute,
		},
		{"past deadline", Clock{origin, 10080}, origin.Add(time.Minute), origin.Add(7 * 24 * time.Hour), origin, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.clock.Now(tc.realAt)
			if !now.Equal(tc.wantNow) {
				t.Errorf("Now = %s, want %s", now, tc.wantNow)
			}
			if d := tc.clock.Delay(now, tc.until); d != tc.delay {
				t.Errorf("Delay = %s, want %s", d, tc.delay)
			}
		})
	}
}
