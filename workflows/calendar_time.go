package workflows

// The pathway calendar's time in workflow code, and waiting on it.

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

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
