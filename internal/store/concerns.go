package store

import (
	"context"
	"fmt"
	"time"
)

// Concern is what a teacher recorded about a pupil.
type Concern struct {
	ID         string
	PupilID    string
	RaisedBy   string
	Areas      []string
	Observed   string
	Strategies []byte   // JSON array of strategies tried
	Indicators []string // OAG indicator ids
	CreatedAt  time.Time
}

// ProposeConcern stores a concern, proposed, once: a retry with the same id leaves the first one
// in place and reports created=false.
func (s *Store) ProposeConcern(ctx context.Context, c Concern) (created bool, err error) {
	if c.Strategies == nil || string(c.Strategies) == "null" {
		c.Strategies = []byte("[]")
	}
	if c.Indicators == nil {
		c.Indicators = []string{}
	}
	tag, err := s.DB.Exec(ctx, `INSERT INTO concerns (id, pupil_id, raised_by, areas, observed, strategies, indicators)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`, c.ID, c.PupilID, c.RaisedBy, c.Areas, c.Observed, c.Strategies, c.Indicators)
	if err != nil {
		return false, fmt.Errorf("store concern: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// CountConcerns counts a pupil's concerns.
func (s *Store) CountConcerns(ctx context.Context, pupilID string) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM concerns WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, pupilID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count concerns: %w", err)
	}
	return n, nil
}

// ProposeImpact records, proposed, how a concern's strategies worked. ErrNotFound if the concern
// is not one of the pupil's accepted concerns; a retry with the same id changes nothing.
func (s *Store) ProposeImpact(ctx context.Context, id, concernID, pupilID, userID string, impacts []byte) error {
	tag, err := s.DB.Exec(ctx, `INSERT INTO concern_impacts (id, concern_id, recorded_by, impacts)
		SELECT $1, c.id, $3, $4 FROM concerns c WHERE c.id = $2 AND c.pupil_id = $5 AND c.accepted_at IS NOT NULL
		ON CONFLICT (id) DO NOTHING`, id, concernID, userID, impacts, pupilID)
	if err != nil {
		return fmt.Errorf("store impact: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM concern_impacts WHERE id = $1)`, id).Scan(&exists); err != nil ||
			!exists {
			return ErrNotFound
		}
	}
	return nil
}
