package store

import (
	"context"
	"fmt"
	"time"
)

// Concern is what a teacher recorded about a pupil.
type Concern struct {
	ID        string
	PupilID   string
	RaisedBy  string
	Areas     []string
	Observed  string
	CreatedAt time.Time
}

// InsertConcern stores a concern once: a retry with the same id leaves the first one in place and
// reports created=false.
func (s *Store) InsertConcern(ctx context.Context, c Concern) (created bool, err error) {
	tag, err := s.DB.Exec(ctx, `INSERT INTO concerns (id, pupil_id, raised_by, areas, observed)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, c.ID, c.PupilID, c.RaisedBy, c.Areas, c.Observed)
	if err != nil {
		return false, fmt.Errorf("store concern: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// CountConcerns counts a pupil's concerns.
func (s *Store) CountConcerns(ctx context.Context, pupilID string) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM concerns WHERE pupil_id = $1`, pupilID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count concerns: %w", err)
	}
	return n, nil
}
