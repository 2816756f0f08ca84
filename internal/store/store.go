// Package store reads and writes sendflow's PostgreSQL tables: reference data, the pathway read
// model, idempotency records and the audit trail. The API and the activities share it so each
// query exists once.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store wraps the pool.
type Store struct{ DB *pgxpool.Pool }

// ErrNotFound is returned when a row does not exist (or is outside the caller's reach).
var ErrNotFound = errors.New("not found")

// Connect opens a pool of at most maxConns connections (0: pgx's default) and checks the server
// answers.
func Connect(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return pool, nil
}

// Membership is a role a user holds in a school.
type Membership struct {
	SchoolID string
	Role     string
}

// User is a person who signs in.
type User struct {
	ID          string
	Email       string
	Name        string
	Memberships []Membership
}

// UserByEmail finds a user and their roles; emails match case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.user(ctx, `lower(u.email) = lower($1)`, email)
}

// UserByID finds a user and their roles.
func (s *Store) UserByID(ctx context.Context, id string) (*User, error) {
	return s.user(ctx, `u.id = $1`, id)
}

func (s *Store) user(ctx context.Context, where string, arg any) (*User, error) {
	rows, err := s.DB.Query(ctx, `
		SELECT u.id, u.email, u.name, m.school_id, m.role
		FROM users u LEFT JOIN memberships m ON m.user_id = u.id
		WHERE `+where+` ORDER BY m.school_id, m.role`, arg)
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	defer rows.Close()
	var u *User
	for rows.Next() {
		var id, email, name string
		var school, role *string
		if err := rows.Scan(&id, &email, &name, &school, &role); err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		if u == nil {
			u = &User{ID: id, Email: email, Name: name}
		}
		if school != nil {
			u.Memberships = append(u.Memberships, Membership{SchoolID: *school, Role: *role})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	if u == nil {
		return nil, ErrNotFound
	}
	return u, nil
}

// Pupil is the reference record of a child.
type Pupil struct {
	ID        string
	SchoolID  string
	ClassID   *string
	UPN       string
	FirstName string
	LastName  string
}

// PupilByID loads a pupil.
func (s *Store) PupilByID(ctx context.Context, id string) (*Pupil, error) {
	var p Pupil
	err := s.DB.QueryRow(ctx, `SELECT id, school_id, class_id, upn, first_name, last_name FROM pupils WHERE id = $1`, id).
		Scan(&p.ID, &p.SchoolID, &p.ClassID, &p.UPN, &p.FirstName, &p.LastName)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load pupil %s: %w", id, err)
	}
	return &p, nil
}

// TeachesPupil reports whether the user teaches the pupil's class.
func (s *Store) TeachesPupil(ctx context.Context, userID, pupilID string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (
		SELECT 1 FROM pupils p JOIN class_teachers ct ON ct.class_id = p.class_id
		WHERE p.id = $1 AND ct.user_id = $2)`, pupilID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check class teacher: %w", err)
	}
	return ok, nil
}

// IsParentOf reports whether the user holds parental responsibility for the pupil.
func (s *Store) IsParentOf(ctx context.Context, userID, pupilID string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (
		SELECT 1 FROM pupil_parents WHERE pupil_id = $1 AND user_id = $2 AND parental_responsibility)`, pupilID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check parent: %w", err)
	}
	return ok, nil
}

// SchoolName returns a school's display name.
func (s *Store) SchoolName(ctx context.Context, schoolID string) (string, error) {
	var name string
	if err := s.DB.QueryRow(ctx, `SELECT name FROM schools WHERE id = $1`, schoolID).Scan(&name); err != nil {
		return "", fmt.Errorf("load school %s: %w", schoolID, err)
	}
	return name, nil
}
