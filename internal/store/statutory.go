package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The statutory side of a pupil's record: what the phase-transfer rule reads, the council's
// contacts for its alerts, and the council's view of what is at risk in its area.

// PupilPlacement reads a pupil's date of birth and their school's statutory age range (nil ages
// when the school has not recorded it).
func (s *Store) PupilPlacement(ctx context.Context, pupilID string) (dob time.Time, low, high *int, err error) {
	err = s.DB.QueryRow(ctx, `SELECT p.date_of_birth, s.statutory_low_age, s.statutory_high_age
		FROM pupils p JOIN schools s ON s.id = p.school_id WHERE p.id = $1`, pupilID).Scan(&dob, &low, &high)
	if errors.Is(err, pgx.ErrNoRows) {
		return dob, nil, nil, ErrNotFound
	}
	if err != nil {
		return dob, nil, nil, fmt.Errorf("load placement of pupil %s: %w", pupilID, err)
	}
	return dob, low, high, nil
}

// CouncilContacts are who at the council hears of the steps it owns for a pupil: the pupil's
// EHC officer, if one is assigned, and the EHC team address of the school's local authority,
// if its directory gives one.
func (s *Store) CouncilContacts(ctx context.Context, pupilID string) ([]Recipient, error) {
	return s.recipients(
		ctx,
		`SELECT u.id::text, u.email, u.name, 'en' FROM ehc_officers o JOIN users u ON u.id = o.user_id
			WHERE o.pupil_id = $1
		UNION ALL
		SELECT '', la.ehc_team_email, la.name || ' EHC team', 'en' FROM pupils p JOIN schools sc ON sc.id = p.school_id
			JOIN local_authorities la ON la.code = sc.la_code WHERE p.id = $1 AND la.ehc_team_email <> ''`,
		pupilID,
	)
}

// ErrNotOfficer means the person named is not an EHC officer of the pupil's local authority.
var ErrNotOfficer = errors.New("not an EHC officer of the pupil's local authority")

// AssignEHCOfficer makes officerID the council's EHC officer for the pupil, replacing any
// other. The officer must work for the local authority of the pupil's school.
func (s *Store) AssignEHCOfficer(ctx context.Context, pupilID, officerID, byID string) error {
	tag, err := s.DB.Exec(ctx, `INSERT INTO ehc_officers (pupil_id, user_id, assigned_by)
		SELECT p.id, o.user_id, $3 FROM pupils p JOIN schools sc ON sc.id = p.school_id
			JOIN la_officers o ON o.la_code = sc.la_code AND o.user_id = $2 WHERE p.id = $1
		ON CONFLICT (pupil_id) DO UPDATE SET user_id = EXCLUDED.user_id, assigned_by = EXCLUDED.assigned_by, assigned_at = now()`,
		pupilID, officerID, byID)
	if err != nil {
		return fmt.Errorf("assign EHC officer for pupil %s: %w", pupilID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotOfficer
	}
	return nil
}

// EHCOfficerOf is the pupil's EHC officer's id and name; ErrNotFound if none is assigned.
func (s *Store) EHCOfficerOf(ctx context.Context, pupilID string) (id, name string, err error) {
	err = s.DB.QueryRow(ctx, `SELECT u.id::text, u.name FROM ehc_officers o JOIN users u ON u.id = o.user_id WHERE o.pupil_id = $1`, pupilID).
		Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("load EHC officer of pupil %s: %w", pupilID, err)
	}
	return id, name, nil
}

// ProposeTransferCorrection keeps the SENDCo's reason for correcting a review's phase transfer.
func (s *Store) ProposeTransferCorrection(
	ctx context.Context,
	id, pupilID string,
	review int,
	transfer, reason, userID string,
) error {
	return s.propose(
		ctx,
		"transfer correction",
		`INSERT INTO transfer_corrections (id, pupil_id, review, transfer, reason, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		id,
		pupilID,
		review,
		transfer,
		reason,
		userID,
	)
}

// StatutoryItem is one EHC needs assessment or annual review, with its pupil, for the lists that
// show timeliness (the caseload, the council's view).
type StatutoryItem struct {
	PupilID   string
	FirstName string
	LastName  string
	SchoolID  string
	School    string
	ItemID    string
	Kind      string // ehc or annual_review
	Status    string
	State     []byte
}

// The columns of a StatutoryItem and the tables they come from, and the order the lists show:
// open ones first.
const (
	statutoryColumns = `p.id::text, p.first_name, p.last_name, sc.id::text, sc.name, i.item_id, i.kind, i.status, i.state
		FROM pathway_items i JOIN pupils p ON p.id = i.pupil_id JOIN schools sc ON sc.id = i.school_id`
	statutoryOrder = `i.status IN ('finished', 'complete'), p.last_name, p.first_name, i.item_id`
)

// StatutoryItems lists the EHC needs assessments and annual reviews of a school's pupils
// (schoolID set) or of every school in a local authority (laCode set), open ones first.
func (s *Store) StatutoryItems(ctx context.Context, schoolID, laCode string) ([]StatutoryItem, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+statutoryColumns+`
		WHERE i.kind IN ('ehc', 'annual_review') AND ($1 = '' OR sc.id::text = $1) AND ($2 = '' OR sc.la_code = $2)
		ORDER BY `+statutoryOrder, schoolID, laCode)
	if err != nil {
		return nil, fmt.Errorf("load statutory items: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[StatutoryItem])
	if err != nil {
		return nil, fmt.Errorf("load statutory items: %w", err)
	}
	return items, nil
}

// LAByCode is a local authority's name; ErrNotFound if there is none with this code.
func (s *Store) LAByCode(ctx context.Context, code string) (string, error) {
	var name string
	err := s.DB.QueryRow(ctx, `SELECT name FROM local_authorities WHERE code = $1`, code).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("load local authority %s: %w", code, err)
	}
	return name, nil
}
