package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

func london(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, London)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNextDeliveryCheck(t *testing.T) {
	for _, tc := range []struct{ from, want string }{
		{"2026-11-27 16:00", "2026-11-30 07:00"}, // Friday afternoon: the Monday after
		{"2026-11-30 06:59", "2026-11-30 07:00"}, // Monday before seven: that morning
		{"2026-11-30 07:00", "2026-12-07 07:00"}, // at the check: the next week's
		{"2026-10-24 12:00", "2026-10-26 07:00"}, // the clocks go back on the Sunday: still seven in London
		{"2027-03-27 12:00", "2027-03-29 07:00"}, // and forward
	} {
		if got := NextDeliveryCheck(london(tc.from)); !got.Equal(london(tc.want)) {
			t.Errorf("NextDeliveryCheck(%s) = %s, want %s", tc.from, got.In(London), tc.want)
		}
	}
}

// watchRun runs one run of the watcher from start with input in; it returns the checks the
// activity was asked for and the input the run continued as new with.
func watchRun(t *testing.T, start time.Time, in DeliveryWatchInput) ([]time.Time, DeliveryWatchInput) {
	t.Helper()
	env := quietSuite().NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflowWithOptions(DeliveryWatch, workflow.RegisterOptions{Name: DeliveryWatchWorkflowName})
	var checks []time.Time
	env.RegisterActivityWithOptions(func(_ context.Context, c DeliveryCheck) (DeliveryChecked, error) {
		checks = append(checks, c.At)
		return DeliveryChecked{Schools: 1}, nil
	}, activity.RegisterOptions{Name: ActivityDeliveryCheck})
	env.ExecuteWorkflow(DeliveryWatchWorkflowName, in)
	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("the watcher ended with %v, want to continue as new", env.GetWorkflowError())
	}
	var next DeliveryWatchInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if can.WorkflowType.Name != DeliveryWatchWorkflowName {
		t.Errorf("continued as %s", can.WorkflowType.Name)
	}
	return checks, next
}

// The watcher checks once a week, on Monday morning, and carries on as a new run each week.
func TestDeliveryWatchChecksWeeklyAndContinuesAsNew(t *testing.T) {
	start := london("2026-12-02 10:00") // a Wednesday: the worker starts the watcher
	checks, next := watchRun(t, start, DeliveryWatchInput{})
	if len(checks) != 1 || !checks[0].Equal(london("2026-12-07 07:00")) {
		t.Fatalf("first run checked %v, want once on Monday 7 December at 07:00", checks)
	}
	if !next.Next.Equal(london("2026-12-14 07:00")) {
		t.Fatalf("continued as new to check at %s, want the Monday after", next.Next.In(London))
	}
	// The next run waits for its Monday and checks that week.
	checks, next = watchRun(t, london("2026-12-07 07:00"), next)
	if len(checks) != 1 || !checks[0].Equal(london("2026-12-14 07:00")) || !next.Next.Equal(london("2026-12-21 07:00")) {
		t.Errorf("second run checked %v and continued to %s", checks, next.Next.In(London))
	}
}

// A watcher whose worker was away for weeks checks once when it is back, as the latest check
// due, not once for every Monday missed.
func TestDeliveryWatchAfterAnOutageChecksOnce(t *testing.T) {
	checks, next := watchRun(t, london("2026-12-23 09:00"), DeliveryWatchInput{Next: london("2026-12-07 07:00")})
	if len(checks) != 1 || !checks[0].Equal(london("2026-12-21 07:00")) {
		t.Errorf("checked %v, want once, for the week of 21 December", checks)
	}
	if !next.Next.Equal(london("2026-12-28 07:00")) {
		t.Errorf("continued to %s, want 28 December", next.Next.In(London))
	}
}
