package readiness

import (
	"reflect"
	"testing"
)

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name    string
		ev      Evidence
		met     bool
		missing []string
	}{
		{"nothing recorded", Evidence{}, false, []string{
			"Record at least 2 classroom strategies that have been tried (0 so far).",
			"Review at least 1 support plan with the parents' views (0 so far).",
		}},
		{"strategies but no review", Evidence{StrategiesTried: 3}, false, []string{
			"Review at least 1 support plan with the parents' views (0 so far).",
		}},
		{"one strategy short", Evidence{StrategiesTried: 1, ReviewedCyclesWithParentViews: 1}, false, []string{
			"Record at least 2 classroom strategies that have been tried (1 so far).",
		}},
		{"all there", Evidence{StrategiesTried: 2, ReviewedCyclesWithParentViews: 1}, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			met, missing := Met(Evaluate(tc.ev, Default))
			if met != tc.met || !reflect.DeepEqual(missing, tc.missing) {
				t.Errorf("Met = %v %q, want %v %q", met, missing, tc.met, tc.missing)
			}
		})
	}
}

// legacyEvaluate is the implementation this package had before rules became data; Default with
// count-only evidence must give exactly the same criteria.
func legacyEvaluate(ev Evidence, r Rules) []Criterion {
	return []Criterion{
		count("strategies_tried", ev.StrategiesTried, r.MinStrategies,
			"%d classroom strategies recorded.",
			"Record at least %d classroom strategies that have been tried (%d so far)."),
		count("reviewed_with_parents", ev.ReviewedCyclesWithParentViews, r.MinReviewedWithParent,
			"%d support plans reviewed with the parents' views.",
			"Review at least %d support plan with the parents' views (%d so far)."),
	}
}

func TestDefaultUnchanged(t *testing.T) {
	for s := 0; s <= 4; s++ {
		for c := 0; c <= 3; c++ {
			ev := Evidence{StrategiesTried: s, ReviewedCyclesWithParentViews: c}
			got := Evaluate(ev, Default)
			want := legacyEvaluate(ev, Default)
			if len(got) != len(want) {
				t.Fatalf("%+v: %d criteria, want %d", ev, len(got), len(want))
			}
			for i := range got {
				g := got[i]
				g.Rule = ""
				if g != want[i] {
					t.Errorf("%+v: criterion %d = %+v, want %+v", ev, i, g, want[i])
				}
			}
		}
	}
	rules := []string{}
	for _, c := range Evaluate(Evidence{}, Default) {
		rules = append(rules, c.Rule)
	}
	if want := []string{
		"At least 2 strategies from the pupil's areas of need",
		"At least 1 support plan reviewed with the parents' views",
	}; !reflect.DeepEqual(rules, want) {
		t.Errorf("Default rules = %q, want %q", rules, want)
	}
}
