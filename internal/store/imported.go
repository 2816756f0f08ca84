package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrOnRoll means a pupil with the imported record's UPN is already on the school's roll.
var ErrOnRoll = errors.New("a pupil with this UPN is already on the school's roll")

// ImportedRecord is a portable record imported from another sendflow (read-only).
type ImportedRecord struct {
	ID, SchoolID, PupilID, BundleSHA256, SourceKeyID, SourceSchool string
	BundleJSON                                                     string
	PDF                                                            []byte
	ImportedBy, ImportedRole                                       string
	ImportedAt                                                     time.Time
	// ImportedByName and PupilName are read with the record (not stored with it).
	ImportedByName, PupilName string
}

// ImportRecord adds the pupil and their imported record in one transaction. The same bundle at
// the same school again returns the first import (created false); a UPN already on the roll is
// ErrOnRoll and nothing changes.
func (s *Store) ImportRecord(ctx context.Context, p NewPupil, r ImportedRecord) (*ImportedRecord, bool, error) {
	var out *ImportedRecord
	created := false
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('import:' || $1))`, p.SchoolID); err != nil {
			return err
		}
		prev, err := importedBy(ctx, tx, true, `r.school_id = $1 AND r.bundle_sha256 = $2`, r.SchoolID, r.BundleSHA256)
		if err == nil && len(prev) > 0 {
			out = &prev[0]
			return nil
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pupils WHERE school_id = $1 AND upn = $2`,
			p.SchoolID, p.UPN).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrOnRoll
		}
		if err := createPupil(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO imported_records (id, school_id, pupil_id, bundle_sha256,
			source_key_id, source_school, bundle_json, pdf, imported_by, imported_role)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING imported_at,
			(SELECT name FROM users WHERE id = imported_by)`,
			r.ID, r.SchoolID, r.PupilID, r.BundleSHA256, r.SourceKeyID, r.SourceSchool, r.BundleJSON, r.PDF,
			r.ImportedBy, r.ImportedRole).Scan(&r.ImportedAt, &r.ImportedByName); err != nil {
			return fmt.Errorf("store imported record: %w", err)
		}
		r.PupilName = p.FirstName + " " + p.LastName
		out, created = &r, true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("import record: %w", err)
	}
	return out, created, nil
}

// ImportedRecords are the records imported for a pupil, newest first.
func (s *Store) ImportedRecords(ctx context.Context, pupilID string) ([]ImportedRecord, error) {
	return importedBy(ctx, s.DB, true, `r.pupil_id = $1 ORDER BY r.imported_at DESC`, pupilID)
}

// SchoolImportedRecords are the records imported for the pupils now at a school, newest first,
// without their PDFs.
func (s *Store) SchoolImportedRecords(ctx context.Context, schoolID string) ([]ImportedRecord, error) {
	return importedBy(ctx, s.DB, false, `p.school_id = $1 ORDER BY r.imported_at DESC`, schoolID)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// importedBy reads the records that match where (columns of r, the record, and p, its pupil);
// withPDF false leaves each record's PDF out.
func importedBy(ctx context.Context, q querier, withPDF bool, where string, args ...any) ([]ImportedRecord, error) {
	pdf := "r.pdf"
	if !withPDF {
		pdf = "''::bytea"
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.school_id, r.pupil_id, r.bundle_sha256, r.source_key_id,
		r.source_school, r.bundle_json, `+pdf+`, r.imported_by, r.imported_role, r.imported_at,
		u.name, p.first_name || ' ' || p.last_name
		FROM imported_records r JOIN users u ON u.id = r.imported_by JOIN pupils p ON p.id = r.pupil_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("imported records: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ImportedRecord, error) {
		var r ImportedRecord
		err := row.Scan(&r.ID, &r.SchoolID, &r.PupilID, &r.BundleSHA256, &r.SourceKeyID, &r.SourceSchool,
			&r.BundleJSON, &r.PDF, &r.ImportedBy, &r.ImportedRole, &r.ImportedAt, &r.ImportedByName, &r.PupilName)
		return r, err
	})
}
