package provision

import (
	"fmt"
	"math"
	"time"
)

// DefaultShare is the share of promised sessions below which delivery is behind, when a school
// has not set its own.
const DefaultShare = 0.8

// Week is one school week's delivery, from Monday: the days the school was open, the sessions
// promised in them and the sessions logged.
type Week struct {
	Start      time.Time
	SchoolDays int
	Promised   float64
	Delivered  int
}

// Judged says whether the rule judges the week: a week wholly in a holiday is not judged.
func (w Week) Judged() bool { return w.SchoolDays > 0 }

// short says whether the school was closed on some of the week's weekdays.
func (w Week) short() bool { return w.SchoolDays < 5 }

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

// Count groups the days sessions were logged on into the given weeks. A week promises perWeek
// sessions scaled by its school days on the calendar: a four-day week promises four fifths, a
// week of holiday none.
func Count(weeks []time.Time, perWeek float64, logged []time.Time, cal Calendar) []Week {
	out := make([]Week, len(weeks))
	idx := map[time.Time]int{}
	for i, w := range weeks {
		days := cal.SchoolDays(w)
		out[i] = Week{Start: w, SchoolDays: days, Promised: perWeek * float64(days) / 5}
		idx[w] = i
	}
	for _, d := range logged {
		if i, ok := idx[Monday(d)]; ok {
			out[i].Delivered++
		}
	}
	return out
}

// Behind is the delivery rule: provision is behind when each of the last two judged school weeks
// delivered fewer than share s of the sessions promised. One poor week alone (an absence, a trip)
// is not flagged, and a holiday is neither a poor week nor a break in two running: the weeks
// either side of it run together.
func Behind(weeks []Week, s float64) Shortfall {
	var judged []Week
	for _, w := range weeks {
		if w.Judged() {
			judged = append(judged, w)
		}
	}
	if len(judged) < 2 {
		return Shortfall{Weeks: weeks}
	}
	last := judged[len(judged)-2:]
	if !last[0].Below(s) || !last[1].Below(s) {
		return Shortfall{Weeks: weeks}
	}
	promised := trim(last[0].Promised) + " and " + trim(last[1].Promised) + " sessions promised"
	if !last[0].short() && !last[1].short() {
		promised = trim(last[0].Promised) + " sessions a week promised"
	}
	return Shortfall{Behind: true, Weeks: weeks, Reason: fmt.Sprintf(
		"%s; %d and %d logged in the school weeks of %s and %s, below %d%% two school weeks running",
		promised, last[0].Delivered, last[1].Delivered,
		last[0].Start.Format("2 January"), last[1].Start.Format("2 January"), int(math.Round(s*100)))}
}

func trim(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int(f))
	}
	return fmt.Sprintf("%.1f", f)
}

// NewlyBehind is the provision behind now that was not behind at the check before: the lines of
// now whose pupil, cycle and plan entry were not among before's. It is what a weekly check tells
// the SENDCo, so provision stays behind without a new email every week.
func NewlyBehind(now, before []Line) []Line {
	type key struct {
		pupil        string
		cycle, index int
	}
	was := map[key]bool{}
	for _, l := range before {
		was[key{l.PupilID, l.Cycle, l.Index}] = true
	}
	var out []Line
	for _, l := range now {
		if !was[key{l.PupilID, l.Cycle, l.Index}] {
			out = append(out, l)
		}
	}
	return out
}

// PupilsIn counts the different pupils the lines are about.
func PupilsIn(lines []Line) int {
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l.PupilID] = true
	}
	return len(seen)
}
