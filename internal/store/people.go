package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Recipient is someone an email can go to.
type Recipient struct {
	UserID   string // "" for an agency's shared address
	Email    string
	Name     string
	Language string
}

func (s *Store) recipients(ctx context.Context, sql string, args ...any) ([]Recipient, error) {
	rows, err := s.DB.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Recipient])
}

// ParentsOf lists the people with parental responsibility for a pupil.
func (s *Store) ParentsOf(ctx context.Context, pupilID string) ([]Recipient, error) {
	return s.recipients(ctx, `SELECT u.id::text, u.email, u.name, pp.preferred_language FROM pupil_parents pp
		JOIN users u ON u.id = pp.user_id WHERE pp.pupil_id = $1 AND pp.parental_responsibility ORDER BY u.email`, pupilID)
}

// TeachersOf lists the staff assigned to a pupil's class.
func (s *Store) TeachersOf(ctx context.Context, pupilID string) ([]Recipient, error) {
	return s.recipients(ctx, `SELECT u.id::text, u.email, u.name, 'en' FROM pupils p
		JOIN class_teachers ct ON ct.class_id = p.class_id JOIN users u ON u.id = ct.user_id
		JOIN memberships m ON m.user_id = u.id AND m.school_id = p.school_id AND m.role = 'teacher'
		WHERE p.id = $1 ORDER BY u.email`, pupilID)
}

// SchoolStaff lists the holders of a role in a school.
func (s *Store) SchoolStaff(ctx context.Context, schoolID, role string) ([]Recipient, error) {
	return s.recipients(ctx, `SELECT u.id::text, u.email, u.name, 'en' FROM users u
		JOIN memberships m ON m.user_id = u.id WHERE m.school_id = $1 AND m.role = $2 ORDER BY u.email`, schoolID, role)
}

// Person is one user as a recipient.
func (s *Store) Person(ctx context.Context, userID string) ([]Recipient, error) {
	return s.recipients(ctx, `SELECT id::text, email, name, 'en' FROM users WHERE id = $1`, userID)
}

// AgencyInbox is an agency service's referral address.
func (s *Store) AgencyInbox(ctx context.Context, service string) ([]Recipient, error) {
	return s.recipients(ctx, `SELECT '', referral_email, name, 'en' FROM agency_services WHERE code = $1`, service)
}

// RightsContacts are the contacts a decision letter gives parents, from the school's LA.
type RightsContacts struct {
	Mediation string
	SENDIASS  string
}

// RightsContactsFor finds the contacts of the school's local authority.
func (s *Store) RightsContactsFor(ctx context.Context, schoolID string) (RightsContacts, error) {
	var r RightsContacts
	err := s.DB.QueryRow(ctx, `SELECT la.mediation_contact, la.sendiass_contact FROM schools s
		JOIN local_authorities la ON la.code = s.la_code WHERE s.id = $1`, schoolID).Scan(&r.Mediation, &r.SENDIASS)
	if err != nil {
		return r, fmt.Errorf("the school's local authority has no mediation and SENDIASS contacts: %w", err)
	}
	return r, nil
}

// Child is a pupil a parent holds parental responsibility for.
type Child struct {
	PupilID    string
	FirstName  string
	LastName   string
	SchoolID   string
	SchoolName string
	Stage      string
	Language   string // the parent's preferred language for this child's messages
}

// ChildrenOf lists a parent's children with their school and pathway stage.
func (s *Store) ChildrenOf(ctx context.Context, userID string) ([]Child, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT p.id::text, p.first_name, p.last_name, s.id::text, s.name, coalesce(pw.stage, 'none'),
		pp.preferred_language
		FROM pupil_parents pp JOIN pupils p ON p.id = pp.pupil_id JOIN schools s ON s.id = p.school_id
		LEFT JOIN pathways pw ON pw.pupil_id = p.id
		WHERE pp.user_id = $1 AND pp.parental_responsibility ORDER BY p.first_name, p.id`,
		userID,
	)
	if err != nil {
		return nil, fmt.Errorf("list children: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Child])
}

// SetParentLanguage sets the language a parent hears from the school in about a pupil;
// ErrNotFound if they are not one of the pupil's parents.
func (s *Store) SetParentLanguage(ctx context.Context, pupilID, parentID, lang string) error {
	tag, err := s.DB.Exec(
		ctx,
		`UPDATE pupil_parents SET preferred_language = $3 WHERE pupil_id = $1 AND user_id::text = $2`,
		pupilID,
		parentID,
		lang,
	)
	if err != nil {
		return fmt.Errorf("set the language of parent %s: %w", parentID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
