package workflows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Span is a calendar length, as the law states time limits: "6 weeks", "2 months", "15 days".
// Months are calendar months with end-of-month clamping (31 January + 1 month is 28 February,
// never 3 March); weeks are stored as 7 days. A Span is not a time.Duration because a month has
// no fixed length and a day across a clock change is not 24 hours.
type Span struct{ Months, Days int }

// Limits keep arithmetic far from overflow and catch typos such as "600w" early.
const (
	maxSpanMonths = 1200  // 100 years
	maxSpanDays   = 36600 // about 100 years
)

// ParseSpan reads a span written as one or more parts, each a whole number and a unit:
// "d" days, "w" weeks (7 days), "mo" months. Examples: "6w", "28d", "12mo", "0d", "1mo2w".
// Each unit may appear once. Errors quote the text that could not be read.
func ParseSpan(s string) (Span, error) {
	text := strings.ToLower(strings.TrimSpace(s))
	if text == "" {
		return Span{}, fmt.Errorf("%q is not a length of time: write a number and a unit, such as 6w, 15d or 2mo", s)
	}
	var out Span
	seen := map[string]bool{}
	rest := text
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return Span{}, fmt.Errorf(
				"%q is not a length of time: expected a number at %q (units: d days, w weeks, mo months)",
				s,
				rest,
			)
		}
		digits := rest[:i]
		rest = rest[i:]
		var unit string
		switch {
		case strings.HasPrefix(rest, "mo"):
			unit = "mo"
		case strings.HasPrefix(rest, "w"):
			unit = "w"
		case strings.HasPrefix(rest, "d"):
			unit = "d"
		default:
			if rest == "" {
				return Span{}, fmt.Errorf(
					"%q is not a length of time: %s needs a unit (d days, w weeks, mo months)",
					s,
					digits,
				)
			}
			return Span{}, fmt.Errorf(
				"%q is not a length of time: unknown unit at %q (units: d days, w weeks, mo months)",
				s,
				rest,
			)
		}
		rest = rest[len(unit):]
		if seen[unit] {
			return Span{}, fmt.Errorf("%q is not a length of time: the unit %q appears twice", s, unit)
		}
		seen[unit] = true
		n, err := strconv.Atoi(digits)
		if err != nil || n > maxSpanDays {
			return Span{}, fmt.Errorf("%q is too long a time", s)
		}
		switch unit {
		case "mo":
			out.Months = n
		case "w":
			out.Days += 7 * n
		case "d":
			out.Days += n
		}
	}
	if out.Months > maxSpanMonths || out.Days > maxSpanDays {
		return Span{}, fmt.Errorf("%q is too long a time", s)
	}
	return out, nil
}

// MustParseSpan is ParseSpan for constants in code and tests; it panics on bad text.
func MustParseSpan(s string) Span {
	sp, err := ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return sp
}

// AddTo adds the months first (clamping the day to the end of a shorter month) and then the
// days, keeping the wall-clock time in t's location.
func (s Span) AddTo(t time.Time) time.Time {
	return addMonthsClamped(t, s.Months).AddDate(0, 0, s.Days)
}

// SubtractFrom undoes AddTo's steps in reverse order: days first, then months (clamped).
func (s Span) SubtractFrom(t time.Time) time.Time {
	return addMonthsClamped(t.AddDate(0, 0, -s.Days), -s.Months)
}

func addMonthsClamped(t time.Time, months int) time.Time {
	if months == 0 {
		return t
	}
	y, m, d := t.Date()
	total := int(m) - 1 + months
	y += floorDiv(total, 12)
	m = time.Month(total - 12*floorDiv(total, 12) + 1)
	if last := daysIn(y, m); d > last {
		d = last
	}
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysIn is the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String writes the span so ParseSpan reads it back: "12mo", "6w" (for 42 days), "15d",
// "1mo2w", and "0d" for zero. Negative spans (refused by Validate) print with a sign and do not
// parse.
func (s Span) String() string {
	var b strings.Builder
	if s.Months != 0 {
		fmt.Fprintf(&b, "%dmo", s.Months)
	}
	switch {
	case s.Days != 0 && s.Days%7 == 0:
		fmt.Fprintf(&b, "%dw", s.Days/7)
	case s.Days != 0:
		fmt.Fprintf(&b, "%dd", s.Days)
	case s.Months == 0:
		b.WriteString("0d")
	}
	return b.String()
}

// Describe says the span in words for letters and messages: "6 weeks", "15 days",
// "1 month and 2 weeks".
func (s Span) Describe() string {
	plural := func(n int, unit string) string {
		if n == 1 || n == -1 {
			return fmt.Sprintf("%d %s", n, unit)
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	var parts []string
	if s.Months != 0 {
		parts = append(parts, plural(s.Months, "month"))
	}
	if s.Days != 0 && s.Days%7 == 0 {
		parts = append(parts, plural(s.Days/7, "week"))
	} else if s.Days != 0 {
		parts = append(parts, plural(s.Days, "day"))
	}
	if len(parts) == 0 {
		return "0 days"
	}
	return strings.Join(parts, " and ")
}

// IsZero reports a span of no time at all.
func (s Span) IsZero() bool { return s.Months == 0 && s.Days == 0 }

// MarshalYAML writes the span as text, e.g. `trial_window: 6w`.
func (s Span) MarshalYAML() (any, error) { return s.String(), nil }

// UnmarshalYAML reads text such as `6w`; a bare number is refused because its unit is unknown.
func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a length of time such as 6w, 15d or 2mo", n.Line)
	}
	v, err := ParseSpan(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

// MarshalText makes spans read as "6w" in JSON too (API responses, workflow payloads).
func (s Span) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Span) UnmarshalText(b []byte) error {
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MonthDay is a day that recurs every year, such as the 15 February phase-transfer deadline.
// In YAML it is written "02-15".
type MonthDay struct {
	Month time.Month
	Day   int
}

// ParseMonthDay reads "MM-DD". 29 February is accepted; In moves it to 28 February in other
// years.
func ParseMonthDay(s string) (MonthDay, error) {
	text := strings.TrimSpace(s)
	mm, dd, ok := strings.Cut(text, "-")
	if !ok || len(mm) != 2 || len(dd) != 2 {
		return MonthDay{}, fmt.Errorf("%q is not a month and day: write MM-DD, such as 02-15", s)
	}
	m, err1 := strconv.Atoi(mm)
	d, err2 := strconv.Atoi(dd)
	if err1 != nil || err2 != nil {
		return MonthDay{}, fmt.Errorf("%q is not a month and day: write MM-DD, such as 02-15", s)
	}
	md := MonthDay{Month: time.Month(m), Day: d}
	if err := md.validate(); err != nil {
		return MonthDay{}, fmt.Errorf("%q is not a month and day: %w", s, err)
	}
	return md, nil
}

func (m MonthDay) validate() error {
	if m.Month < time.January || m.Month > time.December {
		return errors.New("the month must be 01 to 12")
	}
	// 2024 is a leap year, so 29 February counts as a real day.
	if last := daysIn(2024, m.Month); m.Day < 1 || m.Day > last {
		return fmt.Errorf("%s has days 01 to %02d", m.Month, last)
	}
	return nil
}

// In is the date in the given year, at midnight in loc; 29 February becomes 28 February in a
// year that has none.
func (m MonthDay) In(year int, loc *time.Location) time.Time {
	d := m.Day
	if last := daysIn(year, m.Month); d > last {
		d = last
	}
	return time.Date(year, m.Month, d, 0, 0, 0, 0, loc)
}

// String writes "MM-DD".
func (m MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(m.Month), m.Day) }

// MarshalYAML writes "02-15". Quoted so no YAML reader mistakes it for a number or date.
func (m MonthDay) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: m.String()}, nil
}

// UnmarshalYAML reads "02-15".
func (m *MonthDay) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a month and day such as 02-15", n.Line)
	}
	v, err := ParseMonthDay(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*m = v
	return nil
}

// MarshalText writes "02-15" (JSON).
func (m MonthDay) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads "02-15".
func (m *MonthDay) UnmarshalText(b []byte) error {
	v, err := ParseMonthDay(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
