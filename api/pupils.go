package api

import (
	"context"
	"errors"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// pupilFor loads a pupil the current user may act on. Anything outside the caller's reach is 404
// exactly like a pupil that does not exist, and the attempt is audited either way.
func (s *Server) pupilFor(ctx context.Context, pupilID, obj, act string) (*store.Pupil, string, error) {
	u := currentUser(ctx)
	notFound := huma.Error404NotFound("No pupil with this id is available to you.")
	p, err := s.Store.PupilByID(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, "", obj+":"+act, "", "", "not_found")
		return nil, "", notFound
	}
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	role, ok, err := s.Authz.PupilAccess(ctx, u, p, obj, act)
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	if !ok {
		s.audit(ctx, "", obj+":"+act, p.ID, p.SchoolID, "denied")
		return nil, "", notFound
	}
	return p, role, nil
}

// audit appends to the trail; a failure is logged loudly but does not undo what was done.
func (s *Server) audit(ctx context.Context, role, action, pupilID, schoolID, outcome string) {
	u := currentUser(ctx)
	e := store.AuditEntry{ActorRole: role, Action: action, PupilID: pupilID, SchoolID: schoolID,
		RequestID: currentRequestID(ctx), Outcome: outcome}
	if u != nil {
		e.ActorID = u.ID
	}
	if e.ActorRole == "" {
		e.ActorRole = "unknown"
	}
	if err := s.Store.Audit(ctx, e); err != nil {
		s.Logger.Error("audit record not written", "action", action, "pupil_id", pupilID, "error", err)
	}
}

func (s *Server) unavailable(err error) error {
	s.Logger.Error("dependency failed", "error", err)
	return huma.Error503ServiceUnavailable("sendflow cannot reach a service it needs just now. Try again shortly; with the same Idempotency-Key nothing is done twice.")
}

// workflowError maps what a workflow said to an HTTP answer: a refusal is 409 with its reason.
func (s *Server) workflowError(ctx context.Context, role, action string, p *store.Pupil, err error) error {
	var refusal *workflows.Refusal
	switch {
	case errors.As(err, &refusal):
		s.audit(ctx, role, action, p.ID, p.SchoolID, "refused")
		return huma.Error409Conflict(refusal.Reason)
	case errors.Is(err, workflows.ErrNoWorkflow):
		s.audit(ctx, role, action, p.ID, p.SchoolID, "refused")
		return huma.Error409Conflict("There is nothing under way for this action to apply to. Check the pupil's pathway for what is open.")
	}
	return s.unavailable(err)
}

// act runs a workflow action for a pupil with the pupil's permissions checked, and audits it.
func act[T any](ctx context.Context, s *Server, pupilID, obj, verb string, do func(p *store.Pupil, role string) (T, error)) (T, error) {
	var zero T
	p, role, err := s.pupilFor(ctx, pupilID, obj, verb)
	if err != nil {
		return zero, err
	}
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := do(p, role)
	if err != nil {
		var se huma.StatusError
		if errors.As(err, &se) {
			return zero, err
		}
		return zero, s.workflowError(tctx, role, obj+":"+verb, p, err)
	}
	s.audit(ctx, role, obj+":"+verb, p.ID, p.SchoolID, "ok")
	return out, nil
}

// parseDate reads a YYYY-MM-DD date as midnight UTC, the pathway calendar's days.
func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, huma.Error422UnprocessableEntity("dates are written YYYY-MM-DD",
			&huma.ErrorDetail{Location: field, Message: "not a date like 2027-03-15", Value: v})
	}
	return t, nil
}
