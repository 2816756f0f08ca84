package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
)

// SchoolView is a school: its name, local authority, trust, age range and how families reach it.
type SchoolView struct {
	ID      string       `json:"id" format:"uuid"`
	Name    string       `json:"name"`
	LACode  string       `json:"laCode" doc:"The local authority's code"`
	TrustID *string      `json:"trustId,omitempty" format:"uuid"`
	LowAge  *int         `json:"statutoryLowAge,omitempty" doc:"The youngest age the school takes, as Get Information about Schools records it (4 for a primary school)"`
	HighAge *int         `json:"statutoryHighAge,omitempty" doc:"The oldest (11 for a primary school, 16 or 18 for a secondary): with pupils' dates of birth it tells which annual review prepares for a move to a new phase"`
	Contact *ContactView `json:"contact,omitempty" doc:"How families reach the school; not set yet when absent"`
}

// ContactView is how families reach the school: shown on the parents' pages (tappable on a
// phone), at the foot of their emails, as the Reply-To of every email about a pupil and as the
// organiser of meeting invitations.
type ContactView struct {
	Name  string `json:"name" doc:"A person or office families can ask for, e.g. Mrs Khan, school office"`
	Email string `json:"email" format:"email"`
	Phone string `json:"phone" doc:"As families should see it, e.g. 01632 960 100"`
}

// ContactInput is a school's contact for families.
type ContactInput struct {
	Name  Line  `json:"name" minLength:"1" maxLength:"200" doc:"A person or office families can ask for, e.g. Mrs Khan, school office"`
	Email Email `json:"email" format:"email" maxLength:"254" doc:"Replies to sendflow's emails go here"`
	Phone Phone `json:"phone" minLength:"1" maxLength:"40" doc:"As families should see it, e.g. 01632 960 100"`
}

// SetContactInput is how families reach a school.
type SetContactInput struct {
	SchoolPath
	Body ContactInput
}

func schoolView(sc *store.School) SchoolView {
	v := SchoolView{ID: sc.ID, Name: sc.Name, LACode: sc.LACode, TrustID: sc.TrustID}
	if sc.Contact.IsSet() {
		v.Contact = &ContactView{Name: sc.Contact.Name, Email: sc.Contact.Email, Phone: sc.Contact.Phone}
	}
	return v
}

func (c ContactInput) contact() store.Contact {
	email, _ := input.Email(string(c.Email))
	phone, _, _ := input.Phone(string(c.Phone))
	return store.Contact{Name: strings.TrimSpace(string(c.Name)), Email: email, Phone: phone}
}

// CreateSchoolInput adds a school.
type CreateSchoolInput struct {
	IdempotencyHeader
	Body struct {
		Name    Line          `json:"name" minLength:"1" maxLength:"200"`
		LACode  string        `json:"laCode" minLength:"1" maxLength:"10" doc:"The local authority's code, e.g. 999"`
		TrustID string        `json:"trustId,omitempty" format:"uuid" doc:"The multi-academy trust, if any"`
		LowAge  *int          `json:"statutoryLowAge,omitempty" minimum:"2" maximum:"19" doc:"The statutory age range (Get Information about Schools): the youngest age, e.g. 4"`
		HighAge *int          `json:"statutoryHighAge,omitempty" minimum:"2" maximum:"25" doc:"The oldest age, e.g. 11; give both or neither"`
		Contact *ContactInput `json:"contact,omitempty" doc:"How families reach the school (it can be set later)"`
	}
}

// SchoolOutput answers with a school.
type SchoolOutput struct {
	Status int
	Body   SchoolView
}

// SchoolPath names a school.
type SchoolPath struct {
	SchoolID string `path:"schoolId" format:"uuid" doc:"The school's id"`
}

// AddStaffInput gives a member of staff a role in a school.
type AddStaffInput struct {
	SchoolPath
	IdempotencyHeader
	Body struct {
		Email Email  `json:"email" format:"email" maxLength:"254" doc:"Matched to the school's identity provider's tokens"`
		Name  Line   `json:"name" minLength:"1" maxLength:"200"`
		Role  string `json:"role" enum:"teacher,teaching_assistant,sendco,head"`
	}
}

// StaffOutput is the member of staff's user id and their role.
type StaffOutput struct {
	Status int
	Body   struct {
		UserID string `json:"userId" format:"uuid"`
		Role   string `json:"role"`
	}
}

// CreateClassInput adds a class with its teachers and teaching assistants.
type CreateClassInput struct {
	SchoolPath
	IdempotencyHeader
	Body struct {
		Name     Line     `json:"name" minLength:"1" maxLength:"100"`
		Teachers []string `json:"teachers" maxItems:"10" doc:"User ids of the class's teachers and teaching assistants" uniqueItems:"true"`
	}
}

// ClassOutput is the new class's id and name.
type ClassOutput struct {
	Status int
	Body   struct {
		ClassID string `json:"classId" format:"uuid"`
		Name    string `json:"name"`
	}
}

func (s *Server) registerSchools(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("school", "create", ownRule),
		OperationID: "create-school", Method: http.MethodPost, Path: "/schools", Summary: "Add a school (system admin, or trust admin for their trust)",
		Tags: []string{"Schools"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.createSchool)
	register(v1, huma.Operation{
		Metadata:    needs("school", "read", inSchool),
		OperationID: "get-school", Method: http.MethodGet, Path: "/schools/{schoolId}", Summary: "A school",
		Tags: []string{"Schools"}, Errors: actionErrors,
	}, func(ctx context.Context, in *SchoolPath) (*SchoolOutput, error) {
		sc, _, err := s.schoolFor(ctx, in.SchoolID)
		if err != nil {
			return nil, err
		}
		return &SchoolOutput{Status: http.StatusOK, Body: schoolView(sc)}, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("school", "update", inSchool),
		OperationID: "set-school-contact", Method: http.MethodPut, Path: "/schools/{schoolId}/contact",
		Summary:     "Set how families reach the school",
		Description: "Shown on the parents' pages (the phone number and email tappable), at the foot of parents' emails, as the Reply-To of every email about a pupil, and as the organiser of meeting invitations.",
		Tags:        []string{"Schools"}, Errors: actionErrors,
	}, s.setSchoolContact)
	register(v1, huma.Operation{
		Metadata:    needs("staff", "create", inSchool),
		OperationID: "add-staff", Method: http.MethodPost, Path: "/schools/{schoolId}/staff", Summary: "Give a member of staff a role in the school",
		Tags: []string{"Schools"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.addStaff)
	register(v1, huma.Operation{
		Metadata:    needs("class", "create", inSchool),
		OperationID: "create-class", Method: http.MethodPost, Path: "/schools/{schoolId}/classes", Summary: "Add a class with its teachers",
		Tags: []string{"Schools"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.createClass)
}

// schoolFor loads a school the caller may act on for the operation's declared access (its
// metadata); a school out of reach is 404. The check is audited either way.
func (s *Server) schoolFor(ctx context.Context, schoolID string) (*store.School, string, error) {
	notFound := huma.Error404NotFound("No school with this id is available to you.")
	sc, err := s.Store.SchoolByID(ctx, schoolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", notFound
	}
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	role, ok, err := s.Authz.SchoolAccess(currentUser(ctx), sc.ID, currentAccess(ctx).Obj, currentAccess(ctx).Act)
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	if !ok {
		s.note(ctx, "", "", sc.ID, "denied")
		return nil, "", notFound
	}
	s.note(ctx, role, "", sc.ID, "ok")
	return sc, role, nil
}

func (s *Server) createSchool(ctx context.Context, in *CreateSchoolInput) (*SchoolOutput, error) {
	p := currentUser(ctx)
	allowed := p.SystemAdmin
	if in.Body.TrustID != "" && !allowed {
		for school := range p.TrustSchools {
			if sc, err := s.Store.SchoolByID(ctx, school); err == nil && sc.TrustID != nil &&
				*sc.TrustID == in.Body.TrustID {
				allowed = true
			}
		}
	}
	if !allowed {
		return nil, huma.Error403Forbidden(
			"Only a system administrator, or a trust administrator for their own trust, can add a school.",
		)
	}
	ok, err := s.Store.LAExists(ctx, in.Body.LACode)
	if err != nil {
		return nil, s.unavailable(err)
	}
	if !ok {
		// On a fresh installation there is none: say how one is added, not only that it is missing.
		known := "none yet"
		if codes, err := s.Store.LACodes(ctx); err == nil && len(codes) > 0 {
			known = strings.Join(codes, ", ")
		}
		return nil, huma.Error422UnprocessableEntity(
			fmt.Sprintf("There is no local authority with the code %s (known: %s). "+
				"A system administrator adds it on the server: load its agency directory (sendflow admin --la-code %[1]s --directory-files FILE, "+
				"see catalogue/README.md), or create it without services (sendflow admin --la-code %[1]s --la-name NAME --la-sendiass CONTACT --la-mediation CONTACT). "+
				"Then add the school again.", in.Body.LACode, known),
			&huma.ErrorDetail{Location: "body.laCode", Message: "unknown local authority", Value: in.Body.LACode},
		)
	}
	if in.Body.TrustID != "" {
		if ok, err := s.Store.TrustExists(ctx, in.Body.TrustID); err != nil || !ok {
			return nil, huma.Error422UnprocessableEntity("There is no trust with this id.",
				&huma.ErrorDetail{Location: "body.trustId", Message: "unknown trust", Value: in.Body.TrustID})
		}
	}
	if (in.Body.LowAge == nil) != (in.Body.HighAge == nil) ||
		in.Body.LowAge != nil && *in.Body.LowAge > *in.Body.HighAge {
		return nil, huma.Error422UnprocessableEntity(
			"Give the school's statutory age range as two ages, the youngest first, or neither.",
			&huma.ErrorDetail{
				Location: "body.statutoryHighAge",
				Message:  "give both ages, the oldest not below the youngest",
				Value:    in.Body.HighAge,
			},
		)
	}
	return idempotent(ctx, s, "create-school", in.IdempotencyKey, in, func(id string) (*SchoolOutput, error) {
		sc := store.School{
			ID:      id,
			Name:    string(in.Body.Name),
			LACode:  in.Body.LACode,
			LowAge:  in.Body.LowAge,
			HighAge: in.Body.HighAge,
		}
		if in.Body.TrustID != "" {
			sc.TrustID = &in.Body.TrustID
		}
		if in.Body.Contact != nil {
			sc.Contact = in.Body.Contact.contact()
		}
		if err := s.Store.CreateSchool(ctx, sc); err != nil {
			return nil, s.unavailable(err)
		}
		s.note(ctx, "system_admin", "", id, "ok")
		return &SchoolOutput{Status: http.StatusCreated, Body: schoolView(&sc)}, nil
	})
}

func (s *Server) setSchoolContact(ctx context.Context, in *SetContactInput) (*SchoolOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	sc.Contact = in.Body.contact()
	if err := s.Store.SetSchoolContact(ctx, sc.ID, sc.Contact); err != nil {
		return nil, s.unavailable(err)
	}
	s.audit(ctx, role, "school_contact:update", "", sc.ID, "ok")
	return &SchoolOutput{Status: http.StatusOK, Body: schoolView(sc)}, nil
}

func (s *Server) addStaff(ctx context.Context, in *AddStaffInput) (*StaffOutput, error) {
	sc, _, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	return idempotent(ctx, s, "add-staff", in.IdempotencyKey, in, func(id string) (*StaffOutput, error) {
		userID, err := s.Store.AddStaff(ctx, sc.ID, id, string(in.Body.Email), string(in.Body.Name), in.Body.Role)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &StaffOutput{Status: http.StatusCreated}
		out.Body.UserID, out.Body.Role = userID, in.Body.Role
		return out, nil
	})
}

func (s *Server) createClass(ctx context.Context, in *CreateClassInput) (*ClassOutput, error) {
	sc, _, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(in.Body.Teachers, func(t string) bool { return len(t) != 36 }) {
		return nil, huma.Error422UnprocessableEntity(
			"Teachers are given by their user ids.",
			&huma.ErrorDetail{Location: "body.teachers", Message: "not a user id"},
		)
	}
	return idempotent(ctx, s, "create-class", in.IdempotencyKey, in, func(id string) (*ClassOutput, error) {
		err := s.Store.CreateClass(ctx, sc.ID, id, string(in.Body.Name), in.Body.Teachers)
		switch {
		case errors.Is(err, store.ErrConflict):
			return nil, huma.Error409Conflict("The school already has a class with this name.")
		case errors.Is(err, store.ErrNotFound):
			return nil, huma.Error422UnprocessableEntity(
				err.Error(),
				&huma.ErrorDetail{Location: "body.teachers", Message: "not a teacher of this school"},
			)
		case err != nil:
			return nil, s.unavailable(err)
		}
		out := &ClassOutput{Status: http.StatusCreated}
		out.Body.ClassID, out.Body.Name = id, string(in.Body.Name)
		return out, nil
	})
}
