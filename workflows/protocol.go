package workflows

import (
	"encoding/json"
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"
)

// How an action becomes part of a pupil's record — one protocol for every workflow:
//
//  1. The service writes the action's words (a concern, a review, a consent answer) as a
//     proposed row named by the action's id, and sends the workflow an Update carrying that id.
//  2. The validator refuses what does not fit: nothing enters history, and the service deletes
//     the proposed row.
//  3. The handler takes the run's lock (one change at a time), answers a repeat of an action it
//     already took with the state as it is, and checks the action again: another action may have
//     changed the state since the validator ran.
//  4. It applies the action to a copy of the state and saves the copy with the Commit activity:
//     one PostgreSQL transaction writes the read model and marks the action's row accepted, and
//     the emails the change sends are queued in the outbox (keyed by what they are about, so a
//     retry queues none twice). Only then does the copy become the state: a change that cannot be
//     saved leaves the state as it was. Commit is a regular activity, scheduled in the same
//     workflow task that decides the change, so it runs only for a decision in the workflow's
//     history: a workflow task that fails (a worker killed, a task retried with the updates in
//     another order) cannot leave a change in PostgreSQL that the workflow did not make.
//
// Readers (the pathway, the evidence pack, readiness, the caseload) read accepted rows only.

// changeWriteProtocol: handlers run one at a time under the run's lock, repeats are answered
// with the state, and each action is checked again inside the handler (version 1). Runs started
// before it keep the old interleaving so their histories replay.
const changeWriteProtocol = "write-protocol"

// RecordKind names the table that holds the words of an action.
type RecordKind string

// The kinds of record an action may propose.
const (
	RecordConcern         RecordKind = "concern"
	RecordImpact          RecordKind = "impact"
	RecordPlan            RecordKind = "plan"
	RecordReview          RecordKind = "review"
	RecordProvision       RecordKind = "provision"
	RecordReferral        RecordKind = "referral"
	RecordConsent         RecordKind = "consent"
	RecordAgencyResponse  RecordKind = "agency_response"
	RecordEHCRequest      RecordKind = "ehc_request"
	RecordParentViews     RecordKind = "parent_views"
	RecordMeetingChange   RecordKind = "meeting_change"
	RecordMeetingResponse RecordKind = "meeting_response"
	// RecordTransferCorrection is the SENDCo's reason for correcting an annual review's phase
	// transfer.
	RecordTransferCorrection RecordKind = "transfer_correction"
)

// Record is a proposed row that a projection marks accepted. Sequence is a meeting change's
// calendar SEQUENCE, which the pathway assigns when it accepts the change.
type Record struct {
	Kind     RecordKind
	ID       string
	Sequence int
}

// recentSize is how many action ids a workflow remembers. Older repeats are caught before they
// reach the workflow: the service finds their row already accepted.
const recentSize = 64

// Recent remembers the ids of the last actions a workflow took, so an action sent again (a
// retry, a double click) is answered with the state it made instead of being applied twice.
type Recent struct{ IDs []string }

// Has reports whether the action was taken.
func (r *Recent) Has(id string) bool { return id != "" && slices.Contains(r.IDs, id) }

// Add remembers an action, forgetting the oldest past recentSize.
func (r *Recent) Add(id string) {
	if id == "" || r.Has(id) {
		return
	}
	r.IDs = append(r.IDs, id)
	if len(r.IDs) > recentSize {
		r.IDs = slices.Delete(r.IDs, 0, len(r.IDs)-recentSize)
	}
}

// Commit is one change of a workflow, saved by the Commit activity: the projection of the new
// state (with the records it accepts), the emails it sends and the meeting invitations it queues.
type Commit struct {
	Projection *Projection
	Notices    []Notice
	Meetings   []MeetingMail
}

// save saves a change, then keep makes it the state, then after runs (a signal to the pathway).
// Version 1 saves it with one Commit activity. Runs started before it save with local
// activities — the projection, then after, then each email — the order their histories hold.
func (g *guard) save(ctx workflow.Context, c Commit, keep func(), after func() error) error {
	if g.serial {
		if err := workflow.ExecuteActivity(withCommitOptions(ctx), ActivityCommit, c).Get(ctx, nil); err != nil {
			return err
		}
		keep()
		if after != nil {
			return after()
		}
		return nil
	}
	if c.Projection != nil {
		if err := project(ctx, *c.Projection); err != nil {
			return err
		}
	}
	keep()
	if after != nil {
		if err := after(); err != nil {
			return err
		}
	}
	for _, n := range c.Notices {
		if err := notify(ctx, n); err != nil {
			return err
		}
	}
	for _, m := range c.Meetings {
		if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityMeetingMail, m).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// send queues emails that go with no change of state (a cycle's outcome letter after its loop).
func (g *guard) send(ctx workflow.Context, notices ...Notice) error {
	return g.save(ctx, Commit{Notices: notices}, func() {}, nil)
}

// guard serialises the changes of one workflow run (write protocol version 1).
type guard struct {
	serial bool
	mu     workflow.Mutex
	// busy holds the ids of actions being applied now, so a repeat arriving meanwhile waits for
	// the first and gets its answer instead of being checked against the state before it.
	busy map[string]bool
}

func newGuard(ctx workflow.Context) *guard {
	g := &guard{busy: map[string]bool{}}
	if workflow.GetVersion(ctx, changeWriteProtocol, workflow.DefaultVersion, 1) == 1 {
		g.serial, g.mu = true, workflow.NewMutex(ctx)
	}
	return g
}

// handlerDecides tells a validator to let an action through for its handler to decide: a repeat of one the
// workflow took or is taking (the handler answers with the state), or any action while a change
// is being saved (the state the validator sees is about to change; the handler checks the action
// again once the change is kept, and refuses it then if it does not fit).
func (g *guard) handlerDecides(recent *Recent, id string) bool {
	return g.serial && (g.mu.IsLocked() || id != "" && (g.busy[id] || recent.Has(id)))
}

// hold runs fn with the run's lock held (version 1), so changes never interleave.
func (g *guard) hold(ctx workflow.Context, fn func() error) error {
	if !g.serial {
		return fn()
	}
	if err := g.mu.Lock(ctx); err != nil {
		return err
	}
	defer g.mu.Unlock()
	return fn()
}

// take runs one action: under the lock, a repeat of an action already taken is answered without
// doing anything (done is false); otherwise check runs again on the current state and do
// carries the action out.
func (g *guard) take(
	ctx workflow.Context,
	id string,
	recent func() *Recent,
	check func() error,
	do func() error,
) (done bool, err error) {
	err = g.hold(ctx, func() error {
		if g.serial {
			if recent().Has(id) {
				return nil
			}
			if err := check(); err != nil {
				return refusalError(err)
			}
			if id != "" {
				g.busy[id] = true
				defer delete(g.busy, id)
			}
		}
		done = true
		return do()
	})
	return done, err
}

// stage is the state a change is made on: a copy (version 1), kept only once it is saved. Older
// runs change the state itself, as they did when their histories were written: the main loop
// wakes on the change before it is saved, and their replay depends on that order.
func stage[S any](g *guard, st *S) *S {
	if !g.serial {
		return st
	}
	return clone(st)
}

// clone is a deep copy of a workflow state, made by the same JSON encoding Temporal uses for
// it, so a change can be tried on the copy and kept only once it is saved.
func clone[S any](s *S) *S {
	b, err := json.Marshal(s) //workflowcheck:ignore encoding/json writes map keys sorted
	if err != nil {
		panic(fmt.Sprintf("copy workflow state: %v", err)) // state types are plain data
	}
	var c S
	//workflowcheck:ignore decoding plain data is deterministic
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("copy workflow state: %v", err))
	}
	return &c
}
