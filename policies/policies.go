// Package policies decides who may do what to which pupil: a Casbin model and policy (files in
// this folder, embedded and loaded at start) for what each role may do, and relationship checks
// against PostgreSQL for which pupils each person is connected to.
package policies

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/sendflow/sendflow/internal/store"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Authorizer combines role permissions with relationship checks.
type Authorizer struct {
	enforcer *casbin.Enforcer
	store    *store.Store
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
	return &Authorizer{enforcer: e, store: s}, nil
}

// RoleMay reports whether a role may perform act on obj anywhere.
func (a *Authorizer) RoleMay(role, obj, act string) (bool, error) {
	ok, err := a.enforcer.Enforce(role, obj, act)
	if err != nil {
		return false, fmt.Errorf("evaluate policy: %w", err)
	}
	return ok, nil
}

// PupilAccess decides whether user may perform act on obj for pupil. It returns the role that
// grants it (for the audit trail). A pupil outside the user's reach is simply not allowed; the API
// answers 404 so nobody learns the pupil exists.
func (a *Authorizer) PupilAccess(ctx context.Context, u *store.User, p *store.Pupil, obj, act string) (string, bool, error) {
	for _, m := range u.Memberships {
		if m.SchoolID != p.SchoolID {
			continue
		}
		ok, err := a.RoleMay(m.Role, obj, act)
		if err != nil || !ok {
			if err != nil {
				return "", false, err
			}
			continue
		}
		related, err := a.related(ctx, u, p, m.Role)
		if err != nil {
			return "", false, err
		}
		if related {
			return m.Role, true, nil
		}
	}
	return "", false, nil
}

// related is the relationship half of the decision: is this person connected to this pupil in
// the way their role needs?
func (a *Authorizer) related(ctx context.Context, u *store.User, p *store.Pupil, role string) (bool, error) {
	switch role {
	case "sendco", "head":
		return true, nil // whole school; the membership was matched to the pupil's school already
	case "teacher", "teaching_assistant":
		return a.store.TeachesPupil(ctx, u.ID, p.ID)
	case "parent":
		return a.store.IsParentOf(ctx, u.ID, p.ID)
	}
	return false, nil
}
