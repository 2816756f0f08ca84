package api

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/input"
)

// Types for what people type into reference data (schools, staff, classes, pupils, parents).
// Each checks itself with the rules every surface shares (internal/input), so a value that could
// not be stored, put in an email's subject or a calendar is refused with 422 naming the field.
// Actions on a pupil's record are checked by the service layer with the same rules.

// Line is one line of text: a name, a class, a relationship. No line breaks or control characters.
type Line string

// Resolve checks the line.
func (l *Line) Resolve(_ huma.Context, prefix *huma.PathBuffer) []error {
	if err := input.Line(string(*l), 0); err != nil {
		return []error{&huma.ErrorDetail{Location: prefix.String(), Message: err.Error(), Value: string(*l)}}
	}
	return nil
}

// Email is a plain email address (jo@example.com), with no name or <> around it.
type Email string

// Resolve checks the address.
func (e *Email) Resolve(_ huma.Context, prefix *huma.PathBuffer) []error {
	if _, err := input.Email(string(*e)); err != nil {
		return []error{&huma.ErrorDetail{Location: prefix.String(), Message: err.Error(), Value: string(*e)}}
	}
	return nil
}

// Phone is a telephone number, checked with the rules every surface shares (internal/input).
type Phone string

// Resolve checks the number.
func (p *Phone) Resolve(_ huma.Context, prefix *huma.PathBuffer) []error {
	if _, _, err := input.Phone(string(*p)); err != nil {
		return []error{&huma.ErrorDetail{Location: prefix.String(), Message: err.Error(), Value: string(*p)}}
	}
	return nil
}
