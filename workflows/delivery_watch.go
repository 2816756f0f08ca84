package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The delivery watcher: one long-lived workflow per installation that, each school week, has
// every school's provision judged by the delivery rule and tells each school's SENDCo of what has
// newly fallen behind (the activity, DeliveryCheck, does both; the rule is internal/provision's).
const (
	DeliveryWatchWorkflowName = "DeliveryWatch"
	// DeliveryWatchWorkflowID is the watcher's one id: the worker starts it on every start, and a
	// start while it runs joins the running one.
	DeliveryWatchWorkflowID = "delivery-watch"
	ActivityDeliveryCheck   = "DeliveryCheck"
)

// DeliveryCheckDay and DeliveryCheckHour are when the weekly check runs: Monday 07:00 in London,
// before the school day, judging the week that ended on the Friday.
const (
	DeliveryCheckDay  = time.Monday
	DeliveryCheckHour = 7
)

// DeliveryWatchInput starts a run of the watcher. Next is the check it waits for; zero on the
// first start, when the run works out the next one.
type DeliveryWatchInput struct {
	Next time.Time
}

// DeliveryCheck asks for one weekly check. At is the time the check was due, not the time it
// ran: it names the school week, so a check retried, or run late after an outage, sends the
// emails of that week once.
type DeliveryCheck struct {
	At time.Time
}

// DeliveryChecked is what a check did.
type DeliveryChecked struct {
	Schools int // schools judged
	Told    int // schools whose SENDCo was told something newly behind
}

// NextDeliveryCheck is the first check time (Monday 07:00 in London) strictly after t.
func NextDeliveryCheck(t time.Time) time.Time {
	l := t.In(London)
	days := (int(DeliveryCheckDay) - int(l.Weekday()) + 7) % 7
	y, m, d := l.Date()
	at := time.Date(y, m, d+days, DeliveryCheckHour, 0, 0, 0, London)
	if !at.After(t) {
		at = time.Date(y, m, d+days+7, DeliveryCheckHour, 0, 0, 0, London)
	}
	return at
}

// DeliveryWatch waits with a timer for the next weekly check, runs it, and continues as new with
// the check after: each run is one check, so the history stays short. A check that comes due while
// no worker runs runs when one is back, once, as the latest check due.
func DeliveryWatch(ctx workflow.Context, in DeliveryWatchInput) error {
	next := in.Next
	if next.IsZero() {
		next = NextDeliveryCheck(workflow.Now(ctx))
	}
	if d := next.Sub(workflow.Now(ctx)); d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return err
		}
	}
	// Woken late (no worker ran for a while): check on the latest check time passed, not one
	// long gone, so the email is about the weeks just ended.
	for now := workflow.Now(ctx); !NextDeliveryCheck(next).After(now); {
		next = NextDeliveryCheck(next)
	}
	// PostgreSQL may be down: attempts go on until it answers, as for the pathway's commits.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
	var done DeliveryChecked
	if err := workflow.ExecuteActivity(actx, ActivityDeliveryCheck, DeliveryCheck{At: next}).Get(ctx, &done); err != nil {
		return err
	}
	workflow.GetLogger(ctx).Info("delivery checked", "week_of", CalendarDate(next).Format(time.DateOnly),
		"schools", done.Schools, "told", done.Told)
	return workflow.NewContinueAsNewError(ctx, DeliveryWatchWorkflowName,
		DeliveryWatchInput{Next: NextDeliveryCheck(workflow.Now(ctx))})
}
