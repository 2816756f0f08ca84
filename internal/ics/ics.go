// Package ics builds iCalendar meeting invitations (RFC 5545) carried as
// iTIP messages (RFC 5546) that Outlook, Gmail and Apple Mail accept.
//
// An invitation is a VCALENDAR with METHOD:REQUEST; a cancellation is the same
// meeting (same UID, higher SEQUENCE) with METHOD:CANCEL. Times are written in
// Europe/London with a VTIMEZONE describing the current UK rules (GMT in
// winter, BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
// last Sunday of October). The wall-clock times written are computed from the
// same rules, so the VTIMEZONE and the times always agree and the package needs
// no tz database at run time.
//
// Callers must keep special-category data out of the text fields: SUMMARY,
// LOCATION and DESCRIPTION are shown in calendar previews and notifications.
package ics

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// iTIP methods supported by Build.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// TZID is the time zone every invitation is written in.
const TZID = "Europe/London"

// ProdID is the PRODID of every calendar built by this package.
const ProdID = "-//sendflow//sendflow meeting invitations//EN"

// ErrInvalid is wrapped by the error Build returns for an event it refuses.
var ErrInvalid = errors.New("ics: invalid event")

// Attendee is a participant of a meeting (or its organizer).
type Attendee struct {
	Name     string // display name, sent as the CN parameter; may be empty
	Email    string // plain address, e.g. "parent@example.org"
	Required bool   // ROLE=REQ-PARTICIPANT when true, OPT-PARTICIPANT otherwise
}

// Event is one meeting as sent in one iTIP message.
type Event struct {
	UID      string // stable per meeting, e.g. "<meeting-id>@sendflow"
	Sequence int    // bumped on every change (a cancellation is a change)
	Method   string // MethodRequest or MethodCancel (case-insensitive)

	Start    time.Time     // any location; written in Europe/London
	Duration time.Duration // at least a minute; DTEND = Start + Duration

	// Plain words only, e.g. "Amara's review meeting": no needs, diagnoses,
	// outcomes or agency names.
	Summary, Location, Description string

	Organizer Attendee
	Attendees []Attendee

	Stamp time.Time // DTSTAMP (written in UTC); time.Now() when zero
	URL   string    // absolute http(s) link; optional (sendflow leaves private links out)

	// Reminder is the text of the alarm a day before, in the invitation's language;
	// "Reminder: <Summary>" when empty.
	Reminder string
}

// ContentType returns the MIME type of an iTIP message for method, e.g.
// `text/calendar; charset=utf-8; method=REQUEST`. Gmail and Outlook look at the
// method parameter to show the invitation as an invitation.
func ContentType(method string) string {
	return "text/calendar; charset=utf-8; method=" + strings.ToUpper(strings.TrimSpace(method))
}

const (
	maxUIDLen  = 255
	maxTextLen = 8 << 10
)

// Build validates e and returns the iCalendar object for it, with CRLF line
// endings and lines folded at 75 octets.
//
// It refuses (with an error wrapping ErrInvalid that lists every problem) an
// event without a UID, with a negative SEQUENCE, an unknown method, a zero
// start, a duration under a minute, a missing or malformed organizer email, no
// attendees or an attendee with a malformed email, a URL that is not an
// absolute http(s) URL, or text that is not valid UTF-8.
func Build(e Event) ([]byte, error) {
	method := strings.ToUpper(strings.TrimSpace(e.Method))
	if err := validate(e, method); err != nil {
		return nil, err
	}
	stamp := e.Stamp
	if stamp.IsZero() {
		stamp = time.Now()
	}
	start := e.Start.Truncate(time.Second)
	end := start.Add(e.Duration).Truncate(time.Second)

	var w writer
	w.prop("BEGIN:VCALENDAR")
	w.prop("PRODID:" + escapeText(ProdID))
	w.prop("VERSION:2.0")
	w.prop("CALSCALE:GREGORIAN")
	w.prop("METHOD:" + method)
	w.vtimezone()

	w.prop("BEGIN:VEVENT")
	w.prop("UID:" + escapeText(e.UID))
	w.prop("SEQUENCE:" + strconv.Itoa(e.Sequence))
	w.prop("DTSTAMP:" + stamp.UTC().Format(utcFormat))
	w.prop(dateTimeProp("DTSTART", start))
	w.prop(dateTimeProp("DTEND", end))
	w.prop("SUMMARY:" + escapeText(e.Summary))
	if e.Location != "" {
		w.prop("LOCATION:" + escapeText(e.Location))
	}
	if e.Description != "" {
		w.prop("DESCRIPTION:" + escapeText(e.Description))
	}
	if e.URL != "" {
		w.prop("URL:" + e.URL)
	}
	w.prop("ORGANIZER" + cnParam(e.Organizer.Name) + ":mailto:" + e.Organizer.Email)
	for _, a := range e.Attendees {
		role := "OPT-PARTICIPANT"
		if a.Required {
			role = "REQ-PARTICIPANT"
		}
		// RSVP=FALSE: the calendar is not asked to answer. Answers are given on sendflow's page
		// from the email's link, so the record and the calendar cannot disagree.
		rsvp := ""
		if method == MethodRequest {
			rsvp = ";RSVP=FALSE"
		}
		w.prop("ATTENDEE" + cnParam(a.Name) + ";ROLE=" + role +
			";PARTSTAT=NEEDS-ACTION" + rsvp + ":mailto:" + a.Email)
	}
	if method == MethodCancel {
		w.prop("STATUS:CANCELLED")
	} else {
		w.prop("STATUS:CONFIRMED")
	}
	w.prop("TRANSP:OPAQUE")
	if method == MethodRequest {
		reminder := e.Reminder
		switch {
		case reminder != "":
		case e.Summary != "":
			reminder = "Reminder: " + e.Summary
		default:
			reminder = "Reminder"
		}
		w.prop("BEGIN:VALARM")
		w.prop("ACTION:DISPLAY")
		w.prop("DESCRIPTION:" + escapeText(reminder))
		w.prop("TRIGGER:-P1D")
		w.prop("END:VALARM")
	}
	w.prop("END:VEVENT")
	w.prop("END:VCALENDAR")
	return []byte(w.b.String()), nil
}

func validate(e Event, method string) error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	switch {
	case strings.TrimSpace(e.UID) == "":
		add("UID is required")
	case len(e.UID) > maxUIDLen:
		add("UID is longer than %d bytes", maxUIDLen)
	case !cleanText(e.UID, false):
		add("UID must be valid UTF-8 without control characters")
	}
	if e.Sequence < 0 {
		add("SEQUENCE must not be negative (got %d)", e.Sequence)
	}
	switch method {
	case MethodRequest, MethodCancel:
	case "":
		add("method is required (REQUEST or CANCEL)")
	default:
		add("method %q is not supported (REQUEST or CANCEL)", e.Method)
	}
	if e.Start.IsZero() {
		add("start time is required")
	} else if y := e.Start.UTC().Year(); y < 1971 || y > 9998 {
		add("start time %s is out of range", e.Start.Format(time.RFC3339))
	}
	if e.Duration < time.Minute {
		add("duration must be at least one minute (got %s)", e.Duration)
	} else if e.Duration > 366*24*time.Hour {
		add("duration %s is longer than a year", e.Duration)
	}
	if e.Organizer.Email == "" {
		add("organizer email is required")
	} else if err := checkEmail(e.Organizer.Email); err != nil {
		add("organizer email %q: %v", e.Organizer.Email, err)
	}
	if !cleanText(e.Organizer.Name, true) {
		add("organizer name must be valid UTF-8")
	}
	if len(e.Attendees) == 0 {
		add("at least one attendee is required")
	}
	for i, a := range e.Attendees {
		if a.Email == "" {
			add("attendee %d: email is required", i+1)
		} else if err := checkEmail(a.Email); err != nil {
			add("attendee %d: email %q: %v", i+1, a.Email, err)
		}
		if !cleanText(a.Name, true) {
			add("attendee %d: name must be valid UTF-8", i+1)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"summary", e.Summary}, {"location", e.Location}, {"description", e.Description}, {"reminder", e.Reminder},
	} {
		if !utf8.ValidString(f.v) {
			add("%s must be valid UTF-8", f.name)
		} else if len(f.v) > maxTextLen {
			add("%s is longer than %d bytes", f.name, maxTextLen)
		}
	}
	if e.URL != "" {
		if err := checkURL(e.URL); err != nil {
			add("URL %q: %v", e.URL, err)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(probs, "; "))
}

// checkEmail accepts a plain address (no display name, no quoting, no
// whitespace) that can be written after "mailto:" as is.
func checkEmail(s string) error {
	if strings.ContainsAny(s, " \t\r\n\"<>(),;:\\") || !cleanText(s, false) {
		return errors.New("must be a plain address like name@example.org")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return errors.New("must be a plain address like name@example.org")
	}
	return nil
}

func checkURL(s string) error {
	if !cleanText(s, false) || strings.ContainsAny(s, " \t\"<>") {
		return errors.New("must not contain spaces, quotes or control characters")
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

// cleanText reports whether s is valid UTF-8 without control characters
// (except TAB when allowTab).
func cleanText(s string, allowTab bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\t' && allowTab {
			continue
		}
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and
// comma are backslash-escaped, line breaks (CRLF, CR or LF) become \n and other
// control characters except TAB are dropped.
func escapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == ';' || c == ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			// not allowed in TEXT
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cnParam returns ";CN=\"name\"", or "" for an empty name. A parameter value
// cannot contain DQUOTE or control characters, so DQUOTE becomes an apostrophe
// and control characters become spaces (RFC 6868 escaping is not understood by
// every client).
func cnParam(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, name)
	return `;CN="` + name + `"`
}

const (
	localFormat = "20060102T150405"
	utcFormat   = "20060102T150405Z"
)

// dateTimeProp writes t as "NAME;TZID=Europe/London:local". A local time in
// the hour repeated when the clocks go back is ambiguous: RFC 5545 §3.3.5 says
// it means the first occurrence, but clients (and Go's time.ParseInLocation)
// differ, so such an instant is written in UTC instead.
func dateTimeProp(name string, t time.Time) string {
	wall := londonWall(t)
	if ambiguousLondonWall(wall) {
		return name + ":" + t.UTC().Format(utcFormat)
	}
	return name + ";TZID=" + TZID + ":" + wall.Format(localFormat)
}

// londonOffset is the UTC offset of Europe/London at t under the rules in the
// VTIMEZONE this package writes.
func londonOffset(t time.Time) time.Duration {
	u := t.UTC()
	bstStart := lastSunday(u.Year(), time.March).Add(time.Hour)
	bstEnd := lastSunday(u.Year(), time.October).Add(time.Hour)
	if !u.Before(bstStart) && u.Before(bstEnd) {
		return time.Hour
	}
	return 0
}

// lastSunday returns 00:00 UTC on the last Sunday of month m in year y.
func lastSunday(y int, m time.Month) time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
	return last.AddDate(0, 0, -int(last.Weekday()))
}

// londonWall returns the Europe/London wall-clock time of t, as a UTC-located
// time carrying the local fields.
func londonWall(t time.Time) time.Time {
	u := t.UTC()
	return u.Add(londonOffset(u))
}

// ambiguousLondonWall reports whether the wall-clock time w (its fields, read
// as if in UTC) occurs twice in Europe/London.
func ambiguousLondonWall(w time.Time) bool {
	n := 0
	for _, off := range []time.Duration{time.Hour, 0} {
		if londonOffset(w.Add(-off)) == off {
			n++
		}
	}
	return n > 1
}

type writer struct{ b strings.Builder }

// prop writes one content line, folded so that no line is longer than 75
// octets (excluding CRLF) and no UTF-8 sequence is split.
func (w *writer) prop(line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.b.WriteString(line[:cut])
		w.b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	w.b.WriteString(line)
	w.b.WriteString("\r\n")
}

// vtimezone writes Europe/London with the rules in force since 1996 (EU
// summer time): BST from the last Sunday of March 01:00 GMT, GMT from the last
// Sunday of October 02:00 BST.
func (w *writer) vtimezone() {
	for _, l := range []string{
		"BEGIN:VTIMEZONE",
		"TZID:" + TZID,
		"X-LIC-LOCATION:" + TZID,
		"BEGIN:DAYLIGHT",
		"TZOFFSETFROM:+0000",
		"TZOFFSETTO:+0100",
		"TZNAME:BST",
		"DTSTART:19700329T010000",
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
		"END:DAYLIGHT",
		"BEGIN:STANDARD",
		"TZOFFSETFROM:+0100",
		"TZOFFSETTO:+0000",
		"TZNAME:GMT",
		"DTSTART:19701025T020000",
		"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
		"END:STANDARD",
		"END:VTIMEZONE",
	} {
		w.prop(l)
	}
}
