package workflows

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The write protocol (protocol.go), tried on the pathway in the test environment.

// refusedWith reports whether an update ended refused (by its validator, or by its handler
// checking again) with a reason containing phrase.
func refusedWith(u *updateCallback, phrase string) bool {
	var app *temporal.ApplicationError
	err := errors.Join(u.rejected, u.err)
	return errors.As(err, &app) && app.Type() == RefusalType && strings.Contains(app.Message(), phrase)
}

// Two SENDCos triage the same concern at the same moment. Both pass the validator (the state
// it sees has the concern waiting), but the handlers run one at a time and check again: one
// decision is taken, the other is refused with a reason, and only one is saved.
func TestTwoDecisionsAtOnceOneIsTaken(t *testing.T) {
	env, rec := newEnv(t)
	first, second := &updateCallback{}, &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(
			UpdateRaiseConcern,
			"u1",
			&updateCallback{},
			ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"},
		)
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateTriage, "u2", first, Triage{ID: "t1", Decision: TriageSENSupport, By: "sendco-1"})
		env.UpdateWorkflow(
			UpdateTriage,
			"u3",
			second,
			Triage{ID: "t2", Decision: TriageNoFurtherAction, By: "sendco-2"},
		)
	}, 2*time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if !first.done || first.rejected != nil || first.err != nil || first.result.Stage != StageSENSupport {
		t.Fatalf(
			"first decision: done=%v rejected=%v err=%v stage=%s",
			first.done,
			first.rejected,
			first.err,
			first.result.Stage,
		)
	}
	if !refusedWith(second, "no concern waiting for triage") {
		t.Errorf(
			"second decision at the same moment: rejected=%v err=%v; want refused, the concern already triaged",
			second.rejected,
			second.err,
		)
	}
	var triaged int
	for _, p := range rec.projections {
		for _, e := range p.Events {
			if strings.HasPrefix(e.Kind, "triaged_") {
				triaged++
			}
		}
	}
	if triaged != 1 {
		t.Errorf("%d triage decisions saved, want 1", triaged)
	}
}

// A change that cannot be saved is not kept: the state stays as it was and the action can be
// sent again, and then it is taken, once.
func TestAChangeThatCannotBeSavedIsNotKept(t *testing.T) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	rec := &recorder{}
	rec.register(env)
	var broken atomic.Bool
	env.RegisterActivityWithOptions(func(ctx context.Context, c Commit) error {
		if broken.Load() {
			return temporal.NewNonRetryableApplicationError(
				"the record to accept was never proposed",
				"RecordMissing",
				nil,
			)
		}
		return rec.commit(ctx, c)
	}, activity.RegisterOptions{Name: ActivityCommit})
	concern := ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"}
	failed, retried := &updateCallback{}, &updateCallback{}
	var between PathwayState
	env.RegisterDelayedCallback(func() {
		broken.Store(true)
		env.UpdateWorkflow(UpdateRaiseConcern, "attempt-1", failed, concern)
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		if err == nil {
			err = v.Get(&between)
		}
		if err != nil {
			t.Errorf("query: %v", err)
		}
		broken.Store(false)
		env.UpdateWorkflow(UpdateRaiseConcern, "attempt-2", retried, concern)
	}, 2*time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if !failed.done || failed.err == nil {
		t.Fatalf("the first attempt: done=%v err=%v; want it to fail", failed.done, failed.err)
	}
	if between.Stage != StageNone || len(between.Concerns) != 0 || between.Version != 0 {
		t.Errorf(
			"after a change that could not be saved the pathway is %s with %d concerns (version %d); want it unchanged",
			between.Stage,
			len(between.Concerns),
			between.Version,
		)
	}
	if !retried.done || retried.err != nil || retried.rejected != nil || len(retried.result.Concerns) != 1 ||
		retried.result.Stage != StageAwaitingTriage {
		t.Errorf("the action sent again: done=%v err=%v rejected=%v concerns=%d stage=%s; want it taken once",
			retried.done, retried.err, retried.rejected, len(retried.result.Concerns), retried.result.Stage)
	}
	if got := rec.templates(); len(got) != 1 {
		t.Errorf("emails queued: %v, want the SENDCo told once", got)
	}
}

// An action sent again while the first copy is still being saved (a retry after a timeout)
// waits for it and is answered with the state it made: applied once, one email.
func TestARepeatWhileTheFirstIsSavedIsAnsweredOnce(t *testing.T) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	rec := &recorder{}
	rec.register(env)
	env.RegisterActivityWithOptions(func(ctx context.Context, c Commit) error {
		time.Sleep(50 * time.Millisecond) // slow enough for the repeat to arrive meanwhile
		return rec.commit(ctx, c)
	}, activity.RegisterOptions{Name: ActivityCommit})
	concern := ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1", StrategiesTried: 1}
	first, repeat := &updateCallback{}, &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "attempt-1", first, concern)
		env.UpdateWorkflow(UpdateRaiseConcern, "attempt-2", repeat, concern)
	}, time.Minute)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	for name, u := range map[string]*updateCallback{"first": first, "repeat": repeat} {
		if !u.done || u.err != nil || u.rejected != nil || len(u.result.Concerns) != 1 {
			t.Errorf(
				"%s: done=%v err=%v rejected=%v concerns=%d; want answered with one concern",
				name,
				u.done,
				u.err,
				u.rejected,
				len(u.result.Concerns),
			)
		}
	}
	if got := rec.templates(); len(got) != 1 {
		t.Errorf("emails queued: %v, want the SENDCo told once", got)
	}
}
