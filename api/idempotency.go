package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
)

// IdempotencyHeader is embedded in inputs of POSTs that start work.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Send the same key when you retry; the first answer is returned and nothing is done twice."`
}

// requestHash fingerprints what was asked, so a key reused for a different request is refused.
func requestHash(operation string, parts ...any) (string, error) {
	b, err := json.Marshal(append([]any{operation}, parts...))
	if err != nil {
		return "", fmt.Errorf("hash request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// replay returns the saved answer to an earlier request with the same key, if any.
func (s *Server) replay(ctx context.Context, userID, key, operation, hash string, out any) (bool, error) {
	if key == "" {
		return false, nil
	}
	saved, err := s.Store.SavedResponse(ctx, userID, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if saved.Operation != operation || saved.RequestHash != hash {
		return false, huma.Error422UnprocessableEntity("This Idempotency-Key was already used for a different request. Use a new key for a new request.",
			&huma.ErrorDetail{Location: "header.Idempotency-Key", Message: "already used for a different request"})
	}
	if err := json.Unmarshal(saved.Body, out); err != nil {
		return false, fmt.Errorf("decode saved response: %w", err)
	}
	return true, nil
}

// remember keeps the first answer for the key.
func (s *Server) remember(ctx context.Context, userID, key, operation, hash string, status int, body any) error {
	if key == "" {
		return nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return s.Store.SaveResponse(ctx, userID, key, store.SavedResponse{Operation: operation, RequestHash: hash, Status: status, Body: b})
}
