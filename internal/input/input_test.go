package input

import (
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in, wantErr string
	}{
		{"Amara", ""},
		{"Zoë O'Brien-Łukasz", ""},
		{"Amy\r\nBcc: x@y.org", "line break"},
		{"Amy\nSmith", "line break"},
		{"Amy\tSmith", "control character"},
		{"Amy\x00", "control character"},
		{"Amy\u2028Smith", "control character"},
		{"\xff\xfe", "not valid text"},
		{strings.Repeat("a", 101), "at most 100"},
	} {
		err := Line(c.in, 100)
		if got := errText(err); !strings.Contains(got, c.wantErr) || (c.wantErr == "") != (err == nil) {
			t.Errorf("Line(%q) = %v, want %q", c.in, err, c.wantErr)
		}
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		in, want, wantErr string
	}{
		{"Going well.\r\nReading at home.", "Going well.\nReading at home.", ""},
		{"Tabs\tare fine", "Tabs\tare fine", ""},
		{"A NUL\x00 is not", "", "control character"},
		{"A bell\a is not", "", "control character"},
		{strings.Repeat("é", 11), "", "at most 10"},
	} {
		got, err := Text(c.in, 10+len(c.in)*b2i(c.wantErr == ""))
		if (c.wantErr == "") != (err == nil) || !strings.Contains(errText(err), c.wantErr) ||
			c.wantErr == "" && got != c.want {
			t.Errorf("Text(%q) = %q, %v; want %q, %q", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestEmail(t *testing.T) {
	for _, c := range []struct {
		in, wantErr string
	}{
		{"jo@example.com", ""},
		{" jo@example.com ", ""},
		{`"Mallory" <m@x.org>`, "without a name or <>"},
		{"Jo <jo@example.com>", "without a name or <>"},
		{"jo@localhost", "complete email address"},
		{"jo@example.com\r\nBcc: x@y.org", "line break"},
		{"not an address", "not an email address"},
		{"", "missing"},
	} {
		_, err := Email(c.in)
		if (c.wantErr == "") != (err == nil) || !strings.Contains(errText(err), c.wantErr) {
			t.Errorf("Email(%q) = %v, want %q", c.in, err, c.wantErr)
		}
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		d       time.Time
		wantErr string
	}{
		{day(2027, 1, 12), ""},
		{day(2066, 12, 31), ""},
		{day(2067, 1, 1), "between 1986 and 2066"},
		{day(9999, 1, 12), "between 1986 and 2066"},
		{day(1985, 12, 31), "between 1986 and 2066"},
	} {
		if err := Date(c.d, now); (c.wantErr == "") != (err == nil) || !strings.Contains(errText(err), c.wantErr) {
			t.Errorf("Date(%s) = %v, want %q", c.d.Format(time.DateOnly), err, c.wantErr)
		}
	}
	for _, c := range []struct {
		d       time.Time
		wantErr string
	}{
		{day(2018, 3, 14), ""},
		{day(2027, 1, 1), "in the future"},
		{day(2025, 6, 1), "younger than 2"},
		{day(2000, 1, 1), "more than 25"},
	} {
		if err := DateOfBirth(c.d, now); (c.wantErr == "") != (err == nil) ||
			!strings.Contains(errText(err), c.wantErr) {
			t.Errorf("DateOfBirth(%s) = %v, want %q", c.d.Format(time.DateOnly), err, c.wantErr)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A school's telephone number is kept as written and dialled from its digits.
func TestPhone(t *testing.T) {
	for _, c := range []struct{ in, dial, wantErr string }{
		{"01632 960 100", "01632960100", ""},
		{" +44 (0)1632 960-100 ", "+4401632960100", ""},
		{"", "", "is missing"},
		{"call the office", "", "not a telephone number"},
		{"01632 96+0100", "", "not a telephone number"},
		{"123", "", "has 3 digits"},
		{"0163\n2960100", "", "line break"},
	} {
		_, dial, err := Phone(c.in)
		if dial != c.dial || (c.wantErr == "") != (err == nil) || !strings.Contains(errText(err), c.wantErr) {
			t.Errorf("Phone(%q) = %q, %v; want %q, %q", c.in, dial, err, c.dial, c.wantErr)
		}
	}
}

// Language codes are BCP 47 tags; the first part is taken in lower case.
func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{"pl": "pl", "EN": "en", "Pa-Guru": "pa-Guru", " ur ": "ur"} {
		if got, err := Language(in); got != want || err != nil {
			t.Errorf("Language(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Polish", "pl_PL", "not a language"} {
		if _, err := Language(in); err == nil || !strings.Contains(err.Error(), "not a language code") {
			t.Errorf("Language(%q) = %v, want a refusal", in, err)
		}
	}
}
