// Package capacity sizes a sendflow deployment on paper: what each kind of pupil workflow costs
// Temporal (measured from recorded histories), what each change costs PostgreSQL and how much a
// worker and an API replica manage (measured by `sendflow bench`), and how often pupils' records
// change (assumptions, each stated). docs/capacity.md explains the model and its sources.
package capacity

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/workflows"
)

// Cost is what one or more workflow runs wrote to Temporal, and what they asked of PostgreSQL
// and the mail.
type Cost struct {
	Runs          int
	Events        int
	Bytes         int64 // the events as the server stores them, every payload encrypted as sendflow sends it
	WorkflowTasks int
	Activities    int
	TimersStarted int
	TimersFired   int
	Updates       int // staff and parents' actions the workflow accepted
	Children      int // child workflows started (a pathway's cycles, referrals, assessments, reviews)
	Commits       int // Commit activities: one PostgreSQL transaction of the read model each
	Notices       int // emails asked for, each to one or more audiences
	Audiences     int // the audiences of all notices (parents, the SENDCo, class teachers, ...)
	Meetings      int // meeting invitations or changes sent
	// Writes estimates the server's persistence writes: one per change of a run's state (see
	// writesOf).
	Writes int
}

// Add is the cost of both.
func (c Cost) Add(o Cost) Cost {
	return Cost{c.Runs + o.Runs, c.Events + o.Events, c.Bytes + o.Bytes, c.WorkflowTasks + o.WorkflowTasks,
		c.Activities + o.Activities, c.TimersStarted + o.TimersStarted, c.TimersFired + o.TimersFired,
		c.Updates + o.Updates, c.Children + o.Children, c.Commits + o.Commits, c.Notices + o.Notices,
		c.Audiences + o.Audiences, c.Meetings + o.Meetings, c.Writes + o.Writes}
}

// writesOf is how many persistence writes (updates of a run's mutable state, each one
// transaction on SQL persistence) an event stands for. A workflow task is recorded started and
// then completed, its commands (activities and timers scheduled, markers, updates accepted and
// completed, children and signals initiated) written with the completion; an activity is
// recorded started and then completed; each timer that fires, signal received and child
// started or finished is one more. Events written with another are 0.
func writesOf(t enumspb.EventType) int {
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
		enumspb.EVENT_TYPE_TIMER_FIRED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
		enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED:
		return 1
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		return 2
	}
	return 0
}

// MeasureHistory measures one run's history, as recorded by the journey tests (protojson,
// payloads decrypted: see internal/app/histories_test.go). Its payloads are encrypted again
// with a throwaway key before they are weighed, since that is what the server stores.
func MeasureHistory(data []byte) (Cost, error) {
	var h historypb.History
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &h); err != nil {
		return Cost{}, fmt.Errorf("read history: %w", err)
	}
	c := Cost{Runs: 1, Events: len(h.Events)}
	for _, e := range h.Events {
		t := e.GetEventType()
		c.Writes += writesOf(t)
		switch t {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			c.WorkflowTasks++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			c.Activities++
			a := e.GetActivityTaskScheduledEventAttributes()
			if a.GetActivityType().GetName() != workflows.ActivityCommit {
				continue
			}
			c.Commits++
			for _, p := range a.GetInput().GetPayloads() {
				var commit workflows.Commit
				if err := json.Unmarshal(p.GetData(), &commit); err != nil {
					return Cost{}, fmt.Errorf("read the commit of event %d: %w", e.GetEventId(), err)
				}
				c.Notices += len(commit.Notices)
				for _, n := range commit.Notices {
					c.Audiences += len(n.To)
				}
				c.Meetings += len(commit.Meetings)
			}
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			c.TimersStarted++
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			c.TimersFired++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			c.Updates++
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			c.Children++
		}
	}
	key := make([]byte, payloadcrypt.KeyLen)
	if _, err := rand.Read(key); err != nil {
		return Cost{}, fmt.Errorf("make a throwaway key: %w", err)
	}
	codec, err := payloadcrypt.New(key)
	if err != nil {
		return Cost{}, err
	}
	if err := proxy.VisitPayloads(context.Background(), &h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return codec.Encode(ps)
		},
	}); err != nil {
		return Cost{}, fmt.Errorf("encrypt the history's payloads: %w", err)
	}
	for _, e := range h.Events {
		c.Bytes += int64(proto.Size(e))
	}
	return c, nil
}
