package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
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
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
	})
}

// withCommitOptions applies the options of the Commit activity: like the local activities, each
// attempt has 30 seconds and attempts go on until PostgreSQL answers; a regular activity has no
// overall limit unless one is set.
func withCommitOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
	})
}

// untilDependencyReturns bounds retries only to keep time arithmetic finite: ten years.
const untilDependencyReturns = 10 * 365 * 24 * time.Hour

// calendarNow is the pathway calendar's time (see Clock).
func calendarNow(ctx workflow.Context, c Clock) time.Time { return c.Now(workflow.Now(ctx)) }

// sleepUntil waits until calendar time at (when has is true), or until woken says a staff action
// or a signal changed something worth looking at.
func sleepUntil(ctx workflow.Context, c Clock, at time.Time, has bool, woken func() bool) error {
	if !has {
		return workflow.Await(ctx, woken)
	}
	d := c.Delay(calendarNow(ctx, c), at)
	if d <= 0 {
		return nil
	}
	_, err := workflow.AwaitWithTimeout(ctx, d, woken)
	return err
}

// project writes a workflow's state to the read model before the action is answered, so the
// API's next read shows what the user just did.
func project(ctx workflow.Context, p Projection) error {
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = workflow.Now(ctx)
	}
	return workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityProject, p).Get(ctx, nil)
}

// notify queues emails through the outbox.
func notify(ctx workflow.Context, n Notice) error {
	return workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityNotify, n).Get(ctx, nil)
}

// stateJSON encodes a state for the read model. encoding/json sorts map keys, so it is
// deterministic and safe in workflow code.
func stateJSON(v any) json.RawMessage {
	b, err := json.Marshal(v) //workflowcheck:ignore encoding/json writes map keys sorted
	if err != nil {
		panic(fmt.Sprintf("encode workflow state: %v", err)) // a programming error: state types are plain data
	}
	return b
}

// Signal names.
const (
	SignalChild = "child-changed"
)

// ChildChanged is how a child workflow tells the pathway something happened. One field is set.
type ChildChanged struct {
	Cycle        *CycleReviewed
	Referral     *ReferralChanged
	EHC          *EHCFinished
	AnnualReview *AnnualReviewFinished
}

// tellPathway signals the pupil's pathway (its current run, whatever continue-as-new did).
func tellPathway(ctx workflow.Context, pupilID string, c ChildChanged) error {
	return workflow.SignalExternalWorkflow(ctx, PathwayWorkflowID(pupilID), "", SignalChild, c).Get(ctx, nil)
}

// Child workflow ids hang off the pathway's id so an operator finds a pupil's whole story.
func CycleWorkflowID(pupilID string, n int) string {
	return fmt.Sprintf("%s/cycle/%d", PathwayWorkflowID(pupilID), n)
}

// ReferralWorkflowID is the workflow of one referral.
func ReferralWorkflowID(pupilID, referralID string) string {
	return PathwayWorkflowID(pupilID) + "/referral/" + referralID
}

// EHCWorkflowID is the workflow of one EHC needs assessment.
func EHCWorkflowID(pupilID, requestID string) string {
	return PathwayWorkflowID(pupilID) + "/ehc/" + requestID
}

// AnnualReviewWorkflowID is the workflow of one annual review.
func AnnualReviewWorkflowID(pupilID string, n int) string {
	return fmt.Sprintf("%s/annual-review/%d", PathwayWorkflowID(pupilID), n)
}

// startChild starts a child workflow that outlives this run of its parent (continue-as-new does
// not stop it) and waits until it has started.
func startChild(ctx workflow.Context, id, name string, input any) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        id,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON, // children report back by signal
	})
	return workflow.ExecuteChildWorkflow(cctx, name, input).GetChildWorkflowExecution().Get(ctx, nil)
}

func itoa(n int64) string { return fmt.Sprint(n) }

// sortDeadlines orders deadlines by date (map iteration order must not reach the read model).
func sortDeadlines(d []Deadline) {
	slices.SortFunc(d, func(a, b Deadline) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
}
