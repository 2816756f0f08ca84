// Package input holds the rules every surface (the JSON API, the CSV import, the pages) applies
// to what people type: names and other one-line text, free text, email addresses and dates. What
// passes here the whole pathway can carry — into PostgreSQL, an email's subject, a calendar file —
// so an action is never half done because a word could not be stored or sent. Each rule answers
// with a sentence for the person who typed it.
package input

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the most characters a name may have.
const MaxNameLen = 100

// Line checks one line of text, such as a name or a place: valid UTF-8, no line breaks, tabs or
// other control characters, at most max characters (0: no limit here).
func Line(s string, max int) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid text")
	}
	if strings.ContainsAny(s, "\r\n") {
		return errors.New("has a line break in it; write it on one line")
	}
	if strings.IndexFunc(s, invisible) >= 0 {
		return errors.New("has a tab or another invisible control character in it")
	}
	return length(s, max)
}

// Text checks free text, which may run over several lines: valid UTF-8 and no control characters
// but line breaks and tabs. It returns the text with Windows line breaks made plain.
func Text(s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return s, errors.New("is not valid text")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && invisible(r) }) >= 0 {
		return s, errors.New("has an invisible control character in it")
	}
	return s, length(s, max)
}

// invisible reports control characters, and the line and paragraph separators that act like them.
func invisible(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func length(s string, max int) error {
	if n := utf8.RuneCountInString(s); max > 0 && n > max {
		return fmt.Errorf("is %d characters long; it can be at most %d", n, max)
	}
	return nil
}

// Email checks an email address: a plain address (jo@example.com), with no name or <> around
// it, a full domain, at most 254 characters. It returns the address as written, trimmed.
func Email(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return v, errors.New("is missing")
	}
	if err := Line(v, 254); err != nil {
		return v, err
	}
	a, err := mail.ParseAddress(v)
	switch {
	case err != nil:
		return v, fmt.Errorf("%q is not an email address", v)
	case a.Address != v:
		return v, fmt.Errorf("write only the address (%s), without a name or <>", a.Address)
	}
	_, domain, _ := strings.Cut(v, "@")
	if !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return v, fmt.Errorf("%q is not a complete email address; it needs a domain such as example.com after the @", v)
	}
	return v, nil
}

// Phone checks a telephone number as people write it ("01632 960 100", "+44 1632 960100",
// "(01632) 960100"): digits with spaces, brackets, dots or hyphens, and an optional leading +;
// 7 to 15 digits. It returns the number trimmed, as written, and its dialling form for a
// tel: link ("01632960100", "+441632960100").
func Phone(s string) (written, dial string, err error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return v, "", errors.New("is missing")
	}
	if err := Line(v, 40); err != nil {
		return v, "", err
	}
	var b strings.Builder
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '(' || r == ')' || r == '-' || r == '.':
		default:
			return v, "", fmt.Errorf(
				"%q is not a telephone number; write digits, spaces and an optional + at the start",
				v,
			)
		}
	}
	dial = b.String()
	if n := len(strings.TrimPrefix(dial, "+")); n < 7 || n > 15 {
		return v, "", fmt.Errorf("%q is not a telephone number; it has %d digits, and a number has 7 to 15", v, n)
	}
	return v, dial, nil
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Language checks a language code (BCP 47: "en", "pl", "ur", "pa-Guru"). Only the first part must
// be lower case, so "EN" and "Pa-Guru" are taken as en and pa-Guru; it returns the code so
// written.
func Language(s string) (string, error) {
	v := strings.TrimSpace(s)
	primary, rest, hasRest := strings.Cut(v, "-")
	tag := strings.ToLower(primary)
	if hasRest {
		tag += "-" + rest
	}
	if !languageRE.MatchString(tag) {
		return v, fmt.Errorf("%q is not a language code; use a code such as en, pl, ur or pa-Guru", v)
	}
	return tag, nil
}

// DateYears is how far from today a date anyone types may be: birth dates of young people up to
// 25 and plans and reviews a few years ahead (and compressed-time demos) fit well inside it; a
// year such as 9999, which no calendar, timer or letter can carry, does not.
const DateYears = 40

// Date checks that a date falls within DateYears of now.
func Date(t, now time.Time) error {
	first := time.Date(now.Year()-DateYears, time.January, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(now.Year()+DateYears, time.December, 31, 23, 59, 59, 0, time.UTC)
	if t.Before(first) || t.After(last) {
		return fmt.Errorf("must be between %d and %d", first.Year(), last.Year())
	}
	return nil
}

// DateOfBirth checks a pupil's date of birth: not in the future, and a child or young person of
// 2 to 25 (the Code of Practice's age range, from the early years).
func DateOfBirth(d, now time.Time) error {
	y, m, day := now.Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	switch {
	case d.After(today):
		return fmt.Errorf("the date of birth %s is in the future", d.Format(time.DateOnly))
	case d.After(today.AddDate(-2, 0, 0)):
		return fmt.Errorf(
			"the date of birth %s makes the pupil younger than 2; check the year",
			d.Format(time.DateOnly),
		)
	case d.Before(today.AddDate(-25, 0, 0)):
		return fmt.Errorf(
			"the date of birth %s makes the pupil more than 25 years old; check the year",
			d.Format(time.DateOnly),
		)
	}
	return nil
}
