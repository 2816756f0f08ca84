package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MagicLinkHash is what is stored of a sign-in link's secret: a leaked table gives no working
// links.
func MagicLinkHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SaveMagicLink keeps the hash of a sign-in link's secret.
func (s *Store) SaveMagicLink(ctx context.Context, tokenHash, userID string, expires time.Time) error {
	_, err := s.DB.Exec(
		ctx,
		`INSERT INTO magic_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		tokenHash,
		userID,
		expires,
	)
	if err != nil {
		return fmt.Errorf("save sign-in link: %w", err)
	}
	return nil
}

// RecentMagicLinks counts the links sent to a user since a time, to limit how many go out.
func (s *Store) RecentMagicLinks(ctx context.Context, userID string, since time.Time) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM magic_links WHERE user_id = $1 AND created_at > $2`, userID, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sign-in links: %w", err)
	}
	return n, nil
}

// UseMagicLink marks a link used and returns its user, once: a used, expired or unknown link is
// ErrNotFound.
func (s *Store) UseMagicLink(ctx context.Context, tokenHash string) (string, error) {
	var userID string
	err := s.DB.QueryRow(ctx, `UPDATE magic_links SET used_at = now()
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`, tokenHash).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("use sign-in link: %w", err)
	}
	return userID, nil
}

// QueueSignIn keeps a request for a sign-in link to an address, known or not: the same single
// write for every address.
func (s *Store) QueueSignIn(ctx context.Context, address string) error {
	if _, err := s.DB.Exec(ctx, `INSERT INTO sign_in_requests (address) VALUES ($1)`, address); err != nil {
		return fmt.Errorf("queue sign-in request: %w", err)
	}
	return nil
}

// SignInRequest is a queued request for a sign-in link.
type SignInRequest struct {
	ID      int64
	Address string
}

// ClaimSignIns takes up to limit queued requests for lease; a request whose worker died is taken
// again once its lease has passed.
func (s *Store) ClaimSignIns(ctx context.Context, limit int, lease time.Duration) ([]SignInRequest, error) {
	rows, err := s.DB.Query(ctx, `UPDATE sign_in_requests SET claimed_until = now() + make_interval(secs => $2)
		WHERE id IN (SELECT id FROM sign_in_requests WHERE claimed_until IS NULL OR claimed_until < now()
			ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
		RETURNING id, address`, limit, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("claim sign-in requests: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[SignInRequest])
}

// SignInDone forgets a request that has been dealt with (its address is not kept).
func (s *Store) SignInDone(ctx context.Context, id int64) error {
	if _, err := s.DB.Exec(ctx, `DELETE FROM sign_in_requests WHERE id = $1`, id); err != nil {
		return fmt.Errorf("forget sign-in request %d: %w", id, err)
	}
	return nil
}
