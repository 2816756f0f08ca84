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
	// Scope is "parent" for a parent's session (ParentOnly), "" for a full sign-in.
	Scope string
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

// ParentOnly is the principal as a parent and nothing else: a session from an emailed sign-in
// link proves only that the person reads the parent's inbox, so their staff, trust, agency, LA
// and admin roles stay with the school's identity provider.
func (p *Principal) ParentOnly() *Principal {
	out := &Principal{
		User:         User{ID: p.ID, Email: p.Email, Name: p.Name},
		TrustSchools: map[string]bool{},
		Scope:        "parent",
	}
	for _, m := range p.Memberships {
		if m.Role == "parent" {
			out.Memberships = append(out.Memberships, m)
		}
	}
	return out
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

// Referrals an agency practitioner reaches: sent to their service with the parents' consent and
// not finished (advice given, rejected or consent withdrawn ends them).
const agencyOpen = `it.kind = 'referral' AND it.status IN ('submitted', 'acknowledged')`

// HasOpenConsentedReferral reports whether the pupil has a referral to one of the services that
// is open and has the parents' consent (submitted or acknowledged).
func (s *Store) HasOpenConsentedReferral(ctx context.Context, pupilID string, services []string) (bool, error) {
	if len(services) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pathway_items it JOIN referrals r ON 'referral/' || r.id = it.item_id
		WHERE it.pupil_id = $1 AND r.pupil_id = $1 AND r.accepted_at IS NOT NULL AND `+agencyOpen+` AND r.service = ANY($2))`, pupilID, services).
		Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check agency referral: %w", err)
	}
	return ok, nil
}

// ReferralOpenTo reports whether one referral is open, consented and to one of the services: an
// agency practitioner acts on a referral only so, never on another service's referral of the
// same pupil.
func (s *Store) ReferralOpenTo(ctx context.Context, referralID string, services []string) (bool, error) {
	if len(services) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM referrals r JOIN pathway_items it ON it.pupil_id = r.pupil_id AND it.item_id = 'referral/' || r.id
		WHERE r.id = $1 AND r.accepted_at IS NOT NULL AND `+agencyOpen+` AND r.service = ANY($2))`, referralID, services).
		Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check referral %s: %w", referralID, err)
	}
	return ok, nil
}

// laReaches is the condition on an EHC request r (with its projection it, if any) under which the
// authority it went to reaches the pupil: while it is assessed, and while the plan it led to is
// maintained (a plan that ceased returns the pupil to SEN support). "Maintained" includes the
// moment between the assessment's workflow finishing and the pathway taking the plan in (the
// pathway still assessing this very request): without it, the officer who had just issued the
// plan was shown Page not found.
const laReaches = `r.accepted_at IS NOT NULL AND r.la_code = ANY($2) AND (it.status IS NULL OR it.status <> 'finished'
	OR (it.state ->> 'Outcome' = 'plan_issued' AND EXISTS (SELECT 1 FROM pathways pw WHERE pw.pupil_id = r.pupil_id
		AND (pw.stage = 'ehc_plan' OR (pw.stage = 'ehc_assessment' AND pw.state -> 'EHC' ->> 'RequestID' = r.id::text)))))`

// HasEHCRequestInLA reports whether one of the local authorities is assessing the pupil or
// maintains their EHC plan.
func (s *Store) HasEHCRequestInLA(ctx context.Context, pupilID string, laCodes []string) (bool, error) {
	return s.laReachesRequest(ctx, "r.pupil_id", pupilID, laCodes)
}

// EHCRequestInLA reports whether one EHC request went to one of the local authorities and is
// still theirs (assessed, or its plan maintained).
func (s *Store) EHCRequestInLA(ctx context.Context, requestID string, laCodes []string) (bool, error) {
	return s.laReachesRequest(ctx, "r.id", requestID, laCodes)
}

// laReachesRequest reports whether an EHC request whose column (a constant of this file) equals
// id is reached by one of the local authorities.
func (s *Store) laReachesRequest(ctx context.Context, column, id string, laCodes []string) (bool, error) {
	if len(laCodes) == 0 {
		return false, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ehc_requests r
		LEFT JOIN pathway_items it ON it.pupil_id = r.pupil_id AND it.item_id = 'ehc/' || r.id
		WHERE `+column+` = $1 AND `+laReaches+`)`, id, laCodes).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check LA reach over %s %s: %w", column, id, err)
	}
	return ok, nil
}
