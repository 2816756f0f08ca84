package provision

import (
	"fmt"
	"strings"
	"time"
)

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

// MaxClosureDays is the longest closure a calendar takes: a summer holiday is about six weeks;
// anything much longer is a typing mistake (a year in the wrong field).
const MaxClosureDays = 70

// Problem is what is wrong with one closure of a calendar being set: its index, the field, and
// why in words that fit after the field's name.
type Problem struct {
	Index   int
	Field   string // "first", "last" or "name"
	Message string
}

// Check finds what is wrong with a calendar a school sets: a closure that ends before it starts,
// lasts longer than MaxClosureDays, has no name, or overlaps another.
func (c Calendar) Check() []Problem {
	var out []Problem
	for i, cl := range c {
		switch {
		case date(cl.Last).Before(date(cl.First)):
			out = append(out, Problem{i, "last", "is before the first day"})
		case date(cl.Last).Sub(date(cl.First)) >= MaxClosureDays*24*time.Hour:
			out = append(out, Problem{i, "last", fmt.Sprintf("makes the closure longer than %d days", MaxClosureDays)})
		}
		if strings.TrimSpace(cl.Name) == "" {
			out = append(out, Problem{i, "name", "is empty: say what the closure is, e.g. October half-term"})
		}
		for j := range i {
			o := c[j]
			if !date(cl.First).After(date(o.Last)) && !date(o.First).After(date(cl.Last)) {
				out = append(out, Problem{i, "first", fmt.Sprintf("overlaps %s (%s to %s)", o.Name,
					o.First.Format("2 January 2006"), o.Last.Format("2 January 2006"))})
				break
			}
		}
	}
	return out
}
