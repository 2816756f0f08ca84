package workflows

import (
	"math"
	"time"
)

// Clock maps the workflow's real time onto the pathway's calendar. With Scale 1 (production) the
// two are the same. For demos and end-to-end tests Scale > 1 compresses time: a six-week timer
// fires after six weeks / Scale of real time, while every date shown to people stays a true
// calendar date of the policy ("decision due 16 February"), measured on the compressed calendar.
type Clock struct {
	Origin time.Time // real time the pathway started; compressed time runs from here
	Scale  float64
}

// Now is the calendar time for a real (workflow) time.
func (c Clock) Now(real time.Time) time.Time {
	if c.Scale <= 1 {
		return real
	}
	return c.Origin.Add(time.Duration(float64(real.Sub(c.Origin)) * c.Scale))
}

// Delay is the real time to wait, from calendar time now, until calendar time at. Past times
// give zero. It rounds up to a whole millisecond so that, on waking, the calendar has reached at.
func (c Clock) Delay(now, at time.Time) time.Duration {
	d := at.Sub(now)
	if d <= 0 {
		return 0
	}
	if c.Scale > 1 {
		d = time.Duration(math.Ceil(float64(d) / c.Scale))
	}
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
