package store

import (
	"context"
	"fmt"
)

// Principal is everything that decides what a signed-in person may reach: their roles in
// schools, the trusts they administer, and their agency services or local authorities.
type Principal struct {
	User
	SystemAdmin    bool
	TrustSchools   map[string]bool // schools of the trusts they administer
	AgencyServices []string        // services they practise in
	LACodes        []string        // local authorities they work for
}

// RolesIn lists the roles a principal holds in a school, a trust admin's included.
func (p *Principal) RolesIn(schoolID string) []string {
	var roles []string
	for _, m := range p.Memberships {
		if m.SchoolID == schoolID {
			roles = append(roles, m.Role)
		}
	}
	if p.TrustSchools[schoolID] {
		roles = append(roles, "trust_admin")
	}
	if p.SystemAdmin {
		roles = append(roles, "system_admin")
	}
	return roles
}

// LoadPrincipal loads a user with everything their access depends on, in one statement (every
// request pays for it).
func (s *Store) LoadPrincipal(ctx context.Context, u *User) (*Principal, error) {
	p := &Principal{User: *u, TrustSchools: map[string]bool{}}
	var trustSchools []string
	err := s.DB.QueryRow(ctx, `SELECT system_admin,
			coalesce((SELECT array_agg(service) FROM agency_practitioners WHERE user_id = $1), '{}'),
			coalesce((SELECT array_agg(la_code) FROM la_officers WHERE user_id = $1), '{}'),
			coalesce((SELECT array_agg(s.id::text) FROM trust_admins ta JOIN schools s ON s.trust_id = ta.trust_id WHERE ta.user_id = $1), '{}')
		FROM users WHERE id = $1`, u.ID).Scan(&p.SystemAdmin, &p.AgencyServices, &p.LACodes, &trustSchools)
	if err != nil {
		return nil, fmt.Errorf("load access of %s: %w", u.ID, err)
	}
	for _, id := range trustSchools {
		p.TrustSchools[id] = true
	}
	return p, nil
}

// HasOpenConsentedReferral reports whether the pupil has a referral to one of the services that
// is open and has the parents' consent (submitted or acknowledged).
func (s *Store) HasOpenConsentedReferral(ctx context.Context, pupilID string, services []string) (bool, error) {
	if len(services) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pathway_items
		WHERE pupil_id = $1 AND kind = 'referral' AND status IN ('submitted', 'acknowledged')
		AND state ->> 'Service' = ANY($2))`, pupilID, services).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check agency referral: %w", err)
	}
	return ok, nil
}

// HasEHCRequestInLA reports whether the pupil has an EHC request and their school is in one of
// the local authorities.
func (s *Store) HasEHCRequestInLA(ctx context.Context, pupilID string, laCodes []string) (bool, error) {
	if len(laCodes) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ehc_requests r JOIN pupils p ON p.id = r.pupil_id
		JOIN schools s ON s.id = p.school_id WHERE r.pupil_id = $1 AND r.accepted_at IS NOT NULL AND s.la_code = ANY($2))`, pupilID, laCodes).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check LA request: %w", err)
	}
	return ok, nil
}
