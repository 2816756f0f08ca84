package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrConflict is a unique value already taken (an email, a UPN, a class name).
var ErrConflict = errors.New("already exists")

func conflict(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pg.ConstraintName)
	}
	return err
}

// Rejected reports whether PostgreSQL refused a value as data: a malformed id or date, text too
// long or holding a NUL, a reference to nothing, a check that fails. Such a value came from the
// caller (nothing sendflow makes itself is refused so), so surfaces answer 422, not 503.
func Rejected(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (strings.HasPrefix(pg.Code, "22") || pg.Code == "23503" || pg.Code == "23514")
}

// SQLState is the PostgreSQL error code in err, or "".
func SQLState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// Taken reports whether a unique value was already taken.
func Taken(err error) bool {
	var pg *pgconn.PgError
	return errors.Is(err, ErrConflict) || errors.As(err, &pg) && pg.Code == "23505"
}

// School is a school's record.
type School struct {
	ID, Name, LACode string
	TrustID          *string
	// LowAge and HighAge are the statutory age range (nil when not recorded).
	LowAge, HighAge *int
	Contact         Contact
}

// Contact is how families reach the school: a name (a person or "the school office"), an email
// address and a telephone number. Empty until the school sets it.
type Contact struct {
	Name, Email, Phone string
}

// IsSet reports whether the school has given a way to reach it.
func (c Contact) IsSet() bool { return c.Email != "" || c.Phone != "" }

// CreateSchool adds a school; a retry with the same id changes nothing.
func (s *Store) CreateSchool(ctx context.Context, sc School) error {
	_, err := s.DB.Exec(
		ctx,
		`INSERT INTO schools (id, name, la_code, trust_id, statutory_low_age, statutory_high_age,
		contact_name, contact_email, contact_phone)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		sc.ID,
		sc.Name,
		sc.LACode,
		sc.TrustID,
		sc.LowAge,
		sc.HighAge,
		sc.Contact.Name,
		sc.Contact.Email,
		sc.Contact.Phone,
	)
	if err != nil {
		return fmt.Errorf("create school: %w", conflict(err))
	}
	return nil
}

// SchoolByID loads a school.
func (s *Store) SchoolByID(ctx context.Context, id string) (*School, error) {
	var sc School
	err := s.DB.QueryRow(ctx, `SELECT id, name, la_code, trust_id, statutory_low_age, statutory_high_age,
		contact_name, contact_email, contact_phone FROM schools WHERE id = $1`, id).
		Scan(&sc.ID, &sc.Name, &sc.LACode, &sc.TrustID, &sc.LowAge, &sc.HighAge, &sc.Contact.Name, &sc.Contact.Email, &sc.Contact.Phone)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load school %s: %w", id, err)
	}
	return &sc, nil
}

// SetSchoolContact replaces how families reach a school.
func (s *Store) SetSchoolContact(ctx context.Context, schoolID string, c Contact) error {
	tag, err := s.DB.Exec(
		ctx,
		`UPDATE schools SET contact_name = $2, contact_email = $3, contact_phone = $4 WHERE id = $1`,
		schoolID,
		c.Name,
		c.Email,
		c.Phone,
	)
	if err != nil {
		return fmt.Errorf("set school contact %s: %w", schoolID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// LAExists reports whether a local authority code is known.
func (s *Store) LAExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM local_authorities WHERE code = $1)`, code).Scan(&ok)
	return ok, err
}

// LACodes lists the local authorities' codes.
func (s *Store) LACodes(ctx context.Context) ([]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT code FROM local_authorities ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list local authorities: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// TrustExists reports whether a trust is known.
func (s *Store) TrustExists(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM trusts WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

// upsertUser finds a user by email or creates one with the given id; it returns the user's id.
func upsertUser(ctx context.Context, tx pgx.Tx, id, email, name string) (string, error) {
	var got string
	err := tx.QueryRow(ctx, `INSERT INTO users (id, email, name) VALUES ($1, $2, $3)
		ON CONFLICT ((lower(email))) DO UPDATE SET email = users.email RETURNING id`, id, email, name).Scan(&got)
	if err != nil {
		return "", fmt.Errorf("save person %s: %w", id, err) // an id: errors are logged
	}
	return got, nil
}

// AddStaff gives a person (found by email, or created) a role in a school.
func (s *Store) AddStaff(ctx context.Context, schoolID, newID, email, name, role string) (string, error) {
	var userID string
	err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		var err error
		if userID, err = upsertUser(ctx, tx, newID, email, name); err != nil {
			return err
		}
		_, err = tx.Exec(
			ctx,
			`INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			userID,
			schoolID,
			role,
		)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("add staff: %w", err)
	}
	return userID, nil
}

// CreateClass adds a class with its teachers, who must be staff of the school.
func (s *Store) CreateClass(ctx context.Context, schoolID, classID, name string, teacherIDs []string) error {
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		tag, err := tx.Exec(
			ctx,
			`INSERT INTO classes (id, school_id, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			classID,
			schoolID,
			name,
		)
		if err != nil {
			return fmt.Errorf("create class: %w", conflict(err))
		}
		if tag.RowsAffected() == 0 {
			return nil // a retry
		}
		for _, t := range teacherIDs {
			tag, err := tx.Exec(ctx, `INSERT INTO class_teachers (class_id, user_id)
				SELECT $1, m.user_id FROM memberships m WHERE m.user_id = $2 AND m.school_id = $3 AND m.role IN ('teacher','teaching_assistant')
				ON CONFLICT DO NOTHING`, classID, t, schoolID)
			if err != nil {
				return fmt.Errorf("assign teacher: %w", err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%w: %s is not a teacher or teaching assistant of this school", ErrNotFound, t)
			}
		}
		return nil
	})
}

// ClassID finds a class of a school by name.
func (s *Store) ClassID(ctx context.Context, schoolID, name string) (string, error) {
	var id string
	err := s.DB.QueryRow(ctx, `SELECT id FROM classes WHERE school_id = $1 AND lower(name) = lower($2)`, schoolID, name).
		Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return id, err
}

// NewParent is a parent or carer given with a pupil.
type NewParent struct {
	ID, Name, Email, Relationship, Language string
	ParentalResponsibility                  bool
}

// NewPupil is a pupil to add.
type NewPupil struct {
	ID, SchoolID, UPN, FirstName, LastName string
	ClassID                                *string
	DateOfBirth                            time.Time
	Parents                                []NewParent
}

// CreatePupils adds pupils and their parents in one transaction: all of them or none.
func (s *Store) CreatePupils(ctx context.Context, pupils []NewPupil) error {
	return pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
		for _, p := range pupils {
			if err := createPupil(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func createPupil(ctx context.Context, tx pgx.Tx, p NewPupil) error {
	tag, err := tx.Exec(ctx, `INSERT INTO pupils (id, school_id, class_id, upn, first_name, last_name, date_of_birth)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`, p.ID, p.SchoolID, p.ClassID, p.UPN, p.FirstName, p.LastName, p.DateOfBirth)
	if err != nil {
		return fmt.Errorf("add pupil %s: %w", p.UPN, conflict(err))
	}
	if tag.RowsAffected() == 0 {
		return nil // a retry
	}
	for _, par := range p.Parents {
		uid, err := upsertUser(ctx, tx, par.ID, par.Email, par.Name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pupil_parents (pupil_id, user_id, relationship, parental_responsibility, preferred_language)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, p.ID, uid, par.Relationship, par.ParentalResponsibility, par.Language); err != nil {
			return fmt.Errorf("link parent: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, 'parent') ON CONFLICT DO NOTHING`, uid, p.SchoolID); err != nil {
			return fmt.Errorf("link parent to school: %w", err)
		}
	}
	return nil
}

// UPNsTaken returns which of the UPNs are already on a school's roll (other schools' rolls are
// not the school's to know).
func (s *Store) UPNsTaken(ctx context.Context, schoolID string, upns []string) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, `SELECT upn FROM pupils WHERE school_id = $1 AND upn = ANY($2)`, schoolID, upns)
	if err != nil {
		return nil, fmt.Errorf("check UPNs: %w", err)
	}
	taken := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		taken[u] = true
	}
	return taken, rows.Err()
}

// PupilSummary is a line of a pupil list.
type PupilSummary struct {
	ID, UPN, FirstName, LastName string
	ClassName                    *string
	Stage                        string
}

// ListPupils returns a page of a school's pupils in name order after the cursor key; teacherID,
// when set, keeps only the pupils of that person's classes.
func (s *Store) ListPupils(ctx context.Context, schoolID, teacherID, after string, limit int) ([]PupilSummary, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT p.id::text, p.upn, p.first_name, p.last_name, c.name, coalesce(pw.stage, 'none')
		FROM pupils p LEFT JOIN classes c ON c.id = p.class_id LEFT JOIN pathways pw ON pw.pupil_id = p.id
		WHERE p.school_id = $1
		  AND ($2 = '' OR EXISTS (SELECT 1 FROM class_teachers ct WHERE ct.class_id = p.class_id AND ct.user_id::text = $2))
		  AND (p.last_name || chr(1) || p.first_name || chr(1) || p.id::text) > $3
		ORDER BY p.last_name || chr(1) || p.first_name || chr(1) || p.id::text LIMIT $4`,
		schoolID,
		teacherID,
		after,
		limit,
	)
	if err != nil {
		return nil, fmt.Errorf("list pupils: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PupilSummary])
}

// PupilKey is the sort key ListPupils pages by.
func PupilKey(p PupilSummary) string { return p.LastName + "\x01" + p.FirstName + "\x01" + p.ID }

// AuditRow is one line of a pupil's audit trail.
type AuditRow struct {
	At        time.Time
	ActorID   *string
	ActorName *string
	Role      string
	Action    string
	Outcome   string
	RequestID string
}

// AuditTrail lists a pupil's audit records, newest first, before the cursor id (0 = start).
func (s *Store) AuditTrail(ctx context.Context, pupilID string, before int64, limit int) ([]AuditRow, []int64, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT a.id, a.at, a.actor_id::text, u.name, a.actor_role, a.action, a.outcome, a.request_id
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.pupil_id = $1 AND ($2 = 0 OR a.id < $2) ORDER BY a.id DESC LIMIT $3`,
		pupilID,
		before,
		limit,
	)
	if err != nil {
		return nil, nil, fmt.Errorf("load audit trail: %w", err)
	}
	defer rows.Close()
	var out []AuditRow
	var ids []int64
	for rows.Next() {
		var r AuditRow
		var id int64
		if err := rows.Scan(&id, &r.At, &r.ActorID, &r.ActorName, &r.Role, &r.Action, &r.Outcome, &r.RequestID); err != nil {
			return nil, nil, err
		}
		out, ids = append(out, r), append(ids, id)
	}
	return out, ids, rows.Err()
}
