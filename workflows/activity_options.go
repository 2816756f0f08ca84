package workflows

// How long activities may take and how they retry: until the dependency they need is back.

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// withActivityOptions applies the options of the pathway's activities. The projection and the
// outbox insert are short, idempotent database writes, so they run as local activities: a third
// of the latency of a staff action, measured by BenchmarkRaiseConcern. Update handlers get their
// own context, so each handler applies these options.
//
// PostgreSQL may be down for a while: each attempt has 30 seconds, and attempts go on (every 30
// seconds at most, so the work resumes soon after the database is back) until it answers —
// without ScheduleToCloseTimeout the SDK would stop at the first 30 seconds and fail the
// workflow. Only an error marked non-retryable (a programming error) stops them.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: untilDependencyReturns,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

// withCommitOptions applies the options of the Commit activity: like the local activities, each
// attempt has 30 seconds and attempts go on until PostgreSQL answers; a regular activity has no
// overall limit unless one is set.
func withCommitOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}

// untilDependencyReturns bounds retries only to keep time arithmetic finite: ten years.
const untilDependencyReturns = 10 * 365 * 24 * time.Hour
