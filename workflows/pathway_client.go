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

// ErrStopped means the workflow an action was meant for stopped on a fault (failed, terminated,
// timed out): an operator must repair it before it takes actions again.
var ErrStopped = errors.New("the workflow has stopped")

// Stopped reports whether a workflow's latest run stopped on a fault rather than finishing.
func Stopped(ctx context.Context, c client.Client, workflowID string) (bool, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("describe %s: %w", workflowID, err)
	}
	switch desc.GetWorkflowExecutionInfo().GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED,
		enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return true, nil
	}
	return false, nil
}

// UpdateWithStart delivers an action to the pupil's pathway, starting the workflow if the pupil
// has none yet (a first concern; a parent's EHC request before any concern), and returns the
// state after it.
func UpdateWithStart(
	ctx context.Context,
	c client.Client,
	taskQueue string,
	start PathwayInput,
	name, updateID string,
	arg any,
) (PathwayState, error) {
	op := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       PathwayWorkflowID(start.PupilID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A pathway runs for as long as the pupil is supported; one that has closed stopped on a
		// fault or an operator. Starting a new, empty one would hide the pupil's history.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
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
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) { // update-with-start found the pathway closed, and may not start another
		return fmt.Errorf("%w: %v", ErrStopped, err)
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
