package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SavedResponse is the first answer given to an Idempotency-Key, or (Body nil) the claim of a
// request still running.
type SavedResponse struct {
	Operation   string
	RequestHash string
	Status      int
	Body        json.RawMessage
}

// Running reports whether the request that claimed the key has not answered yet.
func (r *SavedResponse) Running() bool { return r.Body == nil }

// ClaimKey claims (user, key) for a request, for at most lease: of requests sent at once with
// one key exactly one claims it. It returns nil when this request holds the claim (a new key,
// or the same request taking over a claim whose request died); otherwise what is saved there:
// the first answer, a claim still running, or another request's.
func (s *Store) ClaimKey(
	ctx context.Context,
	userID, key, operation, hash string,
	lease time.Duration,
) (*SavedResponse, error) {
	tag, err := s.DB.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, operation, request_hash, claimed_until)
		VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')
		ON CONFLICT (user_id, key) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
			WHERE idempotency_keys.response IS NULL AND idempotency_keys.claimed_until < now()
			AND idempotency_keys.operation = EXCLUDED.operation AND idempotency_keys.request_hash = EXCLUDED.request_hash`,
		userID, key, operation, hash, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	r, err := s.SavedResponse(ctx, userID, key)
	if errors.Is(err, ErrNotFound) { // released between the two statements: try again
		return s.ClaimKey(ctx, userID, key, operation, hash, lease)
	}
	return r, err
}

// SavedResponse returns what is stored for (user, key), or ErrNotFound.
func (s *Store) SavedResponse(ctx context.Context, userID, key string) (*SavedResponse, error) {
	var r SavedResponse
	var status *int
	err := s.DB.QueryRow(ctx, `SELECT operation, request_hash, status, response FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&r.Operation, &r.RequestHash, &status, &r.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load idempotency key: %w", err)
	}
	if status != nil {
		r.Status = *status
	}
	return &r, nil
}

// SaveResponse keeps the answer of the request holding the claim.
func (s *Store) SaveResponse(ctx context.Context, userID, key string, status int, body json.RawMessage) error {
	_, err := s.DB.Exec(ctx, `UPDATE idempotency_keys SET status = $3, response = $4, claimed_until = NULL
		WHERE user_id = $1 AND key = $2 AND response IS NULL`, userID, key, status, body)
	if err != nil {
		return fmt.Errorf("save idempotency key: %w", err)
	}
	return nil
}

// ReleaseKey gives up a claim whose request did not succeed, so a retry with the key runs again.
func (s *Store) ReleaseKey(ctx context.Context, userID, key string) error {
	_, err := s.DB.Exec(
		ctx,
		`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND response IS NULL`,
		userID,
		key,
	)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
