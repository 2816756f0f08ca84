package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/transfer"
)

// Transfer is a receiving school's request for a pupil's SEND record, as PostgreSQL holds it.
// PupilID and FromSchoolID are empty when the UPN and date of birth matched nobody: the request
// is kept all the same, so the receiving school's answer is the same either way.
type Transfer struct {
	ID           string
	ToSchoolID   string
	ToSchool     string
	RequestedBy  string
	RequestedAt  time.Time
	PupilID      string
	FromSchoolID string
	FromSchool   string
	Status       string
	DecidedAt    *time.Time
	CompletedAt  *time.Time
	// UPN is what the receiving school asked with; PupilName is the matched pupil's name, shown
	// to the sending school only (and to the receiving school once the pupil has moved).
	UPN       string
	PupilName string
	// Held is a released transfer whose move could not be made (the new school's roll has the
	// pupil's UPN): it waits again, and both schools are told why (transfer.UPNOnRoll).
	Held bool
}

const transferColumns = `t.id::text, t.to_school_id::text, ts.name, t.requested_by::text, t.requested_at,
	coalesce(t.pupil_id::text, ''), coalesce(t.from_school_id::text, ''), coalesce(fs.name, ''), t.status,
	t.decided_at, t.completed_at, t.upn, coalesce(p.first_name || ' ' || p.last_name, ''),
	(t.status = 'requested' AND t.decided_at IS NOT NULL AND p.id IS NOT NULL AND EXISTS (
		SELECT 1 FROM pupils o WHERE o.school_id = t.to_school_id AND o.upn = p.upn AND o.id <> p.id))`

const transferFrom = `school_transfers t JOIN schools ts ON ts.id = t.to_school_id
	LEFT JOIN schools fs ON fs.id = t.from_school_id LEFT JOIN pupils p ON p.id = t.pupil_id`

func scanTransfer(row pgx.Row) (*Transfer, error) {
	var t Transfer
	err := row.Scan(&t.ID, &t.ToSchoolID, &t.ToSchool, &t.RequestedBy, &t.RequestedAt, &t.PupilID, &t.FromSchoolID,
		&t.FromSchool, &t.Status, &t.DecidedAt, &t.CompletedAt, &t.UPN, &t.PupilName, &t.Held)
	return &t, err
}

// RequestTransfer records a receiving school's request under its id (a repeat writes nothing)
// and matches it to a pupil at another school with this UPN and date of birth, if exactly one
// is there and no other request for them is open. It says nothing of whether one matched. The
// same school asking again for the same pupil while its request is open (the form sent twice,
// with no key to join the copies) is the same request: it returns the id of the one that holds.
// Requests for one UPN are made one at a time, so copies sent at once cannot both be recorded.
// repeat reports that the request was already recorded.
func (s *Store) RequestTransfer(
	ctx context.Context,
	id, toSchoolID, requestedBy, upn string,
	dob time.Time,
) (held string, repeat bool, err error) {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return "", false, fmt.Errorf("begin transfer request: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('transfer-request:' || $1, 0))`, upn); err != nil {
		return "", false, fmt.Errorf("lock transfer requests: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT id::text FROM school_transfers WHERE id = $1`, id).Scan(&held)
	if errors.Is(err, pgx.ErrNoRows) {
		// The pupil this request would match, if any, whether or not a request for them is open.
		err = tx.QueryRow(ctx, `WITH m AS (
				SELECT p.id FROM pupils p WHERE p.upn = $2 AND p.date_of_birth = $3 AND p.school_id <> $1),
			one AS (SELECT id FROM m WHERE (SELECT count(*) FROM m) = 1)
			SELECT o.id::text FROM school_transfers o
			WHERE o.to_school_id = $1 AND o.upn = $2 AND o.status IN ('requested', 'released')
			  AND o.pupil_id IS NOT DISTINCT FROM (SELECT id FROM one)
			ORDER BY o.requested_at LIMIT 1`, toSchoolID, upn, dob).Scan(&held)
	}
	if err == nil {
		return held, true, tx.Commit(ctx)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", false, fmt.Errorf("find transfer request: %w", err)
	}
	_, err = tx.Exec(ctx, `WITH m AS (
			SELECT p.id, p.school_id FROM pupils p
			WHERE p.upn = $4 AND p.date_of_birth = $5 AND p.school_id <> $2
			  AND NOT EXISTS (SELECT 1 FROM school_transfers o WHERE o.pupil_id = p.id AND o.status IN ('requested','released'))),
		one AS (SELECT id, school_id FROM m WHERE (SELECT count(*) FROM m) = 1)
		INSERT INTO school_transfers (id, to_school_id, requested_by, upn, pupil_id, from_school_id)
		VALUES ($1, $2, $3, $4, (SELECT id FROM one), (SELECT school_id FROM one))`, id, toSchoolID, requestedBy, upn, dob)
	if err != nil {
		return "", false, fmt.Errorf("record transfer request: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", false, fmt.Errorf("commit transfer request: %w", err)
	}
	return id, false, nil
}

// TransferByID loads one transfer; ErrNotFound if there is none.
func (s *Store) TransferByID(ctx context.Context, id string) (*Transfer, error) {
	t, err := scanTransfer(s.DB.QueryRow(ctx, `SELECT `+transferColumns+` FROM `+transferFrom+` WHERE t.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load transfer %s: %w", id, err)
	}
	return t, nil
}

// Transfers lists a school's transfers: the requests it made (incoming) and the requests for
// its pupils (outgoing: matched ones only), newest first.
func (s *Store) Transfers(ctx context.Context, schoolID string) (incoming, outgoing []Transfer, err error) {
	rows, err := s.DB.Query(ctx, `SELECT `+transferColumns+` FROM `+transferFrom+`
		WHERE t.to_school_id = $1 OR (t.from_school_id = $1 AND t.pupil_id IS NOT NULL)
		ORDER BY t.requested_at DESC LIMIT 200`, schoolID)
	if err != nil {
		return nil, nil, fmt.Errorf("list transfers of %s: %w", schoolID, err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("read transfer: %w", err)
		}
		if t.ToSchoolID == schoolID {
			incoming = append(incoming, *t)
		} else {
			outgoing = append(outgoing, *t)
		}
	}
	return incoming, outgoing, rows.Err()
}

// SetTransferStatus moves a transfer from one of the states in from to status, recording who
// decided; it reports whether the row changed (false: it was not in one of those states).
func (s *Store) SetTransferStatus(ctx context.Context, id string, from []string, status, by string) (bool, error) {
	tag, err := s.DB.Exec(
		ctx,
		`UPDATE school_transfers SET status = $3, decided_by = $4, decided_at = coalesce(decided_at, now())
		WHERE id = $1 AND status = ANY($2)`,
		id,
		from,
		status,
		by,
	)
	if err != nil {
		return false, fmt.Errorf("set transfer %s %s: %w", id, status, err)
	}
	return tag.RowsAffected() == 1, nil
}

// UPNTaken reports whether a school already has a pupil with this UPN other than pupilID: a
// move there would give its roll the UPN twice.
func (s *Store) UPNTaken(ctx context.Context, schoolID, pupilID string) (bool, error) {
	return upnTaken(ctx, s.DB, schoolID, pupilID)
}

func upnTaken(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, schoolID, pupilID string,
) (bool, error) {
	var taken bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pupils o JOIN pupils p ON p.upn = o.upn
		WHERE p.id = $2 AND o.school_id = $1 AND o.id <> p.id)`, schoolID, pupilID).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("check UPN at %s: %w", schoolID, err)
	}
	return taken, nil
}

// DecidedBy reports whether a person took the decision on a transfer (released it).
func (s *Store) DecidedBy(ctx context.Context, transferID, userID string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM school_transfers WHERE id = $1 AND decided_by = $2)`,
		transferID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check who decided transfer %s: %w", transferID, err)
	}
	return ok, nil
}

// MoveRefused is a released transfer's move that PostgreSQL cannot make as things now stand
// (Reason says why, for both schools); the move's transaction changed nothing.
type MoveRefused struct{ ID, Reason string }

func (e *MoveRefused) Error() string { return "school move " + e.ID + " refused: " + e.Reason }

// HoldTransfer puts a released transfer whose move was refused back to waiting, so neither
// school sees it as moving; the sending school may release it again once the reason is gone.
func (s *Store) HoldTransfer(ctx context.Context, id string) error {
	if _, err := s.DB.Exec(ctx, `UPDATE school_transfers SET status = 'requested' WHERE id = $1 AND status = 'released'`, id); err != nil {
		return fmt.Errorf("hold transfer %s: %w", id, err)
	}
	return nil
}

// ProposeSchoolMove writes the move a released transfer makes, as a proposed record named by
// the transfer's id (a repeat writes nothing).
func (s *Store) ProposeSchoolMove(ctx context.Context, t *Transfer, by string) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO school_moves (id, pupil_id, from_school_id, to_school_id, proposed_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, t.ID, t.PupilID, t.FromSchoolID, t.ToSchoolID, by)
	if err != nil {
		return fmt.Errorf("propose school move %s: %w", t.ID, err)
	}
	return nil
}

// ApplySchoolMove accepts a proposed move of a pupil who has no pathway (no workflow to tell),
// in one transaction; accepting again changes nothing.
func (s *Store) ApplySchoolMove(ctx context.Context, id string) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin school move: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	if err := acceptSchoolMove(ctx, tx, id, time.Now()); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit school move %s: %w", id, err)
	}
	return nil
}

// HasPathway reports whether a pupil's pathway has started (its read model exists).
func (s *Store) HasPathway(ctx context.Context, pupilID string) (bool, error) {
	var ok bool
	if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pathways WHERE pupil_id = $1)`, pupilID).Scan(&ok); err != nil {
		return false, fmt.Errorf("check pathway of %s: %w", pupilID, err)
	}
	return ok, nil
}

// acceptSchoolMove moves the pupil inside the transaction that accepts the move: the pupil
// joins the new school's roll (in no class yet), the read model follows, the parents become
// parents at the new school (and stop being parents at the old one unless another child is
// there), and the transfer is completed. The pathway's story keeps the school of each line.
// Staff access follows from the pupil's school: the old school's staff no longer reach them.
func acceptSchoolMove(ctx context.Context, tx pgx.Tx, id string, at time.Time) error {
	var pupilID, from, to string
	var already bool
	err := tx.QueryRow(ctx, `SELECT pupil_id::text, from_school_id::text, to_school_id::text, accepted_at IS NOT NULL
		FROM school_moves WHERE id = $1 FOR UPDATE`, id).Scan(&pupilID, &from, &to, &already)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: school_move %s", ErrRecordMissing, id)
	}
	if err != nil {
		return fmt.Errorf("load school move %s: %w", id, err)
	}
	if already {
		return nil
	}
	// What changed since the release was checked refuses the move whole: a pupil with the UPN
	// joined the new roll, or the transfer was withdrawn meanwhile. Nothing is half moved.
	var open bool
	if err := tx.QueryRow(ctx, `SELECT status IN ('requested', 'released') FROM school_transfers WHERE id = $1 FOR UPDATE`, id).
		Scan(&open); err != nil {
		return fmt.Errorf("load transfer of school move %s: %w", id, err)
	}
	if !open {
		return &MoveRefused{ID: id, Reason: transfer.NotOpen}
	}
	if taken, err := upnTaken(ctx, tx, to, pupilID); err != nil {
		return err
	} else if taken {
		return &MoveRefused{ID: id, Reason: transfer.UPNOnRoll}
	}
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"accept", `UPDATE school_moves SET accepted_at = $2 WHERE id = $1`, []any{id, at}},
		{"move pupil", `UPDATE pupils p SET school_id = $2, class_id = NULL WHERE p.id = $1`, []any{pupilID, to}},
		{
			"move pathway",
			`UPDATE pathways SET school_id = p.school_id FROM pupils p WHERE p.id = $1 AND pathways.pupil_id = $1`,
			[]any{pupilID},
		},
		{
			"move items",
			`UPDATE pathway_items SET school_id = p.school_id FROM pupils p WHERE p.id = $1 AND pathway_items.pupil_id = $1`,
			[]any{pupilID},
		},
		{
			"move deadlines",
			`UPDATE deadlines SET school_id = p.school_id FROM pupils p WHERE p.id = $1 AND deadlines.pupil_id = $1`,
			[]any{pupilID},
		},
		{"parents join", `INSERT INTO memberships (user_id, school_id, role)
			SELECT pp.user_id, $2, 'parent' FROM pupil_parents pp WHERE pp.pupil_id = $1 ON CONFLICT DO NOTHING`, []any{pupilID, to}},
		{"parents leave", `DELETE FROM memberships m USING pupil_parents pp
			WHERE pp.pupil_id = $1 AND m.user_id = pp.user_id AND m.school_id = $2 AND m.role = 'parent'
			  AND NOT EXISTS (SELECT 1 FROM pupil_parents o JOIN pupils op ON op.id = o.pupil_id
			                  WHERE o.user_id = pp.user_id AND op.school_id = $2)`, []any{pupilID, from}},
		{
			"complete",
			`UPDATE school_transfers SET status = 'completed', completed_at = $2 WHERE id = $1 AND status IN ('requested', 'released')`,
			[]any{id, at},
		},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("school move %s: %s: %w", id, st.what, err)
		}
	}
	return nil
}
