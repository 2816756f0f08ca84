package actions

import (
	"context"
	"errors"
	"strings"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
)

// PassportMax is the most a part of the one-page profile may say: it has to fit one printed page.
const PassportMax = 1200

// PassportSave is a new version of a pupil's one-page profile (the pupil in their own words).
type PassportSave struct {
	ID          string // the save's action id: sent again, it saves nothing new
	PupilID     string
	Liked       string
	Important   string
	Support     string
	WrittenWith string
}

// SavePassport saves a new version of the profile: staff who work with the pupil (their
// teachers, the SENDCo, the head) and the parents write it, with the pupil. Every save is a new
// version; earlier ones stay readable. It is the pupil's own reference data, not a step of the
// pathway, so no workflow is asked; the save is audited.
func (s *Service) SavePassport(ctx context.Context, a Actor, in PassportSave) (*store.Passport, string, error) {
	p, role, err := s.Pupil(ctx, a, in.PupilID, "passport", "update")
	if err != nil {
		return nil, "", err
	}
	var problems []Problem
	text := func(field, v string, required bool) string {
		out, err := input.Text(strings.TrimSpace(v), PassportMax)
		switch {
		case err != nil:
			problems = append(problems, Problem{Field: "body." + field, Message: err.Error(), Value: v})
		case required && out == "":
			problems = append(problems, Problem{Field: "body." + field, Message: "is empty; write a few words with the pupil", Value: v})
		}
		return out
	}
	sv := store.Passport{ID: in.ID, PupilID: p.ID, SavedBy: a.ID, SavedRole: role,
		Liked: text("liked", in.Liked, true), Important: text("important", in.Important, true), Support: text("support", in.Support, true)}
	if err := input.Line(in.WrittenWith, input.MaxNameLen); err != nil {
		problems = append(problems, Problem{Field: "body.writtenWith", Message: err.Error(), Value: in.WrittenWith})
	}
	sv.WrittenWith = strings.TrimSpace(in.WrittenWith)
	if len(problems) > 0 {
		return nil, "", &Invalid{Summary: "The profile cannot be saved as written.", Problems: problems}
	}
	saved, repeat, err := s.Store.SavePassport(ctx, sv, p.SchoolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", invalid("This save's id is already used. Send it again with a new one.", "header.Idempotency-Key", "already used", in.ID)
	}
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	outcome := "ok"
	if repeat { // the trail counts one save per version
		outcome = "repeat"
	}
	s.Audit(ctx, a, role, "passport:update", p.ID, p.SchoolID, outcome)
	return saved, role, nil
}

// Passports reads every version of a pupil's profile, newest first, for everyone who works with
// the pupil (an agency practitioner while a consented referral to their service is open) and
// the parents. The read is audited.
func (s *Service) Passports(ctx context.Context, a Actor, pupilID string) (*store.Pupil, []store.Passport, string, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "passport", "read")
	if err != nil {
		return nil, nil, "", err
	}
	out, err := s.Store.Passports(ctx, p.ID)
	if err != nil {
		return nil, nil, "", s.unavailable(err)
	}
	s.Audit(ctx, a, role, "passport:read", p.ID, p.SchoolID, "ok")
	return p, out, role, nil
}
