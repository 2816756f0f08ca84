// Package policies decides who may do what to which records: a Casbin model and policy (files in
// this folder, embedded and loaded at start) for what each role may do in a domain, and
// relationship checks against PostgreSQL for which pupils each person is connected to.
package policies

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/sendflow/sendflow/internal/store"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Roles that are not held in a school but reach pupils through a relationship.
const (
	RoleAgency     = "agency_practitioner"
	RoleLAOfficer  = "la_officer"
	RoleTrustAdmin = "trust_admin"
	RoleSysAdmin   = "system_admin"
)

// Authorizer combines role permissions with relationship checks.
type Authorizer struct {
	enforcer *casbin.Enforcer
	store    *store.Store
}

// acting is a principal acting in one role, the subject of a Casbin request.
type acting struct {
	p    *store.Principal
	role string
}

// New loads the embedded model and policy.
func New(s *store.Store) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("load casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		return nil, fmt.Errorf("load casbin policy: %w", err)
	}
	e.AddFunction("holds", func(args ...any) (any, error) {
		a, ok := args[0].(acting)
		role, _ := args[1].(string)
		dom, _ := args[2].(string)
		return ok && a.role == role && holds(a.p, role, dom), nil
	})
	return &Authorizer{enforcer: e, store: s}, nil
}

// holds says whether a principal holds a role in a domain.
func holds(p *store.Principal, role, dom string) bool {
	switch role {
	case RoleAgency:
		return len(p.AgencyServices) > 0
	case RoleLAOfficer:
		return len(p.LACodes) > 0
	}
	if dom == systemDomain {
		return role == RoleSysAdmin && p.SystemAdmin
	}
	school, ok := strings.CutPrefix(dom, "school:")
	return ok && slices.Contains(p.RolesIn(school), role)
}

// candidateRoles are the roles a principal might act in for a school's records.
func candidateRoles(p *store.Principal, schoolID string) []string {
	roles := p.RolesIn(schoolID)
	if len(p.AgencyServices) > 0 {
		roles = append(roles, RoleAgency)
	}
	if len(p.LACodes) > 0 {
		roles = append(roles, RoleLAOfficer)
	}
	return roles
}

// RoleMay reports whether a principal acting in role may do act to obj in a school.
func (a *Authorizer) RoleMay(p *store.Principal, role, schoolID, obj, act string) (bool, error) {
	ok, err := a.enforcer.Enforce(acting{p, role}, "school:"+schoolID, obj, act)
	if err != nil {
		return false, fmt.Errorf("evaluate policy: %w", err)
	}
	return ok, nil
}

// SchoolAccess decides a school-wide action (list pupils, caseload, add staff) and returns the
// role that grants it.
func (a *Authorizer) SchoolAccess(p *store.Principal, schoolID, obj, act string) (string, bool, error) {
	for _, role := range p.RolesIn(schoolID) {
		ok, err := a.RoleMay(p, role, schoolID, obj, act)
		if err != nil {
			return "", false, err
		}
		if ok {
			return role, true, nil
		}
	}
	return "", false, nil
}

// Target is what an action is done to: a pupil's record, or one referral or EHC request of it.
// Agency practitioners and LA officers are related to a referral or a request, not to the whole
// pupil: an educational psychologist acts on the educational psychology referral only.
type Target struct {
	Pupil *store.Pupil
	// ReferralID and Service name one referral (empty for the whole record).
	ReferralID, Service string
	// EHCRequestID names one EHC needs assessment request (empty for the whole record).
	EHCRequestID string
}

// systemDomain is the domain of actions on the service itself rather than on a school's records.
const systemDomain = "system"

// SystemAccess decides an action on the service itself (reading workflow payloads through the
// codec server): only a system administrator holds a role there.
func (a *Authorizer) SystemAccess(p *store.Principal, obj, act string) (bool, error) {
	if !p.SystemAdmin {
		return false, nil
	}
	ok, err := a.enforcer.Enforce(acting{p, RoleSysAdmin}, systemDomain, obj, act)
	if err != nil {
		return false, fmt.Errorf("evaluate policy: %w", err)
	}
	return ok, nil
}

// PupilAccess decides whether a principal may perform act on obj for pupil. It returns the role
// that grants it (for the audit trail). A pupil outside the person's reach is simply not allowed;
// the API answers 404 so nobody learns the pupil exists.
func (a *Authorizer) PupilAccess(
	ctx context.Context,
	p *store.Principal,
	pupil *store.Pupil,
	obj, act string,
) (string, bool, error) {
	return a.Access(ctx, p, Target{Pupil: pupil}, obj, act)
}

// Access decides whether a principal may perform act on obj for a target, and returns the role
// that grants it. Something outside the person's reach is simply not allowed.
func (a *Authorizer) Access(ctx context.Context, p *store.Principal, t Target, obj, act string) (string, bool, error) {
	for _, role := range candidateRoles(p, t.Pupil.SchoolID) {
		ok, err := a.RoleMay(p, role, t.Pupil.SchoolID, obj, act)
		if err != nil {
			return "", false, err
		}
		if !ok {
			continue
		}
		related, err := a.related(ctx, p, t, role)
		if err != nil {
			return "", false, err
		}
		if related {
			return role, true, nil
		}
	}
	return "", false, nil
}

// related is the relationship half of the decision: is this person connected to this pupil (or
// this referral or request of theirs) in the way their role needs?
func (a *Authorizer) related(ctx context.Context, p *store.Principal, t Target, role string) (bool, error) {
	switch role {
	case "sendco", "head", RoleTrustAdmin, RoleSysAdmin:
		return true, nil // the whole school; holds() already matched the pupil's school
	case "teacher", "teaching_assistant":
		return a.store.TeachesPupil(ctx, p.ID, t.Pupil.ID)
	case "parent":
		return a.store.IsParentOf(ctx, p.ID, t.Pupil.ID)
	case RoleAgency:
		if t.ReferralID != "" {
			if !slices.Contains(p.AgencyServices, t.Service) {
				return false, nil
			}
			return a.store.ReferralOpenTo(ctx, t.ReferralID, []string{t.Service})
		}
		return a.store.HasOpenConsentedReferral(ctx, t.Pupil.ID, p.AgencyServices)
	case RoleLAOfficer:
		if t.EHCRequestID != "" {
			return a.store.EHCRequestInLA(ctx, t.EHCRequestID, p.LACodes)
		}
		return a.store.HasEHCRequestInLA(ctx, t.Pupil.ID, p.LACodes)
	}
	return false, nil
}

// PackReach says whether someone reading a pupil's record in role may have the evidence pack as
// forCode receives it: an agency practitioner only as their own service receives it (the
// relationship check already holds them to a pupil with an open referral to it).
func PackReach(p *store.Principal, role, forCode string) bool {
	return role != RoleAgency || slices.Contains(p.AgencyServices, forCode)
}

// ShowsItem says whether someone reading a pupil's pathway in role sees one part of it (its kind
// and projected state), on the API and the pages alike: the school's staff and the family see
// every part, an LA officer the EHC assessment and the annual reviews, an agency practitioner
// their own services' referrals; any other role sees the least.
func ShowsItem(role string, services []string, kind string, state json.RawMessage) bool {
	switch role {
	case "sendco", "head", RoleTrustAdmin, "teacher", "teaching_assistant", "parent":
		return true
	case RoleLAOfficer:
		return kind == "ehc" || kind == "annual_review"
	}
	var r struct{ Service string }
	return kind == "referral" && json.Unmarshal(state, &r) == nil && slices.Contains(services, r.Service)
}
