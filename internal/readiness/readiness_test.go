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
