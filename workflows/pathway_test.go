package workflows

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// recorder stands in for the activities' side effects and remembers what the workflows asked.
type recorder struct {
	mu          sync.Mutex
	projections []Projection
	notices     []Notice
	readiness   Readiness
	parents     []string
}

func (r *recorder) project(_ context.Context, p Projection) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.projections = append(r.projections, p)
	return nil
}

func (r *recorder) notify(_ context.Context, n Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) pupilParents(_ context.Context, _ string) ([]string, error) { return r.parents, nil }

func (r *recorder) checkReadiness(_ context.Context, _ ReadinessRequest) (Readiness, error) {
	return r.readiness, nil
}

// templates lists the templates of the notices sent, in order.
func (r *recorder) templates() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.notices {
		out = append(out, n.Template)
	}
	return out
}

func (r *recorder) register(env interface {
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}) {
	env.RegisterActivityWithOptions(r.project, activity.RegisterOptions{Name: ActivityProject})
	env.RegisterActivityWithOptions(r.notify, activity.RegisterOptions{Name: ActivityNotify})
	env.RegisterActivityWithOptions(r.pupilParents, activity.RegisterOptions{Name: ActivityPupilParents})
	env.RegisterActivityWithOptions(r.checkReadiness, activity.RegisterOptions{Name: ActivityCheckReadiness})
}

func quietSuite() *testsuite.WorkflowTestSuite {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	return &s
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	r := &recorder{parents: []string{"parent-1"}}
	r.register(env)
	return env, r
}

// updateCallback collects an update's outcome in the test environment.
type updateCallback struct {
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

var testStart = PathwayInput{PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}

func TestConcernStartsTriage(t *testing.T) {
	env, rec := newEnv(t)
	first, dup := &updateCallback{}, &updateCallback{}
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
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if !first.done || first.err != nil || first.rejected != nil {
		t.Fatalf("first concern: done=%v err=%v rejected=%v", first.done, first.err, first.rejected)
	}
	if first.result.Stage != StageAwaitingTriage {
		t.Errorf("update answered stage %s, want awaiting_triage", first.result.Stage)
	}
	if dup.rejected == nil || !strings.Contains(dup.rejected.Error(), "already recorded") {
		t.Errorf("duplicate concern not refused with a reason: %v", dup.rejected)
	}
	if len(rec.projections) != 1 || rec.projections[0].Status != string(StageAwaitingTriage) || len(rec.projections[0].Events) != 1 {
		t.Errorf("projections = %+v", rec.projections)
	}
	if got := rec.templates(); len(got) != 1 || got[0] != "concern_raised" || rec.notices[0].To[0] != ToSENDCo {
		t.Errorf("notices = %+v", rec.notices)
	}
}
