package transfer

import (
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	cases := []struct {
		from, step, want, refused string
	}{
		{Requested, Release, Released, ""},
		{Released, Release, Released, ""},   // a retry carries the move on
		{Completed, Release, Completed, ""}, // a second copy of the form: answered as done
		{Refused, Release, "", "is refused"},
		{Withdrawn, Release, "", "is withdrawn"},
		{Requested, Refuse, Refused, ""},
		{Refused, Refuse, Refused, ""},
		{Released, Refuse, "", "is released: it can no longer be refused"},
		{Completed, Refuse, "", "can no longer be refused"},
		{Requested, Withdraw, Withdrawn, ""},
		{Withdrawn, Withdraw, Withdrawn, ""},
		{Released, Withdraw, "", "can no longer be withdrawn"},
		{Completed, Withdraw, "", "can no longer be withdrawn"},
		{Refused, Withdraw, "", "can no longer be withdrawn"},
		{Requested, "complete", "", "not a step"},
	}
	for _, c := range cases {
		got, err := Next(c.from, c.step)
		if c.refused != "" {
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%s from %s = %q, %v; want refused with %q", c.step, c.from, got, err, c.refused)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s from %s = %q, %v; want %q", c.step, c.from, got, err, c.want)
		}
	}
}

func TestSidesAndWords(t *testing.T) {
	for step, sending := range map[string]bool{Release: true, Refuse: true, Withdraw: false} {
		if Side(step) != sending {
			t.Errorf("Side(%s) = %v", step, !sending)
		}
	}
	for status, open := range map[string]bool{Requested: true, Released: true, Completed: false, Refused: false, Withdrawn: false} {
		if Open(status) != open {
			t.Errorf("Open(%s) = %v", status, !open)
		}
	}
	// The receiving school reads the same words for a request that matched nobody and one
	// that waits for the sending school: both are simply requested.
	if w := Words(Requested, true); !strings.Contains(w, "if this pupil's record is on sendflow") {
		t.Errorf("receiving school's words for a waiting request: %q", w)
	}
	if Words(Requested, false) == Words(Requested, true) {
		t.Error("the sending school should be asked to act")
	}
}
