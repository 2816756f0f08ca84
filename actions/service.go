// Package actions carries out everything people do to a pupil's record, once, for every surface
// (the JSON API, the parents' pages, the staff pages): authorize, check what was typed, propose
// the record, deliver the action to the pupil's workflow, audit. The surfaces only turn requests
// into calls and answers into responses.
//
// A record becomes part of a pupil's history only when the workflow accepts it (see
// workflows/protocol.go): the action's words are written as a proposed row named by the action's
// id; the workflow's validator may refuse it (the row is then withdrawn); its handler marks the
// row accepted in the same transaction as the new state. No transaction or lock is held while
// the workflow is asked. The same action sent again — a retry, a double click, a second tap —
// carries the same id and is answered with the state it made, never applied twice.
package actions

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// Service carries out actions.
type Service struct {
	Store     *store.Store
	Authz     *policies.Authorizer
	Temporal  client.Client
	TaskQueue string
	// Timings and TimeScale are given to pathways when they start.
	Timings   workflows.Timings
	TimeScale float64
	// Wait is how long an action waits for the pupil's workflow to take it before answering that
	// it is still being recorded (Unavailable, with Pending set).
	Wait   time.Duration
	Logger *slog.Logger
	// Now is the real time; tests may set it.
	Now func() time.Time
	// Mail queues the emails an action sends without a workflow (a transfer request to the
	// pupil's school); PublicURL is where their links point.
	Mail      *email.Outbox
	PublicURL string
	// BundleKey signs the pupils' portable records (internal/bundle); nil: none are exported.
	BundleKey ed25519.PrivateKey

	oag   catalogueCache
	lanes lanes
}

// DefaultWait is the time an action waits for the workflow when Service.Wait is not set.
const DefaultWait = 10 * time.Second

// Actor is who acts, and the request it came in on (for the audit trail).
type Actor struct {
	*store.Principal
	RequestID string
}

// ParentActor is a parent proven by a signed link from their email: they act as a parent of the
// pupils they hold parental responsibility for, and as nothing else.
func ParentActor(parentID, schoolID, requestID string) Actor {
	return Actor{RequestID: requestID, Principal: &store.Principal{User: store.User{ID: parentID,
		Memberships: []store.Membership{{SchoolID: schoolID, Role: "parent"}}}}}
}

// Refused is an action the pupil's workflow (or a rule before it) refused; Reason is written for
// the person who asked.
type Refused struct{ Reason string }

func (r *Refused) Error() string { return r.Reason }

// NotFound is something outside the caller's reach, or not there at all: the two look the same,
// so nobody learns that a pupil exists.
type NotFound struct{ What string }

func (n *NotFound) Error() string { return "No " + n.What + " with this id is available to you." }

// Problem is one field that cannot be recorded as written.
type Problem struct {
	Field   string // e.g. body.firstName
	Message string
	Value   any
}

// Invalid is an action whose input cannot be recorded; nothing was changed.
type Invalid struct {
	Summary  string
	Problems []Problem
}

func (e *Invalid) Error() string {
	if len(e.Problems) == 0 {
		return e.Summary
	}
	return fmt.Sprintf("%s (%s %s)", e.Summary, e.Problems[0].Field, e.Problems[0].Message)
}

func invalid(summary, field, message string, value any) *Invalid {
	return &Invalid{Summary: summary, Problems: []Problem{{Field: field, Message: message, Value: value}}}
}

// Unavailable means a dependency did not answer in time. Pending is set when the action reached
// the pupil's workflow and may still be taken: the same action sent again finishes it or reports
// what happened, and never records it twice. Stopped is set when the workflow the action was for
// stopped on a fault: nothing was recorded, and an administrator must restart it
// (`sendflow repair`).
type Unavailable struct {
	Cause   error
	Pending bool
	Stopped bool
}

func (u *Unavailable) Error() string { return "unavailable: " + u.Cause.Error() }
func (u *Unavailable) Unwrap() error { return u.Cause }

// RetryAfter is what surfaces tell people to wait before trying an unavailable action again.
const RetryAfter = 5 * time.Second

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Budget is how long an action waits for the pupil's workflow before answering.
func (s *Service) Budget() time.Duration { return s.wait() }

func (s *Service) wait() time.Duration {
	if s.Wait > 0 {
		return s.Wait
	}
	return DefaultWait
}

func (s *Service) unavailable(err error) error {
	if store.Rejected(err) { // the database's message may quote what was typed: log its code only
		s.Logger.Warn("request refused by the database", "sqlstate", store.SQLState(err))
		return &Unavailable{Cause: err}
	}
	s.Logger.Error("dependency failed", "error", err)
	return &Unavailable{Cause: err}
}

// Pupil loads a pupil the actor may act on. Anything outside their reach is NotFound exactly like
// a pupil that does not exist, and the attempt is audited either way.
func (s *Service) Pupil(ctx context.Context, a Actor, pupilID, obj, verb string) (*store.Pupil, string, error) {
	return s.reach(ctx, a, pupilID, "pupil", policies.Target{}, obj, verb)
}

// reach loads a pupil and decides the actor's access to a target in their record (the whole
// record, or one referral or request); what is out of reach is NotFound, naming what was asked
// for, exactly like something that does not exist. The attempt is audited either way.
func (s *Service) reach(
	ctx context.Context,
	a Actor,
	pupilID, what string,
	t policies.Target,
	obj, verb string,
) (*store.Pupil, string, error) {
	p, err := s.Store.PupilByID(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", obj+":"+verb, "", "", "not_found")
		return nil, "", &NotFound{What: what}
	}
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	t.Pupil = p
	role, ok, err := s.Authz.Access(ctx, a.Principal, t, obj, verb)
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", obj+":"+verb, p.ID, p.SchoolID, "denied")
		return nil, "", &NotFound{What: what}
	}
	return p, role, nil
}

// Audit appends to the trail; a failure is logged loudly but does not undo what was done.
func (s *Service) Audit(ctx context.Context, a Actor, role, action, pupilID, schoolID, outcome string) {
	if err := s.Store.Audit(ctx, auditEntry(a, role, action, pupilID, schoolID, outcome)); err != nil {
		s.Logger.Error("audit record not written", "action", action, "pupil_id", pupilID, "error", err)
	}
}

// AuditPupils appends one entry for each pupil a read showed, in one statement; like Audit, a
// failure is logged loudly but does not undo what was done.
func (s *Service) AuditPupils(
	ctx context.Context,
	a Actor,
	role, action, schoolID string,
	pupilIDs []string,
	outcome string,
) {
	if err := s.Store.AuditPupils(ctx, auditEntry(a, role, action, "", schoolID, outcome), pupilIDs); err != nil {
		s.Logger.Error(
			"audit records not written",
			"action",
			action,
			"school_id",
			schoolID,
			"pupils",
			len(pupilIDs),
			"error",
			err,
		)
	}
}

// auditEntry is the trail's record of what an actor did, on the request they came in on; a
// role not known is recorded as "unknown".
func auditEntry(a Actor, role, action, pupilID, schoolID, outcome string) store.AuditEntry {
	e := store.AuditEntry{
		ActorRole: role,
		Action:    action,
		PupilID:   pupilID,
		SchoolID:  schoolID,
		RequestID: a.RequestID,
		Outcome:   outcome,
	}
	if a.Principal != nil {
		e.ActorID = a.ID
	}
	if e.ActorRole == "" {
		e.ActorRole = "unknown"
	}
	return e
}

// NewID names an action that came with nothing to name it by (no Idempotency-Key).
func NewID() string { return uuid.NewString() }

// record is the proposed row an action writes before the workflow is asked.
type record struct {
	kind    workflows.RecordKind
	id      string
	propose func(ctx context.Context) error
}

// step is one action on a pupil's record.
type step struct {
	actor  Actor
	pupil  *store.Pupil
	role   string
	action string  // obj:verb, for the audit trail
	record *record // nil for an action with no words of its own (a triage decision)
	// deliver sends the action to the workflow; ctx carries the time it may take.
	deliver func(ctx context.Context) error
}

// run carries an action through the protocol: a repeat of an action already accepted is
// answered at once; otherwise the record is proposed, the action delivered, and a refusal
// withdraws the record again. An action still being taken when the wait runs out is Pending:
// the record stays proposed for the workflow to accept, and asking again finishes it.
func (s *Service) run(ctx context.Context, st step) error {
	if st.record != nil {
		accepted, _, err := s.Store.Accepted(ctx, string(st.record.kind), st.record.id)
		if err != nil {
			return s.unavailable(err)
		}
		if accepted {
			s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "repeat")
			return nil
		}
		if err := st.record.propose(ctx); err != nil {
			var nf *NotFound
			if errors.As(err, &nf) {
				s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "not_found")
				return err
			}
			return s.unavailable(err)
		}
	}
	dctx, cancel := context.WithTimeout(ctx, s.wait())
	defer cancel()
	err := st.deliver(dctx)
	var (
		refusal *workflows.Refusal
		nowf    *noWorkflow
	)
	switch {
	case err == nil:
		s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "ok")
		return nil
	case errors.As(err, &refusal):
		s.withdraw(ctx, st)
		s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "refused")
		return &Refused{Reason: refusal.Reason}
	case errors.As(err, &nowf) && nowf.stopped, errors.Is(err, workflows.ErrStopped):
		s.withdraw(ctx, st)
		s.Logger.Error("a pupil's workflow has stopped on a fault; run `sendflow repair` to restart it",
			"action", st.action, "pupil_id", st.pupil.ID, "error", err)
		s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "stopped")
		return &Unavailable{Cause: err, Stopped: true}
	case errors.Is(err, workflows.ErrNoWorkflow):
		s.withdraw(ctx, st)
		s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "refused")
		return &Refused{
			Reason: "There is nothing under way for this action to apply to. Check the pupil's pathway for what is open.",
		}
	}
	s.Logger.Error("action not taken yet", "action", st.action, "pupil_id", st.pupil.ID, "error", err)
	s.Audit(ctx, st.actor, st.role, st.action, st.pupil.ID, st.pupil.SchoolID, "unavailable")
	return &Unavailable{Cause: err, Pending: true}
}

// withdraw deletes the proposed record of a refused action. A failure only leaves a row no
// reader shows.
func (s *Service) withdraw(ctx context.Context, st step) {
	if st.record == nil {
		return
	}
	if err := s.Store.Withdraw(context.WithoutCancel(ctx), string(st.record.kind), st.record.id); err != nil {
		s.Logger.Warn("refused record not withdrawn", "kind", st.record.kind, "id", st.record.id, "error", err)
	}
}

// update sends an action to one of the pupil's workflows. Each attempt has its own update id, so
// an attempt after a failure runs again; the action's id inside it stops a repeat being applied
// twice.
func update[T any](ctx context.Context, s *Service, workflowID, name, actionID string, arg any) error {
	leave, err := s.lanes.enter(ctx, workflowID)
	if err != nil {
		return err
	}
	defer leave()
	_, err = workflows.Update[T](ctx, s.Temporal, workflowID, name, updateID(name, actionID), arg)
	if errors.Is(err, workflows.ErrNoWorkflow) {
		// Finished (a reviewed cycle, a closed referral) is an answer; stopped on a fault is not.
		stopped, derr := workflows.Stopped(ctx, s.Temporal, workflowID)
		if derr != nil {
			return derr
		}
		return &noWorkflow{err: err, stopped: stopped}
	}
	return err
}

// noWorkflow is an action for a workflow that is not running, and whether it stopped on a fault.
type noWorkflow struct {
	err     error
	stopped bool
}

func (n *noWorkflow) Error() string { return n.err.Error() }
func (n *noWorkflow) Unwrap() error { return n.err }

// updateWithStart sends an action to the pupil's pathway, starting it if the pupil has none.
func (s *Service) updateWithStart(ctx context.Context, p *store.Pupil, name, actionID string, arg any) error {
	leave, err := s.lanes.enter(ctx, workflows.PathwayWorkflowID(p.ID))
	if err != nil {
		return err
	}
	defer leave()
	_, err = workflows.UpdateWithStart(
		ctx,
		s.Temporal,
		s.TaskQueue,
		s.pathwayStart(p),
		name,
		updateID(name, actionID),
		arg,
	)
	return err
}

// updateID names one attempt at delivering an action.
func updateID(name, actionID string) string { return name + "/" + actionID + "/" + uuid.NewString() }

// pathwayStart is how a pupil's pathway starts if this is its first action.
func (s *Service) pathwayStart(p *store.Pupil) workflows.PathwayInput {
	return workflows.PathwayInput{PupilID: p.ID, SchoolID: p.SchoolID, Timings: s.Timings, Scale: s.TimeScale}
}
