package actions

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/register"
	"github.com/sendflow/sendflow/internal/store"
)

// RegisterEntry is what the SENDCo records of a pupil for the SEN register: the census need
// types ranked 1 and 2, a note, and the provision where the pathway cannot say it ("" follows
// the pathway).
type RegisterEntry struct {
	ID, PupilID                   string
	Provision, Primary, Secondary string
	Note                          string
}

// MaxRegisterNote is the longest note the register keeps.
const MaxRegisterNote = 500

// RecordRegister keeps what the SENDCo recorded for a pupil's register line. It is reference
// data the census reads, not part of the pupil's pathway, so no workflow is asked; every change
// is kept as made and audited. What the census would refuse (a need for a pupil with no SEN, NSA
// with a plan) is refused here, naming the field.
func (s *Service) RecordRegister(ctx context.Context, a Actor, in RegisterEntry) (*Result, register.Line, error) {
	var problems []Problem
	var prov *register.Provision
	if strings.TrimSpace(in.Provision) != "" {
		p, err := register.ParseProvision(in.Provision)
		if err != nil {
			problems = append(problems, Problem{Field: "body.provision", Message: err.Error(), Value: in.Provision})
		} else {
			prov = &p
		}
	}
	primary, err := register.ParseNeed(in.Primary)
	if err != nil {
		problems = append(problems, Problem{Field: "body.primaryNeed", Message: err.Error(), Value: in.Primary})
	}
	secondary, err := register.ParseNeed(in.Secondary)
	if err != nil {
		problems = append(problems, Problem{Field: "body.secondaryNeed", Message: err.Error(), Value: in.Secondary})
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > MaxRegisterNote || strings.ContainsRune(note, 0) {
		problems = append(problems, Problem{Field: "body.note", Message: "must be at most 500 characters of text"})
	}
	if _, err := uuid.Parse(in.ID); err != nil {
		in.ID = NewID()
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "register", "update")
	if err != nil {
		return nil, register.Line{}, err
	}
	if len(problems) == 0 {
		line, err := s.Store.RegisterLine(ctx, p.ID)
		if err != nil {
			return nil, register.Line{}, s.unavailable(err)
		}
		given := line.Derived
		if prov != nil {
			given = *prov
		}
		for _, pr := range register.Check(given, primary, secondary) {
			problems = append(problems, Problem{Field: "body." + pr.Field, Message: pr.Message})
		}
	}
	if len(problems) > 0 {
		s.Audit(ctx, a, role, "register:update", p.ID, p.SchoolID, "refused")
		return nil, register.Line{}, &Invalid{
			Summary:  "The census would not take this register entry; nothing was changed.",
			Problems: problems,
		}
	}
	repeat, err := s.Store.RecordRegister(
		ctx,
		store.RegisterChange{ID: in.ID, PupilID: p.ID, Provision: prov, Primary: primary,
			Secondary: secondary, Note: note, By: a.ID},
	)
	if errors.Is(err, store.ErrChangeTaken) {
		s.Audit(ctx, a, role, "register:update", p.ID, p.SchoolID, "refused")
		return nil, register.Line{}, invalid(
			"This action id was used for another pupil; send the change with a new one.",
			"header.Idempotency-Key",
			"already used",
			in.ID,
		)
	}
	if err != nil {
		return nil, register.Line{}, s.unavailable(err)
	}
	outcome := "ok"
	if repeat {
		outcome = "repeat"
	}
	s.Audit(ctx, a, role, "register:update", p.ID, p.SchoolID, outcome)
	line, err := s.Store.RegisterLine(ctx, p.ID)
	if err != nil {
		return nil, register.Line{}, s.unavailable(err)
	}
	return &Result{Pupil: p, Role: role}, line, nil
}
