package actions

import (
	"context"
	"errors"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
)

// LanguageChoice is the language a parent's emails and pages about a pupil are in.
type LanguageChoice struct {
	PupilID  string
	ParentID string
	Language string // a language code: en, pl, ur, pa-Guru, ...
}

// SetLanguage changes the language a parent hears from the school in about a pupil: the SENDCo
// or head for any parent of the pupil, a parent for themselves. It is reference data, not part
// of the pupil's pathway, so no workflow is asked; the change is audited. Emails and pages use a
// language sendflow has (English and Polish) and English for any other.
func (s *Service) SetLanguage(ctx context.Context, a Actor, in LanguageChoice) (*Result, error) {
	lang, err := input.Language(in.Language)
	if err != nil {
		return nil, invalid("This is not a language sendflow can record.", "body.language", err.Error(), in.Language)
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "parent_language", "update")
	if err != nil {
		return nil, err
	}
	if role == "parent" && a.ID != in.ParentID { // a parent chooses for themselves only
		s.Audit(ctx, a, role, "parent_language:update", p.ID, p.SchoolID, "denied")
		return nil, &NotFound{What: "parent"}
	}
	err = s.Store.SetParentLanguage(ctx, p.ID, in.ParentID, lang)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, role, "parent_language:update", p.ID, p.SchoolID, "not_found")
		return nil, &NotFound{What: "parent"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "parent_language:update", p.ID, p.SchoolID, "ok")
	return &Result{Pupil: p, Role: role}, nil
}
