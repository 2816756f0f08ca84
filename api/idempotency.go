package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/sendflow/sendflow/actions"
)

// IdempotencyHeader is embedded in inputs of POSTs that start work.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Send the same key when you retry; the first answer is returned and nothing is done twice."`
}

// idNamespace turns (user, operation, Idempotency-Key) into the id of what the request creates,
// so a retry names the same record and the database and the workflow both see one.
var idNamespace = uuid.MustParse("0b8f5f55-57e4-4c51-8b38-2d4e7f8f3c21")

// keyLease is how long a claim on a key holds while its request runs; a request that dies holding
// it is taken over after this.
const keyLease = 2 * time.Minute

// idempotent runs do once per (user, Idempotency-Key). The key is claimed first, so of requests
// sent at once with one key exactly one runs; the others wait for its answer and get it back
// (the same request) or are refused with 422 (a different one). do receives the id of what the
// request creates: derived from the key when there is one, so a retry names the same record. A
// request that fails gives the key back, so a retry runs again.
func idempotent[T any](
	ctx context.Context,
	s *Server,
	op, key string,
	request any,
	do func(id string) (T, error),
) (T, error) {
	var zero T
	if key == "" {
		return do(actions.NewID())
	}
	u := currentUser(ctx)
	// A key used in a staff sign-in is not the same request in the same person's parent session:
	// the staff answer must not be replayed there.
	scoped := op
	if u.Scope != "" {
		scoped += "/" + u.Scope
	}
	hash, err := requestHash(scoped, request)
	if err != nil {
		return zero, err
	}
	deadline := time.Now().Add(s.Actions.Budget())
	for {
		saved, err := s.Store.ClaimKey(ctx, u.ID, key, op, hash, keyLease)
		if err != nil {
			return zero, s.unavailable(err)
		}
		switch {
		case saved == nil: // this request holds the key
			return runClaimed(ctx, s, op, key, u.ID, do)
		case saved.Operation != op || saved.RequestHash != hash:
			return zero, huma.Error422UnprocessableEntity(
				"This Idempotency-Key was already used for a different request. Use a new key for a new request.",
				&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "already used for a different request"},
			)
		case !saved.Running():
			var out T
			if err := json.Unmarshal(saved.Body, &out); err != nil {
				return zero, fmt.Errorf("decode saved response: %w", err)
			}
			return out, nil
		case time.Now().After(deadline):
			return zero, huma.ErrorWithHeaders(
				huma.Error409Conflict("A request with this Idempotency-Key is still being carried out. "+
					"Send it again in a few seconds to get its answer."),
				retryAfter(),
			)
		}
		select { // the same request is running: wait for its answer
		case <-ctx.Done():
			return zero, s.unavailable(ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func runClaimed[T any](
	ctx context.Context,
	s *Server,
	op, key, userID string,
	do func(id string) (T, error),
) (T, error) {
	var zero T
	out, err := do(uuid.NewSHA1(idNamespace, []byte(userID+"\x00"+op+"\x00"+key)).String())
	if err != nil {
		if rerr := s.Store.ReleaseKey(context.WithoutCancel(ctx), userID, key); rerr != nil {
			s.Logger.Error("idempotency key not released", "operation", op, "error", rerr)
		}
		return zero, err
	}
	b, err := json.Marshal(out)
	if err == nil {
		err = s.Store.SaveResponse(context.WithoutCancel(ctx), userID, key, http.StatusCreated, b)
	}
	if err != nil {
		s.Logger.Error("idempotency answer not saved", "operation", op, "error", err)
		_ = s.Store.ReleaseKey(context.WithoutCancel(ctx), userID, key)
	}
	return out, nil
}

// requestHash fingerprints what was asked, so a key reused for a different request is refused.
func requestHash(op string, request any) (string, error) {
	b, err := json.Marshal([]any{op, request})
	if err != nil {
		return "", fmt.Errorf("hash request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
