package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// day builds a UTC midnight, the form every test date takes.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSpanParseGood(t *testing.T) {
	cases := []struct {
		in   string
		want Span
		str  string
	}{
		{"6w", Span{Days: 42}, "6w"},
		{"28d", Span{Days: 28}, "4w"},
		{"12mo", Span{Months: 12}, "12mo"},
		{"2mo", Span{Months: 2}, "2mo"},
		{"15d", Span{Days: 15}, "15d"},
		{"0d", Span{}, "0d"},
		{"0w", Span{}, "0d"},
		{"1mo2w", Span{Months: 1, Days: 14}, "1mo2w"},
		{"1mo3d", Span{Months: 1, Days: 3}, "1mo3d"},
		{"2w3d", Span{Days: 17}, "17d"},
		{"3d2w", Span{Days: 17}, "17d"},
		{" 6W ", Span{Days: 42}, "6w"},
		{"06w", Span{Days: 42}, "6w"},
	}
	for _, c := range cases {
		got, err := ParseSpan(c.in)
		if err != nil {
			t.Errorf("ParseSpan(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseSpan(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if got.String() != c.str {
			t.Errorf("ParseSpan(%q).String() = %q, want %q", c.in, got.String(), c.str)
		}
		back, err := ParseSpan(got.String())
		if err != nil || back != got {
			t.Errorf("round trip of %q via %q = %+v, %v", c.in, got.String(), back, err)
		}
	}
}

func TestSpanParseBad(t *testing.T) {
	cases := []struct{ in, mention string }{
		{"", `""`},
		{"6", "needs a unit"},
		{"w", `"w"`},
		{"6x", `"6x"`},
		{"6 w", `"6 w"`},
		{"-6w", `"-6w"`},
		{"6w2w", "twice"},
		{"1.5w", `"1.5w"`},
		{"6m", `"6m"`}, // m is ambiguous (minutes or months): refused, write mo
		{"6wk", `"6wk"`},
		{"99999999999999999999d", "too long"},
		{"1201mo", "too long"},
		{"5300w", "too long"},
	}
	for _, c := range cases {
		got, err := ParseSpan(c.in)
		if err == nil {
			t.Errorf("ParseSpan(%q) = %+v, want an error", c.in, got)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("ParseSpan(%q) error %q does not mention %s", c.in, err, c.mention)
		}
	}
}

func TestSpanAddTo(t *testing.T) {
	cases := []struct {
		span string
		from time.Time
		want time.Time
	}{
		{"1mo", day(2026, 1, 31), day(2026, 2, 28)}, // clamps, never 3 March
		{"1mo", day(2028, 1, 31), day(2028, 2, 29)}, // leap year
		{"12mo", day(2028, 2, 29), day(2029, 2, 28)},
		{"12mo", day(2026, 3, 15), day(2027, 3, 15)},
		{"2mo", day(2026, 12, 31), day(2027, 2, 28)}, // crosses the year end
		{"1mo", day(2026, 3, 31), day(2026, 4, 30)},
		{"6w", day(2026, 1, 5), day(2026, 2, 16)},
		{"20w", day(2026, 1, 5), day(2026, 5, 25)},
		{"28d", day(2028, 2, 10), day(2028, 3, 9)}, // 29 February counted
		{"1mo2w", day(2026, 1, 31), day(2026, 3, 14)},
		{"0d", day(2026, 1, 31), day(2026, 1, 31)},
	}
	for _, c := range cases {
		if got := MustParseSpan(c.span).AddTo(c.from); !got.Equal(c.want) {
			t.Errorf(
				"%s after %s = %s, want %s",
				c.span,
				c.from.Format(time.DateOnly),
				got.Format(time.DateOnly),
				c.want.Format(time.DateOnly),
			)
		}
	}
}

func TestSpanSubtractFrom(t *testing.T) {
	cases := []struct {
		span string
		from time.Time
		want time.Time
	}{
		{"1mo", day(2026, 3, 31), day(2026, 2, 28)},
		{"1mo", day(2028, 3, 31), day(2028, 2, 29)},
		{"2w", day(2026, 3, 1), day(2026, 2, 15)},
		{"12mo", day(2029, 2, 28), day(2028, 2, 28)},
		{"2mo", day(2027, 1, 31), day(2026, 11, 30)},  // crosses the year start
		{"1mo2w", day(2026, 3, 14), day(2026, 1, 28)}, // days first, then months
	}
	for _, c := range cases {
		if got := MustParseSpan(c.span).SubtractFrom(c.from); !got.Equal(c.want) {
			t.Errorf(
				"%s before %s = %s, want %s",
				c.span,
				c.from.Format(time.DateOnly),
				got.Format(time.DateOnly),
				c.want.Format(time.DateOnly),
			)
		}
	}
}

// Calendar days keep the wall-clock time across a clock change; a Duration would not.
func TestSpanAddAcrossClockChange(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	from := time.Date(2026, 3, 20, 9, 0, 0, 0, london)
	want := time.Date(2026, 4, 3, 9, 0, 0, 0, london)
	if got := MustParseSpan("2w").AddTo(from); !got.Equal(want) {
		t.Errorf("2w after %s = %s, want %s", from, got, want)
	}
}

func TestSpanIsZeroAndDescribe(t *testing.T) {
	if !(Span{}).IsZero() || (Span{Days: 1}).IsZero() || (Span{Months: 1}).IsZero() {
		t.Error("IsZero wrong")
	}
	cases := map[Span]string{
		{Days: 42}:            "6 weeks",
		{Days: 7}:             "1 week",
		{Days: 15}:            "15 days",
		{Days: 1}:             "1 day",
		{Months: 12}:          "12 months",
		{Months: 1, Days: 14}: "1 month and 2 weeks",
		{}:                    "0 days",
	}
	for s, want := range cases {
		if got := s.Describe(); got != want {
			t.Errorf("%+v.Describe() = %q, want %q", s, got, want)
		}
	}
}

func TestSpanYAMLAndJSON(t *testing.T) {
	var v struct {
		W Span     `yaml:"w" json:"w"`
		D MonthDay `yaml:"d" json:"d"`
	}
	if err := yaml.Unmarshal([]byte("w: 1mo2w\nd: \"02-15\"\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.W != (Span{Months: 1, Days: 14}) || v.D != (MonthDay{time.February, 15}) {
		t.Fatalf("got %+v", v)
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "w: 1mo2w\nd: \"02-15\"\n" {
		t.Errorf("yaml = %q", out)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"w":"1mo2w","d":"02-15"}` {
		t.Errorf("json = %s", js)
	}
	var back struct {
		W Span     `json:"w"`
		D MonthDay `json:"d"`
	}
	if err := json.Unmarshal(js, &back); err != nil || back.W != v.W || back.D != v.D {
		t.Errorf("json round trip = %+v, %v", back, err)
	}
	err = yaml.Unmarshal([]byte("w: 6x\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), `"6x"`) {
		t.Errorf("bad yaml span error = %v", err)
	}
	if err := yaml.Unmarshal([]byte("w: [6w]\n"), &v); err == nil {
		t.Error("a list accepted as a span")
	}
}

func TestSpanMonthDay(t *testing.T) {
	good := map[string]MonthDay{
		"02-15": {time.February, 15},
		"03-31": {time.March, 31},
		"02-29": {time.February, 29},
		"12-01": {time.December, 1},
	}
	for in, want := range good {
		got, err := ParseMonthDay(in)
		if err != nil || got != want {
			t.Errorf("ParseMonthDay(%q) = %+v, %v", in, got, err)
		}
		if got.String() != in {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), in)
		}
	}
	for _, in := range []string{"", "2-15", "02/15", "13-01", "00-10", "02-30", "04-31", "02-00", "ab-cd", "02-15-01"} {
		if got, err := ParseMonthDay(in); err == nil {
			t.Errorf("ParseMonthDay(%q) = %+v, want an error", in, got)
		}
	}
	leap := MonthDay{time.February, 29}
	if got := leap.In(2027, time.UTC); !got.Equal(day(2027, 2, 28)) {
		t.Errorf("29 Feb in 2027 = %s", got)
	}
	if got := leap.In(2028, time.UTC); !got.Equal(day(2028, 2, 29)) {
		t.Errorf("29 Feb in 2028 = %s", got)
	}
	if got := (MonthDay{time.February, 15}).In(2027, time.UTC); !got.Equal(day(2027, 2, 15)) {
		t.Errorf("15 Feb in 2027 = %s", got)
	}
}
