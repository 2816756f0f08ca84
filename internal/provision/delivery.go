package provision

import (
	"fmt"
	"math"
	"time"
)

// DefaultShare is the share of promised sessions below which delivery is behind, when a school
// has not set its own.
const DefaultShare = 0.8

// Week is one school week's delivery: sessions promised and sessions logged, from Monday.
type Week struct {
	Start     time.Time
	Promised  float64
	Delivered int
}

// Below says whether the week fell below share s of what was promised.
func (w Week) Below(s float64) bool {
	return w.Promised > 0 && float64(w.Delivered) < s*w.Promised-1e-9
}

// Shortfall is the verdict of the delivery rule.
type Shortfall struct {
	Behind bool
	Weeks  []Week // the weeks judged, oldest first
	Reason string // in words: what was promised, what was logged
}

// Monday is the Monday of the week that holds day (dates only, UTC).
func Monday(day time.Time) time.Time {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	off := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -off)
}

// CompleteWeeks lists the weeks to judge: every whole week from the one holding from to the
// last week that ended before today (the week in progress is never judged).
func CompleteWeeks(from, today time.Time) []time.Time {
	var out []time.Time
	end := Monday(today)
	for w := Monday(from); w.Before(end); w = w.AddDate(0, 0, 7) {
		out = append(out, w)
	}
	return out
}

// Count groups the days sessions were logged on into the given weeks, each promised perWeek.
func Count(weeks []time.Time, perWeek float64, logged []time.Time) []Week {
	out := make([]Week, len(weeks))
	idx := map[time.Time]int{}
	for i, w := range weeks {
		out[i] = Week{Start: w, Promised: perWeek}
		idx[w] = i
	}
	for _, d := range logged {
		if i, ok := idx[Monday(d)]; ok {
			out[i].Delivered++
		}
	}
	return out
}

// Behind is the delivery rule: provision is behind when each of the last two complete weeks
// delivered fewer than share s of the sessions promised. One poor week alone (an absence, a trip)
// is not flagged.
func Behind(weeks []Week, s float64) Shortfall {
	if len(weeks) < 2 {
		return Shortfall{Weeks: weeks}
	}
	last := weeks[len(weeks)-2:]
	if !last[0].Below(s) || !last[1].Below(s) {
		return Shortfall{Weeks: weeks}
	}
	return Shortfall{Behind: true, Weeks: weeks, Reason: fmt.Sprintf(
		"%s sessions a week promised; %d and %d logged in the weeks of %s and %s, below %d%% two weeks running",
		trim(last[0].Promised), last[0].Delivered, last[1].Delivered,
		last[0].Start.Format("2 January"), last[1].Start.Format("2 January"), int(math.Round(s*100)))}
}

func trim(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int(f))
	}
	return fmt.Sprintf("%.1f", f)
}
