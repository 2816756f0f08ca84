package readiness

import (
	"strings"
	"testing"
)

func TestNotionalSENBudget(t *testing.T) {
	r := Rules{NotionalSENBudget: 6000}
	for _, tc := range []struct {
		name          string
		pence         int64
		items         int
		met           bool
		evidence, gap string
	}{
		{"nothing costed", 0, 0, false, "", "No provision in the pupil's plan is costed"},
		{"short", 114075, 2, false, "comes to £1,140.75 a year", "£4,859.25 short of the £6,000.00 a year"},
		{"exactly", 600000, 3, true, "comes to £6,000.00 a year", ""},
		{"over", 712345, 4, true, "comes to £7,123.45 a year", ""},
	} {
		cs := Evaluate(Evidence{CostedPencePerYear: tc.pence, CostedItems: tc.items}, r)
		if len(cs) != 1 || cs[0].ID != NotionalBudget {
			t.Fatalf("%s: criteria %+v", tc.name, cs)
		}
		c := cs[0]
		if c.Met != tc.met || !strings.Contains(c.Evidence, tc.evidence) || !strings.Contains(c.Missing, tc.gap) ||
			(tc.met && c.Missing != "") {
			t.Errorf("%s: %+v", tc.name, c)
		}
		if !strings.Contains(c.Rule, "£6,000.00 a year") {
			t.Errorf("%s: rule %q", tc.name, c.Rule)
		}
	}
	if cs := Evaluate(Evidence{}, Rules{}); len(cs) != 0 {
		t.Errorf("no budget rule asked, criteria %+v", cs)
	}
	if ps := (Rules{NotionalSENBudget: -1}).Problems(); len(ps) != 1 || ps[0].Field != "notional_sen_budget" {
		t.Errorf("problems = %+v", ps)
	}
}
