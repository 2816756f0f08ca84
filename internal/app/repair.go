package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/google/uuid"
)

// RepairOptions say what `sendflow repair` does beyond listing.
type RepairOptions struct {
	// Reset brings each stopped workflow back: a new run from its last completed workflow task,
	// with its history (the pupil's state) kept.
	Reset bool
	// Stuck also lists running workflows whose workflow task keeps failing (a bug: the workflow
	// is held, not lost, until a fixed worker is deployed) or whose activity keeps retrying (a
	// dependency down).
	Stuck bool
}

// Repair lists the pupils' workflows that stopped on a fault (failed, terminated, timed out) and
// are still stopped — a pathway in that state takes no actions — and, with Reset, restarts them
// from their last completed workflow task. Workflows that finished normally are left alone.
func Repair(ctx context.Context, c client.Client, namespace string, o RepairOptions, out io.Writer) error {
	query := "ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'"
	seen := map[string]bool{}
	stopped := 0
	err := listWorkflows(ctx, c, query, func(ex *commonpb.WorkflowExecution) error {
		id := ex.GetWorkflowId()
		if seen[id] || !strings.HasPrefix(id, "pathway/") {
			return nil
		}
		seen[id] = true
		desc, err := c.DescribeWorkflowExecution(ctx, id, "") // the latest run: it may have been restarted already
		if err != nil {
			return fmt.Errorf("describe %s: %w", id, err)
		}
		info := desc.GetWorkflowExecutionInfo()
		switch info.GetStatus() {
		case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
			enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED,
			enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		default:
			return nil
		}
		stopped++
		fmt.Fprintf(
			out,
			"stopped  %s  run %s  %s at %s\n",
			id,
			info.GetExecution().GetRunId(),
			statusWords(info.GetStatus()),
			info.GetCloseTime().AsTime().Format("2006-01-02 15:04:05"),
		)
		if !o.Reset {
			return nil
		}
		runID, err := resetToLastTask(ctx, c, namespace, id, info.GetExecution().GetRunId())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "         restarted as run %s, its history kept\n", runID)
		return nil
	})
	if err != nil {
		return err
	}
	if o.Stuck {
		if err := listStuck(ctx, c, out); err != nil {
			return err
		}
	}
	if stopped > 0 && !o.Reset {
		fmt.Fprintf(out, "%d stopped; run `sendflow repair --reset` to restart them\n", stopped)
	}
	if stopped == 0 {
		fmt.Fprintln(out, "no pupil's workflow has stopped")
	}
	return nil
}

func statusWords(s enumspb.WorkflowExecutionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_"))
}

// listWorkflows calls fn for every execution the visibility query finds.
func listWorkflows(
	ctx context.Context,
	c client.Client,
	query string,
	fn func(*commonpb.WorkflowExecution) error,
) error {
	var token []byte
	for {
		resp, err := c.ListWorkflow(
			ctx,
			&workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token},
		)
		if err != nil {
			return fmt.Errorf("list workflows (%s): %w", query, err)
		}
		for _, ex := range resp.GetExecutions() {
			if err := fn(ex.GetExecution()); err != nil {
				return err
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return nil
		}
	}
}

// resetToLastTask starts a new run of a stopped workflow from its last completed workflow task.
func resetToLastTask(ctx context.Context, c client.Client, namespace, id, runID string) (string, error) {
	var last int64
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return "", fmt.Errorf("history of %s: %w", id, err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			last = e.GetEventId()
		}
	}
	if last == 0 {
		return "", fmt.Errorf("%s has no completed workflow task to restart from", id)
	}
	resp, err := c.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 namespace,
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
		Reason:                    "sendflow repair",
		WorkflowTaskFinishEventId: last,
		RequestId:                 uuid.NewString(),
	})
	if err != nil {
		return "", fmt.Errorf("restart %s: %w", id, err)
	}
	return resp.GetRunId(), nil
}

// listStuck lists running workflows whose workflow task or an activity keeps failing.
func listStuck(ctx context.Context, c client.Client, out io.Writer) error {
	return listWorkflows(ctx, c, "ExecutionStatus = 'Running'", func(ex *commonpb.WorkflowExecution) error {
		desc, err := c.DescribeWorkflowExecution(ctx, ex.GetWorkflowId(), ex.GetRunId())
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil // gone meanwhile
		}
		if err != nil {
			return fmt.Errorf("describe %s: %w", ex.GetWorkflowId(), err)
		}
		if t := desc.GetPendingWorkflowTask(); t != nil && t.GetAttempt() > 3 {
			fmt.Fprintf(
				out,
				"stuck    %s  its workflow task has failed %d times: a bug; deploy a fixed worker\n",
				ex.GetWorkflowId(),
				t.GetAttempt()-1,
			)
		}
		for _, a := range desc.GetPendingActivities() {
			if a.GetAttempt() > 5 {
				fmt.Fprintf(
					out,
					"waiting  %s  %s has been retried %d times: %s\n",
					ex.GetWorkflowId(),
					a.GetActivityType().GetName(),
					a.GetAttempt()-1,
					firstLine(a.GetLastFailure().GetMessage()),
				)
			}
		}
		return nil
	})
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
