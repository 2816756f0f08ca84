package workflows

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// recorder stands in for the activities' side effects and remembers what the workflow asked.
type recorder struct {
	projections []Projection
	notified    []NotifyConcern
}

func (r *recorder) project(_ context.Context, p Projection) error {
	r.projections = append(r.projections, p)
	return nil
}

func (r *recorder) notify(_ context.Context, n NotifyConcern) error {
	r.notified = append(r.notified, n)
	return nil
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	r := &recorder{}
	env.RegisterActivityWithOptions(r.project, activity.RegisterOptions{Name: ActivityProjectPathway})
	env.RegisterActivityWithOptions(r.notify, activity.RegisterOptions{Name: ActivityNotifyConcern})
	return env, r
}

// updateCallback collects an update's outcome in the test environment.
type updateCallback struct {
	t        *testing.T
	rejected error
	result   PathwayState
	err      error
	done     bool
}

func (u *updateCallback) Accept()          {}
func (u *updateCallback) Reject(err error) { u.rejected, u.done = err, true }
func (u *updateCallback) Complete(v any, err error) {
	u.done, u.err = true, err
	if s, ok := v.(PathwayState); ok {
		u.result = s
	}
}

func TestConcernStartsTriage(t *testing.T) {
	env, rec := newEnv(t)
	first, dup := &updateCallback{t: t}, &updateCallback{t: t}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "u1", first, ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "u2", dup, ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		res, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		var st PathwayState
		if err := res.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Stage != StageAwaitingTriage || len(st.Concerns) != 1 {
			t.Errorf("state after concerns = %+v", st)
		}
		env.CancelWorkflow()
	}, 3*time.Minute)
	env.ExecuteWorkflow(PathwayWorkflowName, PathwayInput{PupilID: "pupil-1", SchoolID: "school-1"})

	if !first.done || first.err != nil || first.rejected != nil {
		t.Fatalf("first concern: done=%v err=%v rejected=%v", first.done, first.err, first.rejected)
	}
	if first.result.Stage != StageAwaitingTriage {
		t.Errorf("update answered stage %s, want awaiting_triage", first.result.Stage)
	}
	if dup.rejected == nil || !strings.Contains(dup.rejected.Error(), "already recorded") {
		t.Errorf("duplicate concern not refused with a reason: %v", dup.rejected)
	}
	if len(rec.projections) != 1 || rec.projections[0].State.Stage != StageAwaitingTriage || len(rec.projections[0].Events) != 1 {
		t.Errorf("projections = %+v", rec.projections)
	}
	if len(rec.notified) != 1 || rec.notified[0].ConcernID != "c1" || rec.notified[0].SchoolID != "school-1" {
		t.Errorf("notifications = %+v", rec.notified)
	}
}
