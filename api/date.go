package api

import (
	"errors"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"
)

// dateMessage is what a caller is told, next to the field's name, when a date is not a date.
const dateMessage = "not a date like 2027-03-15: dates are written YYYY-MM-DD"

func init() {
	// Huma checks every `format: date` string in a body against this schema before a handler
	// runs; its own words ("expected string to be RFC 3339 date") are not what a school's office
	// understands. The message is Huma's to override (the validation package's messages are
	// variables for this); it is only ever said of a date.
	validation.MsgExpectedRFC3339Date = dateMessage
}

// Date is a day on the pathway's calendar, written YYYY-MM-DD (2027-03-15) and held as midnight
// UTC. The OpenAPI document shows it as `type: string, format: date`; a value that is not such a
// date is refused with 422 naming the field, in a body (Huma checks the format) or a query or
// path parameter (Huma calls UnmarshalText), before any handler sees it.
type Date struct{ t time.Time }

// DateOf is the day t falls on, read in t's own location.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, errors.New(dateMessage)
	}
	return Date{t}, nil
}

// Time is the date as midnight UTC; the zero time when no date was given.
func (d Date) Time() time.Time { return d.t }

// IsZero reports that no date was given (and lets `omitzero` leave it out).
func (d Date) IsZero() bool { return d.t.IsZero() }

// String is the date as YYYY-MM-DD, or "" when none was given.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalText writes YYYY-MM-DD, so JSON and the idempotency hash see the string that was sent.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD (from JSON or a parameter).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Schema keeps the OpenAPI type a plain date string.
func (Date) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date"}
}
