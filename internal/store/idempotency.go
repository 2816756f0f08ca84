package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SavedResponse is the first answer given to an Idempotency-Key.
type SavedResponse struct {
	Operation   string
	RequestHash string
	Status      int
	Body        json.RawMessage
}

// SavedResponse returns the stored answer for (user, key), or ErrNotFound.
func (s *Store) SavedResponse(ctx context.Context, userID, key string) (*SavedResponse, error) {
	var r SavedResponse
	err := s.DB.QueryRow(ctx, `SELECT operation, request_hash, status, response FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&r.Operation, &r.RequestHash, &r.Status, &r.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load idempotency key: %w", err)
	}
	return &r, nil
}

// SaveResponse keeps the first answer; a concurrent duplicate keeps the one already saved.
func (s *Store) SaveResponse(ctx context.Context, userID, key string, r SavedResponse) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, operation, request_hash, status, response)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO NOTHING`,
		userID, key, r.Operation, r.RequestHash, r.Status, r.Body)
	if err != nil {
		return fmt.Errorf("save idempotency key: %w", err)
	}
	return nil
}
