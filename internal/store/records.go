package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The words behind each workflow step live in these tables; inserts are keyed by an id derived
// from the request's Idempotency-Key, so a retry stores nothing twice.

func (s *Store) insert(ctx context.Context, what, sql string, args ...any) error {
	if _, err := s.DB.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store %s: %w", what, err)
	}
	return nil
}

// InsertPlan stores a support plan's outcomes, provision and the family's views.
func (s *Store) InsertPlan(ctx context.Context, id, pupilID, userID string, outcomes, provision []byte, review time.Time, parentViews, pupilViews string) error {
	return s.insert(ctx, "plan", `INSERT INTO cycle_plans (id, pupil_id, created_by, outcomes, provision, review_date, parent_views, pupil_views)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`, id, pupilID, userID, outcomes, provision, review, parentViews, pupilViews)
}

// InsertReview stores a review's ratings, views and next step.
func (s *Store) InsertReview(ctx context.Context, id, pupilID string, cycle int, ratings []byte, parentViews, pupilViews, nextStep, notes, userID string) error {
	return s.insert(ctx, "review", `INSERT INTO cycle_reviews (id, pupil_id, cycle_number, ratings, parent_views, pupil_views, next_step, notes, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`, id, pupilID, cycle, ratings, parentViews, pupilViews, nextStep, notes, userID)
}

// InsertProvision stores one entry of the provision log.
func (s *Store) InsertProvision(ctx context.Context, id, pupilID string, cycle int, description string, givenOn time.Time, userID string) error {
	return s.insert(ctx, "provision", `INSERT INTO provision_log (id, pupil_id, cycle_number, description, given_on, logged_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, id, pupilID, cycle, description, givenOn, userID)
}

// InsertReferral stores why a referral is made.
func (s *Store) InsertReferral(ctx context.Context, id, pupilID, service, reason, userID string) error {
	return s.insert(ctx, "referral", `INSERT INTO referrals (id, pupil_id, service, reason, created_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, id, pupilID, service, reason, userID)
}

// InsertConsent keeps a parent's consent answer as given.
func (s *Store) InsertConsent(ctx context.Context, id, referralID, parentID, action, wordingID string) error {
	return s.insert(ctx, "consent", `INSERT INTO consent_records (id, referral_id, parent_id, action, wording_id)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, id, referralID, parentID, action, wordingID)
}

// InsertAgencyResponse keeps an agency's reply.
func (s *Store) InsertAgencyResponse(ctx context.Context, id, referralID, kind, summary, userID string) error {
	return s.insert(ctx, "agency response", `INSERT INTO agency_responses (id, referral_id, kind, summary, recorded_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, id, referralID, kind, summary, userID)
}

// InsertEHCRequest records who asked for an assessment.
func (s *Store) InsertEHCRequest(ctx context.Context, id, pupilID, requestedBy, userID string) error {
	return s.insert(ctx, "EHC request", `INSERT INTO ehc_requests (id, pupil_id, requested_by, created_by)
		VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, id, pupilID, requestedBy, userID)
}

// Service is an agency service a school can refer to.
type Service struct {
	Code, Name, ConsentWording, ConsentVersion string
	SLA, PortalURL                             string
}

// ServiceByCode finds a service; ErrNotFound if unknown.
func (s *Store) ServiceByCode(ctx context.Context, code string) (*Service, error) {
	var sv Service
	err := s.DB.QueryRow(ctx, `SELECT code, name, consent_wording, consent_version, sla, portal_url FROM agency_services WHERE code = $1`, code).
		Scan(&sv.Code, &sv.Name, &sv.ConsentWording, &sv.ConsentVersion, &sv.SLA, &sv.PortalURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load service %s: %w", code, err)
	}
	return &sv, nil
}

// ReferralPupil finds the pupil and service of a referral; ErrNotFound if unknown.
func (s *Store) ReferralPupil(ctx context.Context, referralID string) (pupilID, service string, err error) {
	err = s.DB.QueryRow(ctx, `SELECT pupil_id, service FROM referrals WHERE id = $1`, referralID).Scan(&pupilID, &service)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("load referral %s: %w", referralID, err)
	}
	return pupilID, service, nil
}

// EHCRequestPupil finds the pupil of an EHC request; ErrNotFound if unknown.
func (s *Store) EHCRequestPupil(ctx context.Context, requestID string) (string, error) {
	var pupilID string
	err := s.DB.QueryRow(ctx, `SELECT pupil_id FROM ehc_requests WHERE id = $1`, requestID).Scan(&pupilID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("load EHC request %s: %w", requestID, err)
	}
	return pupilID, nil
}
