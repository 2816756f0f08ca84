package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Closure is a period a school is closed to pupils, first and last day included (dates).
type Closure struct {
	First, Last time.Time
	Name        string
}

// SchoolClosures reads a school's closures, earliest first.
func (s *Store) SchoolClosures(ctx context.Context, schoolID string) ([]Closure, error) {
	rows, err := s.DB.Query(ctx, `SELECT first_day, last_day, name FROM school_closures WHERE school_id = $1 ORDER BY first_day`,
		schoolID)
	if err != nil {
		return nil, fmt.Errorf("load school closures: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Closure])
	if err != nil {
		return nil, fmt.Errorf("load school closures: %w", err)
	}
	return out, nil
}

// SetSchoolClosures replaces a school's closures with cs, in one transaction: setting the same
// list twice leaves the same rows.
func (s *Store) SetSchoolClosures(ctx context.Context, schoolID string, cs []Closure) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("set school closures: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// One replacement at a time per school: two sent at once would each delete the old list and
	// both insert, and the second would fail on the first's rows.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM schools WHERE id = $1 FOR UPDATE`, schoolID); err != nil {
		return fmt.Errorf("set school closures: lock school: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM school_closures WHERE school_id = $1`, schoolID); err != nil {
		return fmt.Errorf("set school closures: %w", err)
	}
	for _, c := range cs {
		if _, err := tx.Exec(ctx, `INSERT INTO school_closures (school_id, first_day, last_day, name) VALUES ($1, $2, $3, $4)`,
			schoolID, c.First, c.Last, c.Name); err != nil {
			return fmt.Errorf("set school closures: %s to %s: %w", c.First.Format(time.DateOnly), c.Last.Format(time.DateOnly), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("set school closures: %w", err)
	}
	return nil
}

// SchoolIDs lists every school of the installation.
func (s *Store) SchoolIDs(ctx context.Context) ([]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT id::text FROM schools ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list schools: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list schools: %w", err)
	}
	return ids, nil
}
