package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names shared by the workflow, the worker and the API.
const (
	PathwayWorkflowName    = "Pathway"
	UpdateRaiseConcern     = "raise-concern"
	QueryState             = "state"
	ActivityProjectPathway = "ProjectPathway"
	ActivityNotifyConcern  = "NotifyConcernRaised"
)

// PathwayWorkflowID is the one workflow id of a pupil's pathway, so every action about a pupil
// reaches the same long-lived workflow.
func PathwayWorkflowID(pupilID string) string { return "pathway/" + pupilID }

// Projection is what the read model receives after each change.
type Projection struct {
	State     PathwayState
	Events    []Event
	UpdatedAt time.Time
}

// NotifyConcern asks the activities to tell the school's SENDCos about a new concern.
type NotifyConcern struct {
	PupilID   string
	SchoolID  string
	ConcernID string
}

// Pathway follows one pupil for as long as they are on the graduated approach. Staff actions
// arrive as Updates whose validators refuse what does not fit before it reaches history.
func Pathway(ctx workflow.Context, in PathwayInput) error {
	state := in.Carried
	if state == nil {
		state = NewPathwayState(in.PupilID, in.SchoolID)
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (PathwayState, error) { return *state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRaiseConcern,
		func(ctx workflow.Context, c ConcernRaised) (PathwayState, error) {
			ctx = withActivityOptions(ctx)
			ev := state.ApplyConcern(c, workflow.Now(ctx))
			if err := project(ctx, state, ev); err != nil {
				return PathwayState{}, err
			}
			err := workflow.ExecuteLocalActivity(ctx, ActivityNotifyConcern,
				NotifyConcern{PupilID: state.PupilID, SchoolID: state.SchoolID, ConcernID: c.ConcernID}).Get(ctx, nil)
			return *state, err
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c ConcernRaised) error {
			return refusalError(state.ValidateConcern(c))
		}},
	); err != nil {
		return err
	}

	// Sleep until the pathway closes, or until history is long enough that a fresh run is wiser.
	err := workflow.Await(ctx, func() bool {
		return state.Stage == StageClosed || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	})
	if err != nil {
		return err
	}
	// Let in-flight staff actions finish so none is lost across the boundary.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if state.Stage == StageClosed {
		return nil
	}
	return workflow.NewContinueAsNewError(ctx, PathwayWorkflowName, PathwayInput{PupilID: state.PupilID, SchoolID: state.SchoolID, Carried: state})
}

// withActivityOptions applies the options of the pathway's activities. The projection and the
// outbox insert are short, idempotent database writes, so they run as local activities: a third
// of the latency of a staff action, measured by BenchmarkRaiseConcern. Update handlers get their
// own context, so each handler applies these options.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		// PostgreSQL or mail may be down for a while; keep trying rather than lose the change.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
}

// project writes the new state and its events to the read model before the action is answered, so
// the API's next read shows what the user just did.
func project(ctx workflow.Context, state *PathwayState, events ...Event) error {
	return workflow.ExecuteLocalActivity(ctx, ActivityProjectPathway,
		Projection{State: *state, Events: events, UpdatedAt: workflow.Now(ctx)}).Get(ctx, nil)
}
