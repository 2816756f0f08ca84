package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SaveMagicLink keeps the hash of a sign-in link's secret.
func (s *Store) SaveMagicLink(ctx context.Context, tokenHash, userID string, expires time.Time) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO magic_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`, tokenHash, userID, expires)
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
