package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/store"
)

// IdempotencyHeader is embedded in inputs of POSTs that start work.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Send the same key when you retry; the first answer is returned and nothing is done twice."`
}

// idNamespace turns (user, operation, Idempotency-Key) into the id of what the request creates,
// so a retry names the same record and the database and the workflow both see one.
var idNamespace = uuid.MustParse("0b8f5f55-57e4-4c51-8b38-2d4e7f8f3c21")

// idempotent runs do once per (user, Idempotency-Key). do receives the id of the record the
// request creates: derived from the key when there is one, so even a retry racing the first
// request creates nothing twice. A retry gets the first answer back; the same key for a
// different request is refused.
func idempotent[T any](ctx context.Context, s *Server, op, key string, request any, do func(id string) (T, error)) (T, error) {
	var zero T
	u := currentUser(ctx)
	id := uuid.NewString()
	if key == "" {
		return do(id)
	}
	hash, err := requestHash(op, request)
	if err != nil {
		return zero, err
	}
	saved, err := s.Store.SavedResponse(ctx, u.ID, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return zero, s.unavailable(err)
	case saved.Operation != op || saved.RequestHash != hash:
		return zero, huma.Error422UnprocessableEntity("This Idempotency-Key was already used for a different request. Use a new key for a new request.",
			&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "already used for a different request"})
	default:
		var out T
		if err := json.Unmarshal(saved.Body, &out); err != nil {
			return zero, fmt.Errorf("decode saved response: %w", err)
		}
		return out, nil
	}
	id = uuid.NewSHA1(idNamespace, []byte(u.ID+"\x00"+op+"\x00"+key)).String()
	out, err := do(id)
	if err != nil {
		return zero, err
	}
	b, err := json.Marshal(out)
	if err == nil {
		err = s.Store.SaveResponse(ctx, u.ID, key, store.SavedResponse{Operation: op, RequestHash: hash, Status: 201, Body: b})
	}
	if err != nil {
		s.Logger.Error("idempotency answer not saved", "operation", op, "error", err)
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
