package api

import (
	"context"
	"errors"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
)

// pupilFor loads a pupil the current user may act on, and audits the attempt. Anything outside
// the caller's reach is 404 exactly like a pupil that does not exist.
func (s *Server) pupilFor(ctx context.Context, pupilID, obj, act string) (*store.Pupil, string, error) {
	u := currentUser(ctx)
	notFound := huma.Error404NotFound("No pupil with this id is available to you.")
	p, err := s.Store.PupilByID(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, "", obj+":"+act, pupilID, "", "not_found")
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
	return huma.Error503ServiceUnavailable("sendflow cannot reach a service it needs just now. Nothing was changed; try again shortly.")
}
