package actions

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
)

// SetClass puts a pupil in one of their school's classes. A pupil who moved school joins the new
// roll in no class, and their teachers reach them only through one, so the new school's SENDCo
// (or head) chooses it. It is reference data, not a step of the pathway; the change is audited.
func (s *Service) SetClass(ctx context.Context, a Actor, pupilID, classID string) (*store.Pupil, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "class", "assign")
	if err != nil {
		return nil, err
	}
	refuse := func() error {
		s.Audit(ctx, a, role, "class:assign", p.ID, p.SchoolID, "refused")
		return invalid("Choose one of the school's classes.", "body.classId", "is not a class of the pupil's school", classID)
	}
	if _, err := uuid.Parse(classID); err != nil {
		return nil, refuse()
	}
	ok, err := s.Store.SetPupilClass(ctx, p.ID, classID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	if !ok {
		return nil, refuse()
	}
	s.Audit(ctx, a, role, "class:assign", p.ID, p.SchoolID, "ok")
	return p, nil
}

// SetNewClass puts a pupil in a class named by the SENDCo (or head), adding the class to the
// school when it has none of that name: a school whose classes are not on sendflow yet (a
// pupil joining from another school may be its first) is not left without a way on. id makes
// a form sent twice add one class; a class of the same name, added meanwhile, is used.
// teachers (the school's teachers and teaching assistants) are the new class's: a class of that
// name already there keeps its own.
func (s *Service) SetNewClass(ctx context.Context, a Actor, pupilID, id, name string, teachers []string) (*store.Pupil, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "class", "assign")
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := input.Line(name, input.MaxNameLen); err != nil || name == "" {
		msg := "is empty"
		if err != nil {
			msg = err.Error()
		}
		return nil, invalid("Name the class.", "body.className", msg, name)
	}
	if _, ok, err := s.Authz.SchoolAccess(a.Principal, p.SchoolID, "class", "create"); err != nil {
		return nil, s.unavailable(err)
	} else if !ok {
		s.Audit(ctx, a, role, "class:create", p.ID, p.SchoolID, "denied")
		return nil, invalid("Choose one of the school's classes: adding a class is for the SENDCo or head.",
			"body.className", "you cannot add classes", name)
	}
	classID, err := s.Store.ClassID(ctx, p.SchoolID, name)
	if errors.Is(err, store.ErrNotFound) {
		classID = id
		for _, t := range teachers {
			if _, perr := uuid.Parse(t); perr != nil {
				return nil, invalid("Choose the class's teachers from the list.", "body.teachers", "not a member of staff", t)
			}
		}
		err = s.Store.CreateClass(ctx, p.SchoolID, id, name, teachers)
		switch {
		case errors.Is(err, store.ErrConflict): // the same name added at this moment by another form
			classID, err = s.Store.ClassID(ctx, p.SchoolID, name)
		case errors.Is(err, store.ErrNotFound):
			return nil, invalid("Choose the class's teachers from the list.", "body.teachers",
				"not a teacher or teaching assistant of this school", strings.Join(teachers, ","))
		}
		if err == nil {
			s.Audit(ctx, a, role, "class:create", p.ID, p.SchoolID, "ok")
		}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return s.SetClass(ctx, a, pupilID, classID)
}
