package ics_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the parser resolves TZID with time.LoadLocation
	"unicode/utf8"

	ical "github.com/emersion/go-ical"

	"github.com/sendflow/sendflow/internal/ics"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func baseEvent() ics.Event {
	return ics.Event{
		UID:      "5b0f7c52-3c1e-4d0a-9f0e-0d6c3a1e2b44@sendflow",
		Sequence: 0,
		Method:   ics.MethodRequest,
		Start:    time.Date(2025, time.July, 10, 10, 0, 0, 0, london),
		Duration: 45 * time.Minute,
		Summary:  "Amara's review meeting",
		Location: "Oakfield Primary School, Room 4",
		Description: "A meeting to talk about how things are going for Amara.\n" +
			"Use the link to say if you can come.",
		Organizer: ics.Attendee{Name: "Jo Smith (SENCo)", Email: "senco@oakfield.sch.uk"},
		Attendees: []ics.Attendee{
			{Name: "Grace Okafor", Email: "grace.okafor@example.org", Required: true},
			{Name: "Sam Teacher", Email: "s.teacher@oakfield.sch.uk", Required: false},
		},
		Stamp: time.Date(2025, time.June, 1, 8, 30, 15, 0, time.UTC),
		URL:   "https://sendflow.example/r/eyJhIjoibWVldGluZy1yZXNwb25zZSJ9.c2lnbmF0dXJl",
	}
}

// build builds e, checks the raw framing and parses it with go-ical.
func build(t *testing.T, e ics.Event) (*ical.Calendar, []byte) {
	t.Helper()
	raw, err := ics.Build(e)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	checkFraming(t, raw)
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("go-ical decode: %v\n%s", err, raw)
	}
	// go-ical's encoder enforces the cardinality rules of RFC 5545 (exactly
	// one PRODID, VERSION, DTSTAMP, UID; at most one DTSTART, SUMMARY, ...).
	if err := ical.NewEncoder(&bytes.Buffer{}).Encode(cal); err != nil {
		t.Fatalf("go-ical re-encode (RFC 5545 structure check): %v\n%s", err, raw)
	}
	return cal, raw
}

// checkFraming asserts CRLF line endings, no line longer than 75 octets and
// no physical line that splits a UTF-8 sequence.
func checkFraming(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatalf("output does not end with CRLF")
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %d contains a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets (> 75): %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if len(l) == 0 {
			t.Errorf("line %d is empty", i+1)
		}
	}
}

func onlyEvent(t *testing.T, cal *ical.Calendar) *ical.Component {
	t.Helper()
	var evs []*ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			evs = append(evs, c)
		}
	}
	if len(evs) != 1 {
		t.Fatalf("got %d VEVENTs, want 1", len(evs))
	}
	return evs[0]
}

func child(t *testing.T, c *ical.Component, name string) *ical.Component {
	t.Helper()
	var found *ical.Component
	n := 0
	for _, ch := range c.Children {
		if ch.Name == name {
			found = ch
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%s has %d %s children, want 1", c.Name, n, name)
	}
	return found
}

func one(t *testing.T, c *ical.Component, name string) *ical.Prop {
	t.Helper()
	ps := c.Props.Values(name)
	if len(ps) != 1 {
		t.Fatalf("%s has %d %s properties, want 1", c.Name, len(ps), name)
	}
	return &ps[0]
}

func text(t *testing.T, c *ical.Component, name string) string {
	t.Helper()
	s, err := one(t, c, name).Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestBuildRequestEveryProperty(t *testing.T) {
	e := baseEvent()
	cal, raw := build(t, e)

	// VCALENDAR
	eq(t, "PRODID", text(t, cal.Component, "PRODID"), ics.ProdID)
	eq(t, "VERSION", text(t, cal.Component, "VERSION"), "2.0")
	eq(t, "CALSCALE", text(t, cal.Component, "CALSCALE"), "GREGORIAN")
	eq(t, "METHOD", text(t, cal.Component, "METHOD"), "REQUEST")
	eq(t, "children", len(cal.Children), 2)

	// VTIMEZONE
	tz := child(t, cal.Component, ical.CompTimezone)
	eq(t, "VTIMEZONE TZID", text(t, tz, "TZID"), "Europe/London")
	day := child(t, tz, ical.CompTimezoneDaylight)
	std := child(t, tz, ical.CompTimezoneStandard)
	eq(t, "DAYLIGHT TZNAME", text(t, day, "TZNAME"), "BST")
	eq(t, "DAYLIGHT TZOFFSETFROM", one(t, day, "TZOFFSETFROM").Value, "+0000")
	eq(t, "DAYLIGHT TZOFFSETTO", one(t, day, "TZOFFSETTO").Value, "+0100")
	eq(t, "STANDARD TZNAME", text(t, std, "TZNAME"), "GMT")
	eq(t, "STANDARD TZOFFSETFROM", one(t, std, "TZOFFSETFROM").Value, "+0100")
	eq(t, "STANDARD TZOFFSETTO", one(t, std, "TZOFFSETTO").Value, "+0000")
	for _, c := range []*ical.Component{day, std} {
		ro, err := c.Props.RecurrenceRule()
		if err != nil || ro == nil {
			t.Fatalf("%s RRULE: %v %v", c.Name, ro, err)
		}
	}

	// VEVENT
	ev := onlyEvent(t, cal)
	eq(t, "UID", text(t, ev, "UID"), e.UID)
	seq, err := one(t, ev, "SEQUENCE").Int()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "SEQUENCE", seq, 0)

	dtstart := one(t, ev, "DTSTART")
	eq(t, "DTSTART TZID", dtstart.Params.Get("TZID"), "Europe/London")
	eq(t, "DTSTART value", dtstart.Value, "20250710T100000")
	start, err := dtstart.DateTime(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !start.Equal(e.Start) {
		t.Errorf("DTSTART = %v, want %v", start, e.Start)
	}
	dtend := one(t, ev, "DTEND")
	eq(t, "DTEND TZID", dtend.Params.Get("TZID"), "Europe/London")
	eq(t, "DTEND value", dtend.Value, "20250710T104500")
	end, err := dtend.DateTime(nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "DTEND-DTSTART", end.Sub(start), 45*time.Minute)

	stamp := one(t, ev, "DTSTAMP")
	eq(t, "DTSTAMP value", stamp.Value, "20250601T083015Z")
	eq(t, "DTSTAMP TZID", stamp.Params.Get("TZID"), "")

	eq(t, "SUMMARY", text(t, ev, "SUMMARY"), e.Summary)
	eq(t, "LOCATION", text(t, ev, "LOCATION"), e.Location)
	eq(t, "DESCRIPTION", text(t, ev, "DESCRIPTION"), e.Description)
	u, err := one(t, ev, "URL").URI()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "URL", u.String(), e.URL)
	eq(t, "STATUS", text(t, ev, "STATUS"), "CONFIRMED")
	eq(t, "TRANSP", text(t, ev, "TRANSP"), "OPAQUE")

	org := one(t, ev, "ORGANIZER")
	eq(t, "ORGANIZER CN", org.Params.Get("CN"), e.Organizer.Name)
	eq(t, "ORGANIZER", org.Value, "mailto:"+e.Organizer.Email)

	atts := ev.Props.Values("ATTENDEE")
	eq(t, "attendees", len(atts), 2)
	for i, want := range e.Attendees {
		a := atts[i]
		eq(t, "ATTENDEE value", a.Value, "mailto:"+want.Email)
		eq(t, "ATTENDEE CN", a.Params.Get("CN"), want.Name)
		role := "OPT-PARTICIPANT"
		if want.Required {
			role = "REQ-PARTICIPANT"
		}
		eq(t, "ATTENDEE ROLE", a.Params.Get("ROLE"), role)
		eq(t, "ATTENDEE PARTSTAT", a.Params.Get("PARTSTAT"), "NEEDS-ACTION")
		// sendflow records answers from the email's link; the calendar is asked for none (issue 15).
		eq(t, "ATTENDEE RSVP", a.Params.Get("RSVP"), "FALSE")
	}

	alarm := child(t, ev, ical.CompAlarm)
	eq(t, "VALARM ACTION", text(t, alarm, "ACTION"), "DISPLAY")
	eq(t, "VALARM DESCRIPTION", text(t, alarm, "DESCRIPTION"), "Reminder: "+e.Summary)
	trig, err := one(t, alarm, "TRIGGER").Duration()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "VALARM TRIGGER", trig, -24*time.Hour)

	// The exact byte shape of a few lines clients are picky about.
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nPRODID:",
		"\r\nMETHOD:REQUEST\r\n",
		"\r\nDTSTART;TZID=Europe/London:20250710T100000\r\n",
		"\r\nORGANIZER;CN=\"Jo Smith (SENCo)\":mailto:senco@oakfield.sch.uk\r\n",
		"\r\nEND:VCALENDAR\r\n",
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("output lacks %q\n%s", want, raw)
		}
	}
	if !bytes.Contains(
		bytes.ReplaceAll(raw, []byte("\r\n "), nil),
		[]byte(
			"\r\nATTENDEE;CN=\"Grace Okafor\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:grace.okafor@example.org\r\n",
		),
	) {
		t.Errorf("ATTENDEE line not in the expected shape\n%s", raw)
	}
}

func TestContentType(t *testing.T) {
	eq(t, "REQUEST", ics.ContentType("REQUEST"), "text/calendar; charset=utf-8; method=REQUEST")
	eq(t, "cancel", ics.ContentType("cancel"), "text/calendar; charset=utf-8; method=CANCEL")
}

func TestSummerMeetingUsesBST(t *testing.T) {
	e := baseEvent()
	e.Start = time.Date(2025, time.July, 10, 9, 0, 0, 0, time.UTC) // 10:00 BST
	cal, _ := build(t, e)
	ev := onlyEvent(t, cal)
	p := one(t, ev, "DTSTART")
	eq(t, "DTSTART value", p.Value, "20250710T100000")
	got, err := p.DateTime(nil) // go-ical resolves the TZID itself
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "DTSTART (parser, UTC)", got.UTC().Format(time.RFC3339), "2025-07-10T09:00:00Z")

	// The same answer from the VTIMEZONE written in the file (what Outlook
	// uses), evaluated with the parser's RRULE support.
	tz := child(t, cal.Component, ical.CompTimezone)
	eq(t, "DTSTART (VTIMEZONE, UTC)", vtzToUTC(t, tz, p.Value).Format(time.RFC3339), "2025-07-10T09:00:00Z")

	// A winter meeting is on GMT.
	e.Start = time.Date(2026, time.January, 15, 10, 0, 0, 0, london)
	cal, _ = build(t, e)
	p = one(t, onlyEvent(t, cal), "DTSTART")
	eq(t, "winter DTSTART value", p.Value, "20260115T100000")
	got, _ = p.DateTime(nil)
	eq(t, "winter DTSTART (parser, UTC)", got.UTC().Format(time.RFC3339), "2026-01-15T10:00:00Z")
	tz = child(t, cal.Component, ical.CompTimezone)
	eq(t, "winter DTSTART (VTIMEZONE, UTC)", vtzToUTC(t, tz, p.Value).Format(time.RFC3339), "2026-01-15T10:00:00Z")
}

// TestVTimezoneMatchesTZDatabase evaluates the STANDARD/DAYLIGHT rules of the
// written VTIMEZONE and compares them with Go's Europe/London around every
// transition from 1997 to 2060 and in the middle of each season.
func TestVTimezoneMatchesTZDatabase(t *testing.T) {
	cal, _ := build(t, baseEvent())
	tz := child(t, cal.Component, ical.CompTimezone)
	for y := 1997; y <= 2060; y++ {
		var probes []time.Time
		for _, m := range []time.Month{time.March, time.October} {
			tr := transition(y, m)
			probes = append(probes, tr.Add(-time.Second), tr, tr.Add(time.Second), tr.Add(time.Hour))
		}
		probes = append(probes,
			time.Date(y, time.January, 15, 12, 0, 0, 0, time.UTC),
			time.Date(y, time.July, 15, 12, 0, 0, 0, time.UTC),
			time.Date(y, time.December, 31, 23, 59, 59, 0, time.UTC))
		for _, u := range probes {
			_, goOff := u.In(london).Zone()
			if got := vtzOffsetAt(t, tz, u); got != time.Duration(goOff)*time.Second {
				t.Errorf("%s: VTIMEZONE offset %s, tz database %ds", u.Format(time.RFC3339), got, goOff)
			}
		}
	}
}

// transition finds the instant in month m of year y when Europe/London changes
// offset, according to Go's tz database.
func transition(y int, m time.Month) time.Time {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	_, off := t.In(london).Zone()
	for ; t.Month() == m; t = t.Add(time.Hour) {
		if _, o := t.In(london).Zone(); o != off {
			return t
		}
	}
	panic(fmt.Sprintf("no transition in %d-%02d", y, m))
}

func parseOffset(t *testing.T, s string) time.Duration {
	t.Helper()
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("bad UTC offset %q", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil {
		t.Fatalf("bad UTC offset %q", s)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d
}

// vtzOffsetAt evaluates the VTIMEZONE at instant u: the observance whose latest
// onset is at or before u gives the offset (RFC 5545 §3.6.5).
func vtzOffsetAt(t *testing.T, tz *ical.Component, u time.Time) time.Duration {
	t.Helper()
	var best time.Time
	var off time.Duration
	for _, obs := range tz.Children {
		from := parseOffset(t, one(t, obs, "TZOFFSETFROM").Value)
		to := parseOffset(t, one(t, obs, "TZOFFSETTO").Value)
		set, err := obs.RecurrenceSet(time.UTC) // onsets as local wall times (in TZOFFSETFROM)
		if err != nil || set == nil {
			t.Fatalf("%s recurrence: %v", obs.Name, err)
		}
		wall := set.Before(u.UTC().Add(from), true)
		if wall.IsZero() {
			continue
		}
		if onset := wall.Add(-from); best.IsZero() || onset.After(best) {
			best, off = onset, to
		}
	}
	if best.IsZero() {
		t.Fatalf("no observance before %v", u)
	}
	return off
}

// vtzToUTC converts a local DATE-TIME value to UTC with the VTIMEZONE.
func vtzToUTC(t *testing.T, tz *ical.Component, value string) time.Time {
	t.Helper()
	w, err := time.ParseInLocation("20060102T150405", value, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []time.Duration{time.Hour, 0} {
		if u := w.Add(-off); vtzOffsetAt(t, tz, u) == off {
			return u.UTC()
		}
	}
	t.Fatalf("%s does not exist in the VTIMEZONE", value)
	return time.Time{}
}

// 01:30 on the night the clocks go back happens twice; RFC 5545 says a local
// 01:30 means the first, go-ical (like some clients) takes the second, so
// either instant is written in UTC and every reader agrees.
func TestAmbiguousHourIsWrittenInUTC(t *testing.T) {
	e := baseEvent()
	first := time.Date(2025, time.October, 26, 0, 30, 0, 0, time.UTC)  // 01:30 BST
	second := time.Date(2025, time.October, 26, 1, 30, 0, 0, time.UTC) // 01:30 GMT
	for _, start := range []time.Time{first, second} {
		e.Start = start
		cal, _ := build(t, e)
		p := one(t, onlyEvent(t, cal), "DTSTART")
		eq(t, "DTSTART", p.Value, start.Format("20060102T150405Z"))
		eq(t, "DTSTART TZID", p.Params.Get("TZID"), "")
		got, err := p.DateTime(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(start) {
			t.Errorf("DTSTART for %v parsed as %v", start, got.UTC())
		}
	}
}

const welshPolish = "Cyfarfod adolygu i drafod sut mae pethau'n mynd yn yr ysgol: " +
	"ŵyr, ŷd, âr, êl, îs, ôl, ûn — diolch yn fawr iawn i chi am ddod. " +
	"Spotkanie w sprawie przeglądu: zażółć gęślą jaźń, ŻÓŁW, źdźbło, " +
	"łódź, pięść, mąż, śnieg, ćma, ńa. Dziękujemy! 🙂 " +
	"Ymunwch â ni yn ystafell 4, ger y brif fynedfa; dewch â'ch cwestiynau."

func TestFoldingLongUTF8RoundTrips(t *testing.T) {
	e := baseEvent()
	e.Description = strings.Repeat(welshPolish+"\n", 3)
	e.Summary = "Adolygiad Ŵyr — przegląd łódź, " + strings.Repeat("ŵŷł", 20)
	e.Location = "Ysgol Gynradd Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch, Ystafell 4"
	cal, raw := build(t, e)
	ev := onlyEvent(t, cal)
	eq(t, "DESCRIPTION", text(t, ev, "DESCRIPTION"), e.Description)
	eq(t, "SUMMARY", text(t, ev, "SUMMARY"), e.Summary)
	eq(t, "LOCATION", text(t, ev, "LOCATION"), e.Location)
	if n := bytes.Count(raw, []byte("\r\n ")); n < 10 {
		t.Errorf("expected many folded lines, got %d", n)
	}

	// Every alignment of 2-, 3- and 4-byte runes against the fold points,
	// including a space right at a fold.
	for _, r := range []string{"ł", "ŵ", "—", "🙂", " "} {
		for pad := 0; pad < 80; pad++ {
			e := baseEvent()
			e.Description = strings.Repeat("a", pad) + strings.Repeat(r+"b"+r, 60)
			cal, _ := build(t, e)
			if got := text(t, onlyEvent(t, cal), "DESCRIPTION"); got != e.Description {
				t.Fatalf("pad %d rune %q: DESCRIPTION round trip\n got %q\nwant %q", pad, r, got, e.Description)
			}
		}
	}
}

func TestEscapingRoundTrips(t *testing.T) {
	e := baseEvent()
	e.Summary = `Review; part 1, with notes \ and more`
	e.Location = "Room 4, Main Building; Oakfield"
	e.Description = "Line one\nLine two, with a comma; a semicolon\\a backslash\r\nWindows line\rOld Mac line\\n literal\\,"
	e.Organizer.Name = `Smith, Jo; "SENCo": lead`
	e.Attendees[0].Name = "Okafor, Grace"
	cal, raw := build(t, e)
	ev := onlyEvent(t, cal)
	eq(t, "SUMMARY", text(t, ev, "SUMMARY"), e.Summary)
	eq(t, "LOCATION", text(t, ev, "LOCATION"), e.Location)
	wantDesc := "Line one\nLine two, with a comma; a semicolon\\a backslash\nWindows line\nOld Mac line\\n literal\\,"
	eq(t, "DESCRIPTION", text(t, ev, "DESCRIPTION"), wantDesc)
	// DQUOTE cannot appear in a parameter value; it becomes an apostrophe.
	eq(t, "ORGANIZER CN", one(t, ev, "ORGANIZER").Params.Get("CN"), `Smith, Jo; 'SENCo': lead`)
	eq(t, "ATTENDEE CN", ev.Props.Values("ATTENDEE")[0].Params.Get("CN"), "Okafor, Grace")
	unfolded := bytes.ReplaceAll(raw, []byte("\r\n "), nil)
	if !bytes.Contains(unfolded, []byte(`SUMMARY:Review\; part 1\, with notes \\ and more`+"\r\n")) {
		t.Errorf("SUMMARY not escaped as expected\n%s", raw)
	}
}

func TestCancel(t *testing.T) {
	req := baseEvent()
	req.Sequence = 2
	reqCal, _ := build(t, req)

	cancel := req
	cancel.Method = ics.MethodCancel
	cancel.Sequence = req.Sequence + 1
	cancel.Stamp = req.Stamp.Add(24 * time.Hour)
	cal, raw := build(t, cancel)

	eq(t, "METHOD", text(t, cal.Component, "METHOD"), "CANCEL")
	ev := onlyEvent(t, cal)
	eq(t, "STATUS", text(t, ev, "STATUS"), "CANCELLED")
	eq(t, "UID", text(t, ev, "UID"), text(t, onlyEvent(t, reqCal), "UID"))
	reqSeq, _ := one(t, onlyEvent(t, reqCal), "SEQUENCE").Int()
	seq, _ := one(t, ev, "SEQUENCE").Int()
	if seq <= reqSeq {
		t.Errorf("CANCEL SEQUENCE %d not above REQUEST SEQUENCE %d", seq, reqSeq)
	}
	for _, c := range ev.Children {
		if c.Name == ical.CompAlarm {
			t.Errorf("CANCEL carries a VALARM")
		}
	}
	// Still addressed to the attendees, from the organizer, for the same time.
	eq(t, "attendees", len(ev.Props.Values("ATTENDEE")), len(cancel.Attendees))
	eq(t, "ORGANIZER", one(t, ev, "ORGANIZER").Value, "mailto:"+cancel.Organizer.Email)
	eq(t, "DTSTART", one(t, ev, "DTSTART").Value, "20250710T100000")
	if bytes.Contains(raw, []byte("RSVP=TRUE")) {
		t.Errorf("CANCEL asks for an RSVP")
	}
	eq(t, "content type", ics.ContentType(cancel.Method), "text/calendar; charset=utf-8; method=CANCEL")

	// Method is case-insensitive.
	cancel.Method = "cancel"
	cal, _ = build(t, cancel)
	eq(t, "METHOD (lower-case input)", text(t, cal.Component, "METHOD"), "CANCEL")
}

func TestZeroStampDefaultsToNow(t *testing.T) {
	e := baseEvent()
	e.Stamp = time.Time{}
	before := time.Now().Add(-time.Second)
	cal, _ := build(t, e)
	got, err := one(t, onlyEvent(t, cal), "DTSTAMP").DateTime(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("DTSTAMP %v is not now", got)
	}
}

func TestOptionalFieldsOmitted(t *testing.T) {
	e := baseEvent()
	e.Location, e.Description, e.URL = "", "", ""
	e.Organizer.Name, e.Attendees[0].Name = "", ""
	cal, _ := build(t, e)
	ev := onlyEvent(t, cal)
	for _, name := range []string{"LOCATION", "DESCRIPTION", "URL"} {
		if len(ev.Props.Values(name)) != 0 {
			t.Errorf("%s written though empty", name)
		}
	}
	if _, ok := one(t, ev, "ORGANIZER").Params["CN"]; ok {
		t.Errorf("empty CN written")
	}
}

func TestInvalidEventsRefused(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*ics.Event)
		want   string
	}{
		{"no UID", func(e *ics.Event) { e.UID = " " }, "UID is required"},
		{
			"UID with newline",
			func(e *ics.Event) { e.UID = "a\nb@sendflow" },
			"UID must be valid UTF-8 without control characters",
		},
		{"negative sequence", func(e *ics.Event) { e.Sequence = -1 }, "SEQUENCE must not be negative"},
		{"no method", func(e *ics.Event) { e.Method = "" }, "method is required"},
		{"unknown method", func(e *ics.Event) { e.Method = "PUBLISH" }, `method "PUBLISH" is not supported`},
		{"no start", func(e *ics.Event) { e.Start = time.Time{} }, "start time is required"},
		{"zero duration", func(e *ics.Event) { e.Duration = 0 }, "duration must be at least one minute"},
		{"negative duration", func(e *ics.Event) { e.Duration = -time.Hour }, "duration must be at least one minute"},
		{"no organizer email", func(e *ics.Event) { e.Organizer.Email = "" }, "organizer email is required"},
		{
			"bad organizer email",
			func(e *ics.Event) { e.Organizer.Email = "not an email" },
			`organizer email "not an email"`,
		},
		{
			"organizer with display name",
			func(e *ics.Event) { e.Organizer.Email = "Jo <jo@example.org>" },
			"organizer email",
		},
		{"no attendees", func(e *ics.Event) { e.Attendees = nil }, "at least one attendee is required"},
		{"attendee without email", func(e *ics.Event) { e.Attendees[1].Email = "" }, "attendee 2: email is required"},
		{"attendee bad email", func(e *ics.Event) { e.Attendees[0].Email = "grace@" }, `attendee 1: email "grace@"`},
		{
			"attendee injection",
			func(e *ics.Event) { e.Attendees[0].Email = "a@b.org\r\nATTENDEE:mailto:x@y.org" },
			"attendee 1: email",
		},
		{"relative URL", func(e *ics.Event) { e.URL = "/r/abc" }, "must be an absolute http(s) URL"},
		{"javascript URL", func(e *ics.Event) { e.URL = "javascript:alert(1)" }, "must be an absolute http(s) URL"},
		{"URL with newline", func(e *ics.Event) { e.URL = "https://x.example/\r\nX:1" }, "must not contain spaces"},
		{"invalid UTF-8", func(e *ics.Event) { e.Description = "caf\xe9" }, "description must be valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := baseEvent()
			c.mutate(&e)
			out, err := ics.Build(e)
			if err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
			if !errors.Is(err, ics.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if out != nil {
				t.Errorf("output returned with an error")
			}
		})
	}

	// Every problem is reported at once.
	_, err := ics.Build(ics.Event{})
	for _, want := range []string{"UID is required", "method is required", "start time is required",
		"organizer email is required", "at least one attendee is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("empty event: error %v does not mention %q", err, want)
		}
	}
}

// The reminder speaks the invitation's language when the caller gives its words.
func TestReminderInTheCallersWords(t *testing.T) {
	e := baseEvent()
	e.Reminder = "Przypomnienie: spotkanie"
	cal, raw := build(t, e)
	alarm := child(t, cal.Events()[0].Component, ical.CompAlarm)
	eq(t, "VALARM DESCRIPTION", text(t, alarm, "DESCRIPTION"), "Przypomnienie: spotkanie")
	if bytes.Contains(raw, []byte("RSVP=TRUE")) {
		t.Errorf("an invitation asks the calendar to answer:\n%s", raw)
	}
}
