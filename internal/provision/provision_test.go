package provision

import (
	"strings"
	"testing"
	"time"
)

func TestParseDelivery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Delivery
		err  string
	}{
		{"1:1", Delivery{OneToOne, 1}, ""},
		{" Group of 4 ", Delivery{Group, 4}, ""},
		{"group:6", Delivery{Group, 6}, ""},
		{"whole class", Delivery{WholeClass, 30}, ""},
		{"whole class of 28", Delivery{WholeClass, 28}, ""},
		{"group of 1", Delivery{}, "at least 2"},
		{"group of many", Delivery{}, "not a number"},
		{"pairs", Delivery{}, "use \"1:1\""},
	} {
		got, err := ParseDelivery(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDelivery(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDelivery(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestCostPerPupil(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Costing
		want Cost
	}{
		// 3 × 30 min at £18/h = £27 a week for the group, £6.75 each in a group of 4.
		{"group of 4", Costing{Delivery{Group, 4}, 30, 3, 1800, 0}, Cost{675, 8775, 26325}},
		// 5 × 15 min 1:1 at £18/h = £22.50 a week.
		{"1:1", Costing{Delivery{OneToOne, 1}, 15, 5, 1800, 0}, Cost{2250, 29250, 87750}},
		// a fixed £40 a year.
		{"fixed", Costing{Delivery{OneToOne, 1}, 0, 0, 0, 4000}, Cost{103, 1333, 4000}},
		{"whole class", Costing{Delivery{WholeClass, 30}, 60, 1, 3000, 0}, Cost{100, 1300, 3900}},
		{"no size", Costing{Delivery{}, 60, 1, 1000, 0}, Cost{1000, 13000, 39000}},
	} {
		if got := tc.c.PerPupil(); got != tc.want {
			t.Errorf("%s: PerPupil() = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestPenceWords(t *testing.T) {
	for p, want := range map[Pence]string{0: "£0.00", 675: "£6.75", 123456: "£1,234.56", 600000: "£6,000.00", -250: "-£2.50"} {
		if got := p.String(); got != want {
			t.Errorf("Pence(%d) = %q, want %q", p, got, want)
		}
	}
	if got := Pence(-123456).Pounds(); got != "-1234.56" {
		t.Errorf("Pounds = %q", got)
	}
}

func day(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }

func TestBehind(t *testing.T) {
	weeks := CompleteWeeks(day("2026-09-07"), day("2026-09-30")) // Mondays 7, 14, 21 Sept; the 28th is in progress
	if len(weeks) != 3 || !weeks[2].Equal(day("2026-09-21")) {
		t.Fatalf("CompleteWeeks = %v", weeks)
	}
	logs := func(ds ...string) []time.Time {
		var out []time.Time
		for _, d := range ds {
			out = append(out, day(d))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		logged []time.Time
		behind bool
	}{
		{"all delivered", logs("2026-09-07", "2026-09-09", "2026-09-11", "2026-09-14", "2026-09-16", "2026-09-18", "2026-09-21", "2026-09-23", "2026-09-25"), false},
		{"one poor week", logs("2026-09-07", "2026-09-09", "2026-09-11", "2026-09-14", "2026-09-21", "2026-09-23", "2026-09-25"), false},
		{"two poor weeks running", logs("2026-09-07", "2026-09-09", "2026-09-11", "2026-09-14", "2026-09-23"), true},
		{"poor weeks not running", logs("2026-09-07", "2026-09-14", "2026-09-16", "2026-09-18", "2026-09-21"), false},
		// the week in progress does not count: nothing logged yet this week is not a shortfall.
		{"this week empty", logs("2026-09-07", "2026-09-09", "2026-09-11", "2026-09-14", "2026-09-16", "2026-09-18", "2026-09-21", "2026-09-22", "2026-09-23"), false},
		// 2 of 3 is 67%, below 80%.
		{"two of three twice", logs("2026-09-14", "2026-09-15", "2026-09-21", "2026-09-22"), true},
	} {
		got := Behind(Count(weeks, 3, tc.logged, nil), 0.8)
		if got.Behind != tc.behind {
			t.Errorf("%s: Behind = %v (%s), want %v", tc.name, got.Behind, got.Reason, tc.behind)
		}
		if got.Behind && !strings.Contains(got.Reason, "3 sessions a week promised") {
			t.Errorf("%s: reason %q", tc.name, got.Reason)
		}
	}
	if Behind(Count(weeks[:1], 3, nil, nil), 0.8).Behind {
		t.Error("one week judged alone was flagged")
	}
	if Behind(Count(weeks, 0, nil, nil), 0.8).Behind {
		t.Error("provision with no sessions promised was flagged")
	}
}

func TestDemoCatalogue(t *testing.T) {
	c, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	it, ok := c.Item("talk-boost")
	if !ok {
		t.Fatal("talk-boost missing")
	}
	if got := it.Cost().Year.String(); got != "£263.25" {
		t.Errorf("talk-boost a year = %s", got)
	}
	if got := it.Frequency(); got != "3 × 30 min a week, group of 4" {
		t.Errorf("frequency = %q", got)
	}
	if c.DeliveryShare() != 0.8 {
		t.Errorf("share = %v", c.DeliveryShare())
	}
}

func TestParseRefuses(t *testing.T) {
	src := `id: x
version: "1"
school: A school
published: 2026-09-01
items:
  - id: a
    name: A
    kind: intervention
    delivery: pairs
    hourly_cost: 10
    fixed_cost: 5
    areas: [maths]
    strategies: [no.such]
  - id: a
    name: ""
    kind: thing
    delivery: "1:1"
    hourly_cost: 10
    areas: [cognition_and_learning]
`
	_, err := Parse([]byte(src), nil)
	if err == nil {
		t.Fatal("a bad catalogue was accepted")
	}
	for _, want := range []string{"items[0].delivery", "not both", "\"maths\" is not an area", "\"a\" is used twice", "items[1].name", "items[1].kind", "needs session_minutes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
