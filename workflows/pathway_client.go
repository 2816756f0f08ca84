package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// RefusalType is the application error type of an action the pathway refused.
const RefusalType = "Refused"

// Refusal is an action a workflow's validator refused; Reason is written for the user.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// ErrNoWorkflow means the workflow an action was meant for does not exist (or has finished).
var ErrNoWorkflow = errors.New("no such workflow")

// UpdateWithStart delivers an action to the pupil's pathway, starting the workflow if the pupil
// has none yet (a first concern; a parent's EHC request before any concern), and returns the
// state after it.
func UpdateWithStart(ctx context.Context, c client.Client, taskQueue string, start PathwayInput, name, updateID string, arg any) (PathwayState, error) {
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       PathwayWorkflowID(start.PupilID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, PathwayWorkflowName, start)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: updateID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var st PathwayState
	if err == nil {
		err = h.Get(ctx, &st)
	}
	return st, asRefusal(err)
}

// Update sends a staff action to a running workflow (the pathway or one of its children) and
// returns the state it answers with. updateID makes a retry a no-op; "" lets Temporal choose.
func Update[T any](ctx context.Context, c client.Client, workflowID, name, updateID string, arg any) (T, error) {
	var out T
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &out)
	}
	return out, asRefusal(err)
}

// asRefusal turns a validator's refusal into *Refusal and a missing workflow into ErrNoWorkflow,
// so callers can tell "no" and "not there" from "broken".
func asRefusal(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == RefusalType {
		return &Refusal{Reason: app.Message()}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %v", ErrNoWorkflow, err)
	}
	return fmt.Errorf("workflow update: %w", err)
}

// refusalError converts a rule's refusal into the application error the client recognises.
func refusalError(err error) error {
	if err == nil || !errors.Is(err, ErrRefused) {
		return err
	}
	msg := strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
	return temporal.NewApplicationError(msg, RefusalType)
}
