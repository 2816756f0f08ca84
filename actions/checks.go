package actions

import (
	"time"

	"github.com/sendflow/sendflow/internal/input"
)

// checks collects what cannot be recorded as written, field by field, with the rules every
// surface shares (internal/input).
type checks struct{ problems []Problem }

func (c *checks) add(field, message string, value any) {
	c.problems = append(c.problems, Problem{Field: field, Message: message, Value: value})
}

// line checks one line of text, such as a name or a place.
func (c *checks) line(field, v string, max int) {
	if err := input.Line(v, max); err != nil {
		c.add(field, err.Error(), v)
	}
}

// text checks free text, making its line breaks plain.
func (c *checks) text(field string, v *string, max int) {
	t, err := input.Text(*v, max)
	if err != nil {
		c.add(field, err.Error(), *v)
		return
	}
	*v = t
}

// required checks free text that must not be empty.
func (c *checks) required(field string, v *string, max int) {
	if *v == "" {
		c.add(field, "is missing", *v)
		return
	}
	c.text(field, v, max)
}

// date checks a date is one a calendar, a timer and a letter can carry.
func (c *checks) date(field string, t, now time.Time) {
	if err := input.Date(t, now); err != nil {
		c.add(field, err.Error(), t.Format(time.DateOnly))
	}
}

// err is nil when every check passed.
func (c *checks) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Invalid{
		Summary:  "Some of what was sent cannot be recorded as written; nothing was changed.",
		Problems: c.problems,
	}
}
