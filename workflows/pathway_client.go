package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// RefusalType is the application error type of an action the pathway refused.
const RefusalType = "Refused"

// Refusal is an action the pathway's validator refused; Reason is written for the user.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// RaiseConcern delivers a concern to the pupil's pathway, starting the workflow if the pupil has
// none yet, and returns the state after it. The update id makes a retried call a no-op.
func RaiseConcern(ctx context.Context, c client.Client, taskQueue, schoolID, pupilID string, in ConcernRaised) (PathwayState, error) {
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       PathwayWorkflowID(pupilID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, PathwayWorkflowName, PathwayInput{PupilID: pupilID, SchoolID: schoolID})
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     "concern/" + in.ConcernID,
			UpdateName:   UpdateRaiseConcern,
			Args:         []any{in},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var st PathwayState
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, asRefusal(err)
}

// asRefusal turns a validator's refusal into *Refusal so callers can tell "no" from "broken".
func asRefusal(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == RefusalType {
		return &Refusal{Reason: app.Message()}
	}
	return fmt.Errorf("pathway update: %w", err)
}

// refusalError converts a rule's refusal into the application error the client recognises.
func refusalError(err error) error {
	if err == nil || !errors.Is(err, ErrRefused) {
		return err
	}
	msg := strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
	return temporal.NewApplicationError(msg, RefusalType)
}
