package actions

import (
	"context"

	"github.com/google/uuid"

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
