package workflows

// What a workflow writes to the read model and the outbox, in the order its history holds.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"
)

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

// sortDeadlines orders deadlines by date (map iteration order must not reach the read model).
func sortDeadlines(d []Deadline) {
	slices.SortFunc(d, func(a, b Deadline) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
}
