package workflows

import (
	"errors"
	"testing"
	"time"
)

func TestConcernMovesPupilToTriage(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		from      Stage
		wantStage Stage
		wantKind  string
	}{
		{"first concern", StageNone, StageAwaitingTriage, "concern_raised"},
		{"concern while monitoring", StageMonitoring, StageAwaitingTriage, "concern_raised"},
		{"second concern awaiting triage", StageAwaitingTriage, StageAwaitingTriage, "concern_raised"},
		{"concern on SEN support keeps stage", StageSENSupport, StageSENSupport, "concern_raised"},
		{"concern with EHC plan keeps stage", StageEHCPlan, StageEHCPlan, "concern_raised"},
		{"concern after no further action reopens", StageClosed, StageAwaitingTriage, "concern_raised"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewPathwayState(PathwayInput{PupilID: "p1", SchoolID: "s1", Timings: DefaultTimings()}, time.Now())
			s.Stage = tc.from
			c := ConcernRaised{ConcernID: "c1", RaisedBy: "u1"}
			if err := s.ValidateConcern(c); err != nil {
				t.Fatalf("validate: %v", err)
			}
			ev := s.ApplyConcern(c, now)
			if s.Stage != tc.wantStage {
				t.Errorf("stage = %s, want %s", s.Stage, tc.wantStage)
			}
			if ev.Kind != tc.wantKind || ev.Seq != 1 || s.Version != 1 || len(s.Concerns) != 1 {
				t.Errorf("event %+v, version %d, concerns %d", ev, s.Version, len(s.Concerns))
			}
		})
	}
}

func TestConcernRefused(t *testing.T) {
	cases := []struct {
		name  string
		state func() *PathwayState
		in    ConcernRaised
	}{
		{"missing id", func() *PathwayState {
			return NewPathwayState(PathwayInput{PupilID: "p", SchoolID: "s", Timings: DefaultTimings()}, time.Now())
		}, ConcernRaised{RaisedBy: "u"}},
		{"missing author", func() *PathwayState {
			return NewPathwayState(PathwayInput{PupilID: "p", SchoolID: "s", Timings: DefaultTimings()}, time.Now())
		}, ConcernRaised{ConcernID: "c"}},
		{"negative strategies", func() *PathwayState {
			return NewPathwayState(PathwayInput{PupilID: "p", SchoolID: "s", Timings: DefaultTimings()}, time.Now())
		}, ConcernRaised{ConcernID: "c", RaisedBy: "u", StrategiesTried: -1}},
		{"same concern twice", func() *PathwayState {
			s := NewPathwayState(PathwayInput{PupilID: "p", SchoolID: "s", Timings: DefaultTimings()}, time.Now())
			s.ApplyConcern(ConcernRaised{ConcernID: "c", RaisedBy: "u"}, time.Now())
			return s
		}, ConcernRaised{ConcernID: "c", RaisedBy: "u"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.state()
			before := *s
			err := s.ValidateConcern(tc.in)
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if s.Version != before.Version || s.Stage != before.Stage {
				t.Error("validation changed the state")
			}
		})
	}
}
