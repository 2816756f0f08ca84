package provision

import "time"

// Closure is a period a school is closed to pupils — a holiday, or one day such as a bank holiday
// or a training day — from First to Last, both included (dates, midnight UTC).
type Closure struct {
	First, Last time.Time
	Name        string
}

// Calendar is a school's closures: its term dates seen from the holidays. The zero Calendar has
// none, so every weekday is a school day.
type Calendar []Closure

// Closed says whether the school is closed on day (a date; its time of day is ignored).
func (c Calendar) Closed(day time.Time) bool {
	d := date(day)
	for _, cl := range c {
		if !d.Before(date(cl.First)) && !d.After(date(cl.Last)) {
			return true
		}
	}
	return false
}

// SchoolDays counts the weekdays of the week from monday on which the school is open.
func (c Calendar) SchoolDays(monday time.Time) int {
	n := 0
	for i := range 5 {
		if !c.Closed(Monday(monday).AddDate(0, 0, i)) {
			n++
		}
	}
	return n
}

func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
