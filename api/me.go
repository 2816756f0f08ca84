package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// RoleView is one role the signed-in person has: in a school, or for a service or a council
// (Scope).
type RoleView struct {
	SchoolID string `json:"schoolId,omitempty" format:"uuid"`
	Role     string `json:"role" enum:"teacher,teaching_assistant,sendco,head,parent,trust_admin,system_admin,agency_practitioner,la_officer"`
	Scope    string `json:"scope,omitempty" doc:"For agency practitioners the service, for LA officers the local authority"`
}

// MeOutput is who is signed in and their roles.
type MeOutput struct {
	Body struct {
		UserID string     `json:"userId" format:"uuid"`
		Email  string     `json:"email" format:"email"`
		Name   string     `json:"name"`
		Roles  []RoleView `json:"roles"`
	}
}

// ChildView is one of a parent's children: their school and where they are on the pathway.
type ChildView struct {
	PupilID    string `json:"pupilId" format:"uuid"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	SchoolID   string `json:"schoolId" format:"uuid"`
	SchoolName string `json:"schoolName"`
	Stage      string `json:"stage"`
}

// ChildrenOutput lists a parent's children.
type ChildrenOutput struct {
	Body struct {
		Children []ChildView `json:"children"`
	}
}

func (s *Server) registerMe(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("", "", anyone),
		OperationID: "get-me", Method: http.MethodGet, Path: "/me", Summary: "Who you are signed in as, and your roles",
		Tags: []string{"You"},
	}, func(ctx context.Context, _ *struct{}) (*MeOutput, error) {
		p := currentUser(ctx)
		out := &MeOutput{}
		out.Body.UserID, out.Body.Email, out.Body.Name, out.Body.Roles = p.ID, p.Email, p.Name, []RoleView{}
		for _, m := range p.Memberships {
			out.Body.Roles = append(out.Body.Roles, RoleView{SchoolID: m.SchoolID, Role: m.Role})
		}
		for school := range p.TrustSchools {
			out.Body.Roles = append(out.Body.Roles, RoleView{SchoolID: school, Role: "trust_admin"})
		}
		if p.SystemAdmin {
			out.Body.Roles = append(out.Body.Roles, RoleView{Role: "system_admin"})
		}
		for _, sv := range p.AgencyServices {
			out.Body.Roles = append(out.Body.Roles, RoleView{Role: "agency_practitioner", Scope: sv})
		}
		for _, la := range p.LACodes {
			out.Body.Roles = append(out.Body.Roles, RoleView{Role: "la_officer", Scope: la})
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("pupil", "read", anyone),
		OperationID: "get-my-children", Method: http.MethodGet, Path: "/me/children",
		Summary: "A parent's children, with their school and where each is on the pathway",
		Tags:    []string{"You"},
	}, func(ctx context.Context, _ *struct{}) (*ChildrenOutput, error) {
		p := currentUser(ctx)
		children, err := s.Store.ChildrenOf(ctx, p.ID)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &ChildrenOutput{}
		out.Body.Children = []ChildView{}
		for _, c := range children {
			out.Body.Children = append(
				out.Body.Children,
				ChildView{PupilID: c.PupilID, FirstName: c.FirstName, LastName: c.LastName,
					SchoolID: c.SchoolID, SchoolName: c.SchoolName, Stage: c.Stage},
			)
			s.note(ctx, "parent", c.PupilID, c.SchoolID, "ok")
		}
		return out, nil
	})
}
