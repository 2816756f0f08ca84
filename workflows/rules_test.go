package workflows

// Helpers shared by the rules tests, one file per rules file.

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// checkRule compares a rule's answer with want: "" for accepted, else the exact refusal reason.
func checkRule(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case want == "":
	case err == nil:
		t.Errorf("%s: accepted, want refused: %s", name, want)
	case !errors.Is(err, ErrRefused):
		t.Errorf("%s: %v is not a refusal", name, err)
	case strings.TrimPrefix(err.Error(), "refused: ") != want:
		t.Errorf("%s: refused with\n %q\nwant\n %q", name, strings.TrimPrefix(err.Error(), "refused: "), want)
	}
}

// Monday 7 September 2026, 9am, as in the workflow tests.
var rulesNow = time.Date(2026, 9, 7, 9, 0, 0, 0, time.UTC)

func pathwayAt(stage Stage) *PathwayState {
	s := NewPathwayState(PathwayInput{PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}, rulesNow)
	s.Stage = stage
	return s
}
