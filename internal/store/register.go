package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/register"
)

// The SEN register: each pupil's census provision and needs, derived from the read model of the
// pathway and recorded by the SENDCo where it cannot be.

// registerColumns read a pupil's register line: identifiers, what the pathway says (stage, a
// support plan open), and what the SENDCo recorded.
const registerColumns = `p.id::text, p.upn, p.last_name, p.first_name, coalesce(pw.stage, ''),
	EXISTS (SELECT 1 FROM pathway_items c WHERE c.pupil_id = p.id AND c.kind = 'cycle' AND c.status <> 'reviewed'),
	r.provision, coalesce(r.primary_need, ''), coalesce(r.secondary_need, ''), coalesce(r.note, ''), coalesce(u.name, ''), r.recorded_at
	FROM pupils p LEFT JOIN pathways pw ON pw.pupil_id = p.id
	LEFT JOIN sen_register r ON r.pupil_id = p.id LEFT JOIN users u ON u.id = r.recorded_by`

func scanRegisterLine(row pgx.Row) (register.Line, error) {
	var (
		l                  register.Line
		pw                 register.Pathway
		prov               *string
		primary, secondary string
		note, by           string
		at                 *time.Time
	)
	if err := row.Scan(&l.PupilID, &l.UPN, &l.Surname, &l.Forename, &pw.Stage, &pw.OpenCycle, &prov, &primary, &secondary, &note, &by, &at); err != nil {
		return l, err
	}
	l.Derived, l.Why = register.Derive(pw)
	if at != nil {
		rec := &register.Recorded{
			Primary:   register.Need(primary),
			Secondary: register.Need(secondary),
			Note:      note,
			By:        by,
			At:        *at,
		}
		if prov != nil {
			p := register.Provision(*prov)
			rec.Provision = &p
		}
		l.Rec = rec
	}
	return l, nil
}

// SchoolRegister reads a school's register, every pupil on roll, in name order.
func (s *Store) SchoolRegister(ctx context.Context, schoolID string) ([]register.Line, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT `+registerColumns+` WHERE p.school_id = $1 ORDER BY p.last_name, p.first_name, p.id`,
		schoolID,
	)
	if err != nil {
		return nil, fmt.Errorf("load register of school %s: %w", schoolID, err)
	}
	lines, err := pgx.CollectRows(
		rows,
		func(r pgx.CollectableRow) (register.Line, error) { return scanRegisterLine(r) },
	)
	if err != nil {
		return nil, fmt.Errorf("load register of school %s: %w", schoolID, err)
	}
	return lines, nil
}

// RegisterLine reads one pupil's register line.
func (s *Store) RegisterLine(ctx context.Context, pupilID string) (register.Line, error) {
	l, err := scanRegisterLine(s.DB.QueryRow(ctx, `SELECT `+registerColumns+` WHERE p.id = $1`, pupilID))
	if errors.Is(err, pgx.ErrNoRows) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, fmt.Errorf("load register line of pupil %s: %w", pupilID, err)
	}
	return l, nil
}

// RegisterChange is what the SENDCo records for a pupil; ID names the action.
type RegisterChange struct {
	ID, PupilID        string
	Provision          *register.Provision // nil: follow the pathway
	Primary, Secondary register.Need
	Note               string
	By                 string
}

// ErrChangeTaken means a change id was already used for another pupil.
var ErrChangeTaken = errors.New("this action id was used for another pupil")

// RecordRegister keeps a change and makes it the pupil's register entry, in one transaction.
// The same change sent again changes nothing (repeat is true), and so does an entry that says
// exactly what the register already says (copies of one form sent at once, with no key to join
// them): the register keeps changes, not re-sendings. Changes to one pupil wait for each other.
func (s *Store) RecordRegister(ctx context.Context, c RegisterChange) (repeat bool, err error) {
	var prov *string
	if c.Provision != nil {
		v := string(*c.Provision)
		prov = &v
	}
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("record register of pupil %s: %w", c.PupilID, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, `SELECT 1 FROM pupils WHERE id = $1 FOR UPDATE`, c.PupilID); err != nil {
		return false, fmt.Errorf("lock pupil %s: %w", c.PupilID, err)
	}
	var same bool
	err = tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM sen_register_changes WHERE id = $1) AND EXISTS (
			SELECT 1 FROM sen_register WHERE pupil_id = $2 AND provision IS NOT DISTINCT FROM $3
			AND primary_need = $4 AND secondary_need = $5 AND note = $6)`,
		c.ID, c.PupilID, prov, string(c.Primary), string(c.Secondary), c.Note).Scan(&same)
	if err != nil {
		return false, fmt.Errorf("compare register of pupil %s: %w", c.PupilID, err)
	}
	if same {
		return true, nil
	}
	tag, err := tx.Exec(
		ctx,
		`INSERT INTO sen_register_changes (id, pupil_id, provision, primary_need, secondary_need, note, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		c.ID,
		c.PupilID,
		prov,
		string(c.Primary),
		string(c.Secondary),
		c.Note,
		c.By,
	)
	if err != nil {
		return false, fmt.Errorf("record register change for pupil %s: %w", c.PupilID, err)
	}
	if tag.RowsAffected() == 0 {
		var pupil string
		if err := tx.QueryRow(ctx, `SELECT pupil_id::text FROM sen_register_changes WHERE id = $1`, c.ID).Scan(&pupil); err != nil {
			return false, fmt.Errorf("find register change %s: %w", c.ID, err)
		}
		if pupil != c.PupilID {
			return false, ErrChangeTaken
		}
		return true, nil
	}
	_, err = tx.Exec(
		ctx,
		`INSERT INTO sen_register (pupil_id, provision, primary_need, secondary_need, note, recorded_by, recorded_at, change_id)
		SELECT pupil_id, provision, primary_need, secondary_need, note, recorded_by, recorded_at, id FROM sen_register_changes WHERE id = $1
		ON CONFLICT (pupil_id) DO UPDATE SET provision = EXCLUDED.provision, primary_need = EXCLUDED.primary_need,
			secondary_need = EXCLUDED.secondary_need, note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by,
			recorded_at = EXCLUDED.recorded_at, change_id = EXCLUDED.change_id`,
		c.ID,
	)
	if err != nil {
		return false, fmt.Errorf("record register of pupil %s: %w", c.PupilID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("record register of pupil %s: %w", c.PupilID, err)
	}
	return false, nil
}
