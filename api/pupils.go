package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// actor is the signed-in person, as the service layer knows them.
func actor(ctx context.Context) actions.Actor {
	return actions.Actor{Principal: currentUser(ctx), RequestID: currentRequestID(ctx)}
}

// pupilFor loads a pupil the current user may act on. Anything outside the caller's reach is 404
// exactly like a pupil that does not exist, and the attempt is audited either way.
func (s *Server) pupilFor(ctx context.Context, pupilID, obj, act string) (*store.Pupil, string, error) {
	p, role, err := s.Actions.Pupil(ctx, actor(ctx), pupilID, obj, act)
	if err != nil {
		return nil, "", s.problem(err)
	}
	return p, role, nil
}

// audit adds an entry to the audit trail. In an operation it is noted for the request's trail,
// which is written when the handler returns, before the answer is sent (see register); outside
// one it is written at once. A failure is logged loudly but does not undo what was done.
func (s *Server) audit(ctx context.Context, role, action, pupilID, schoolID, outcome string) {
	if t := trailOf(ctx); t != nil {
		t.note(entry{role: role, action: action, pupilID: pupilID, schoolID: schoolID, outcome: outcome})
		return
	}
	s.Actions.Audit(ctx, actor(ctx), role, action, pupilID, schoolID, outcome)
}

// note audits under the name of the operation's declared access (e.g. pathway:read).
func (s *Server) note(ctx context.Context, role, pupilID, schoolID, outcome string) {
	s.audit(ctx, role, currentAccess(ctx).action(), pupilID, schoolID, outcome)
}

// unavailable answers for a store or workflow error: 503 with Retry-After, unless the error is
// the caller's (a value the database refused as data: 422; a unique value taken: 409).
func (s *Server) unavailable(err error) error {
	if e := callersFault(err); e != nil {
		// Only the code: the database's message may quote the value, which may be anyone's words.
		s.Logger.Warn("request refused by the database", "sqlstate", store.SQLState(err))
		return e
	}
	s.Logger.Error("dependency failed", "error", err)
	return huma.ErrorWithHeaders(
		huma.Error503ServiceUnavailable(
			"sendflow cannot reach a service it needs just now. Try again shortly; with the same Idempotency-Key nothing is done twice.",
		),
		retryAfter(),
	)
}

func retryAfter() http.Header {
	return http.Header{"Retry-After": {strconv.Itoa(int(actions.RetryAfter / time.Second))}}
}

// problem turns what the service layer said into problem details: a refusal is 409 with its
// reason, something out of reach 404, bad input 422 naming each field, a dependency that did not
// answer 503 with Retry-After.
func (s *Server) problem(err error) error {
	var (
		refused     *actions.Refused
		notFound    *actions.NotFound
		bad         *actions.Invalid
		unavailable *actions.Unavailable
		se          huma.StatusError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return err
	case errors.As(err, &refused):
		return huma.Error409Conflict(refused.Reason)
	case errors.As(err, &notFound):
		return huma.Error404NotFound(notFound.Error())
	case errors.As(err, &bad):
		details := make([]error, len(bad.Problems))
		for i, p := range bad.Problems {
			details[i] = &huma.ErrorDetail{Location: p.Field, Message: p.Message, Value: p.Value}
		}
		return huma.Error422UnprocessableEntity(bad.Summary, details...)
	case errors.As(err, &unavailable) && unavailable.Stopped:
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable(
				"The pupil's pathway has stopped because of a fault, so nothing was recorded. "+
					"sendflow's administrator has been alerted and can restart it with its history; try again once they have.",
			),
			retryAfter(),
		)
	case callersFault(err) != nil:
		return s.unavailable(err)
	case errors.As(err, &unavailable) && unavailable.Pending:
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable("This has reached the pupil's pathway but is not recorded yet. "+
				"Send the same request again with the same Idempotency-Key in a few seconds to finish it; it will not be recorded twice."),
			retryAfter(),
		)
	case errors.As(err, &unavailable):
		if errors.Is(err, actions.ErrNoCatalogue) {
			return huma.Error503ServiceUnavailable(
				"No OAG catalogue is loaded yet. An administrator loads one with SENDFLOW_OAG_FILES.",
			)
		}
		return huma.ErrorWithHeaders(
			huma.Error503ServiceUnavailable(
				"sendflow cannot reach a service it needs just now. Try again shortly; with the same Idempotency-Key nothing is done twice.",
			),
			retryAfter(),
		)
	}
	return s.unavailable(err)
}

// callersFault is the answer for a store error that the request caused, or nil.
func callersFault(err error) error {
	switch {
	case store.Rejected(err):
		return huma.Error422UnprocessableEntity(
			"The request holds a value sendflow cannot store (an id, a date or a text that is not what it should be). Check it and send it again; nothing was changed.",
		)
	case store.Taken(err):
		return huma.Error409Conflict("This is already recorded; nothing was changed.")
	}
	return nil
}

// read runs a read of a pupil's data with the pupil's permissions checked for the operation's
// declared access (its metadata), and audits it under that access's name.
func read[T any](
	ctx context.Context,
	s *Server,
	pupilID string,
	do func(p *store.Pupil, role string) (T, error),
) (T, error) {
	var zero T
	a := currentAccess(ctx)
	p, role, err := s.pupilFor(ctx, pupilID, a.Obj, a.Act)
	if err != nil {
		return zero, err
	}
	out, err := do(p, role)
	if err != nil {
		return zero, s.problem(err)
	}
	s.note(ctx, role, p.ID, p.SchoolID, "ok")
	return out, nil
}
