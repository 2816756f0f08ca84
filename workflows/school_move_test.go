package workflows

import (
	"strings"
	"testing"
	"time"
)

func TestValidateSchoolMove(t *testing.T) {
	st := NewPathwayState(testStart, time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	cases := []struct {
		name    string
		in      SchoolMoved
		refused string
	}{
		{"a move to another school", SchoolMoved{MoveID: "m1", ToSchoolID: "school-2", By: "sendco-1"}, ""},
		{"no transfer", SchoolMoved{ToSchoolID: "school-2"}, "needs the transfer"},
		{"no school", SchoolMoved{MoveID: "m1"}, "needs the school"},
		{"the same school", SchoolMoved{MoveID: "m1", ToSchoolID: "school-1"}, "already at this school"},
	}
	for _, c := range cases {
		err := st.ValidateSchoolMove(c.in)
		if (err == nil) != (c.refused == "") || err != nil && !strings.Contains(err.Error(), c.refused) {
			t.Errorf("%s: %v, want refused=%q", c.name, err, c.refused)
		}
	}
}

// TestPathwayMovesSchool: the move is taken once (a second copy is answered with the state), the
// pathway's school changes, the move record is accepted with it, the parents are told by the
// new school, and the next email about the pupil comes from the new school too.
func TestPathwayMovesSchool(t *testing.T) {
	env, rec := newEnv(t)
	move := SchoolMoved{MoveID: "move-1", ToSchoolID: "school-2", By: "sendco-1"}
	first, dup, again := &updateCallback{}, &updateCallback{}, &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(
			UpdateRaiseConcern,
			"u1",
			&updateCallback{},
			ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"},
		)
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.UpdateWorkflow(UpdateMoveSchool, "m1", first, move) }, 2*time.Minute)
	env.RegisterDelayedCallback(func() { env.UpdateWorkflow(UpdateMoveSchool, "m2", dup, move) }, 3*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateMoveSchool, "m3", again, SchoolMoved{MoveID: "move-2", ToSchoolID: "school-2"})
	}, 4*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(
			UpdateRaiseConcern,
			"u2",
			&updateCallback{},
			ConcernRaised{ConcernID: "c2", RaisedBy: "teacher-2"},
		)
	}, 5*time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, 6*time.Minute)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if first.err != nil || first.rejected != nil || first.result.SchoolID != "school-2" {
		t.Fatalf("move: err=%v rejected=%v school=%q", first.err, first.rejected, first.result.SchoolID)
	}
	if dup.rejected != nil || dup.err != nil || dup.result.SchoolID != "school-2" {
		t.Errorf("the move sent again: rejected=%v err=%v", dup.rejected, dup.err)
	}
	if again.rejected == nil || !strings.Contains(again.rejected.Error(), "already at this school") {
		t.Errorf("a second move to the same school: rejected=%v", again.rejected)
	}
	moves := 0
	for _, p := range rec.projections {
		for _, r := range p.Accept {
			if r.Kind == RecordSchoolMove && r.ID == "move-1" {
				moves++
				if p.SchoolID != "school-2" || len(p.Events) != 1 || p.Events[0].Kind != "school_moved" ||
					p.Events[0].By != "sendco-1" {
					t.Errorf("the move's projection = %+v", p)
				}
			}
		}
	}
	if moves != 1 {
		t.Errorf("the move was accepted %d times, want once", moves)
	}
	var told, concern *Notice
	for i, n := range rec.notices {
		switch n.Template {
		case "school_moved":
			told = &rec.notices[i]
		case "concern_raised":
			concern = &rec.notices[i]
		}
	}
	if told == nil || told.To[0] != ToParents || told.SchoolID != "school-2" {
		t.Errorf("parents' notice = %+v", told)
	}
	if concern == nil || concern.SchoolID != "school-2" {
		t.Errorf("the next concern's email comes from %+v, want the new school", concern)
	}
}
