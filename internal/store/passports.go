package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Passport is one version of a pupil's one-page profile, in their own words.
type Passport struct {
	ID          string
	PupilID     string
	Version     int
	Liked       string // what people like and admire about me
	Important   string // what is important to me
	Support     string // how best to support me
	WrittenWith string // who it was written with, in words ("Amara and her mum")
	SavedBy     string
	SavedByName string
	SavedRole   string
	SchoolName  string
	SavedAt     time.Time
}

const passportColumns = `pp.id::text, pp.pupil_id::text, pp.version, pp.liked, pp.important, pp.support, pp.written_with,
	pp.saved_by::text, coalesce(u.name, ''), pp.saved_role, coalesce(s.name, ''), pp.saved_at`

const passportFrom = `pupil_passports pp LEFT JOIN users u ON u.id = pp.saved_by LEFT JOIN schools s ON s.id = pp.school_id`

func scanPassport(row pgx.Row) (*Passport, error) {
	var p Passport
	err := row.Scan(&p.ID, &p.PupilID, &p.Version, &p.Liked, &p.Important, &p.Support, &p.WrittenWith,
		&p.SavedBy, &p.SavedByName, &p.SavedRole, &p.SchoolName, &p.SavedAt)
	return &p, err
}

// SavePassport saves a new version of a pupil's profile under the save's id and reports whether
// it was a repeat. A repeat writes nothing and returns the version it names: the same id sent
// again, or the very words of the latest version sent again (a form sent twice with nothing to
// join the copies) — a version that changes nothing is not a new version. Versions are numbered
// one after another: saves at the same moment wait for each other on the pupil's row.
func (s *Store) SavePassport(ctx context.Context, p Passport, schoolID string) (saved *Passport, repeat bool, err error) {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("begin passport save: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, `SELECT 1 FROM pupils WHERE id = $1 FOR UPDATE`, p.PupilID); err != nil {
		return nil, false, fmt.Errorf("lock pupil %s: %w", p.PupilID, err)
	}
	id := p.ID
	err = tx.QueryRow(ctx, `SELECT id::text FROM pupil_passports WHERE id = $1
		UNION ALL
		(SELECT id::text FROM pupil_passports WHERE pupil_id = $2 AND liked = $3 AND important = $4 AND support = $5
		   AND written_with = $6 AND version = (SELECT max(version) FROM pupil_passports WHERE pupil_id = $2))
		LIMIT 1`, p.ID, p.PupilID, p.Liked, p.Important, p.Support, p.WrittenWith).Scan(&id)
	switch {
	case err == nil:
		repeat = true
	case errors.Is(err, pgx.ErrNoRows):
		_, err = tx.Exec(
			ctx,
			`INSERT INTO pupil_passports (id, pupil_id, version, liked, important, support, written_with, saved_by, saved_role, school_id)
			SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9 FROM pupil_passports WHERE pupil_id = $2`,
			p.ID,
			p.PupilID,
			p.Liked,
			p.Important,
			p.Support,
			p.WrittenWith,
			p.SavedBy,
			p.SavedRole,
			schoolID,
		)
		if err != nil {
			return nil, false, fmt.Errorf("save passport of %s: %w", p.PupilID, err)
		}
	default:
		return nil, false, fmt.Errorf("find passport save %s: %w", p.ID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, false, fmt.Errorf("commit passport of %s: %w", p.PupilID, err)
	}
	saved, err = scanPassport(
		s.DB.QueryRow(
			ctx,
			`SELECT `+passportColumns+` FROM `+passportFrom+` WHERE pp.id = $1 AND pp.pupil_id = $2`,
			id,
			p.PupilID,
		),
	)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, ErrNotFound // the id is another pupil's save
	}
	if err != nil {
		return nil, false, fmt.Errorf("read saved passport: %w", err)
	}
	return saved, repeat, nil
}

// Passports lists every version of a pupil's profile, newest first.
func (s *Store) Passports(ctx context.Context, pupilID string) ([]Passport, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT `+passportColumns+` FROM `+passportFrom+` WHERE pp.pupil_id = $1 ORDER BY pp.version DESC`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list passports of %s: %w", pupilID, err)
	}
	defer rows.Close()
	var out []Passport
	for rows.Next() {
		p, err := scanPassport(rows)
		if err != nil {
			return nil, fmt.Errorf("read passport: %w", err)
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}
