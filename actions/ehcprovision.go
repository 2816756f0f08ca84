package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
)

// The provision in section F of an issued EHC plan, tracked as a support plan's is.
//
// Why PostgreSQL and not the pupil's workflow: the council writes the plan and issues it through
// the EHC workflow (that is the statutory record, with its clocks); what section F says the
// school must deliver, and the sessions it logs, are the school's own working record of that
// plan, like the provision catalogue and the one-page profile. No timer, validator or decision
// of any workflow reads them, so an Update would add history, payload and a versioned change to
// running pathways without guarding anything. The one process fact they depend on — that a plan
// is in force, and which — is read from the read model the EHC workflow writes (the pathway's
// stage ehc_plan and the request that issued it), and items belong to that plan, so a ceased
// plan's provision stops being tracked. Every save is keyed by its action id (a repeat writes
// nothing) and each piece of provision is recorded once per plan (a unique key decides between
// saves sent at once); every save and read is audited.

// EHCProvisionSave records one piece of an EHC plan's section F provision.
type EHCProvisionSave struct {
	ID              string // the save's action id
	PupilID         string
	ItemID          string // from the school's provision catalogue, or
	Text            string // the plan's words
	SessionsPerWeek float64
}

// RecordEHCProvision records a piece of the provision in the pupil's EHC plan: the SENDCo (or
// the head) copies section F into sendflow so delivery can be logged, tracked and costed.
func (s *Service) RecordEHCProvision(ctx context.Context, a Actor, in EHCProvisionSave) (*store.EHCProvisionItem, error) {
	var c checks
	in.ItemID, in.Text = strings.TrimSpace(in.ItemID), strings.TrimSpace(in.Text)
	switch {
	case in.ItemID == "" && in.Text == "":
		c.add("body.text", "is missing: pick the catalogue item (itemId) or write the plan's words", in.Text)
	case in.ItemID != "" && in.Text != "":
		c.add("body.text", "give the catalogue item (itemId) or the plan's words, not both", in.Text)
	default:
		c.text("body.text", &in.Text, 1000)
	}
	if err := provision.CheckSessionsPerWeek(in.SessionsPerWeek); err != nil {
		c.add("body.sessionsPerWeek", err.Error(), in.SessionsPerWeek)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "ehc_provision", "update")
	if err != nil {
		return nil, err
	}
	plan, err := s.EHCPlanInForce(ctx, p.ID)
	var refused *Refused
	if errors.As(err, &refused) {
		s.Audit(ctx, a, role, "ehc_provision:update", p.ID, p.SchoolID, "refused")
	}
	if err != nil {
		return nil, err
	}
	cats, latest, err := s.catalogues(ctx, p.SchoolID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	item := store.EHCProvisionItem{ID: in.ID, PupilID: p.ID, PlanRequestID: plan.RequestID, Text: in.Text,
		CatalogueItem: in.ItemID, CatalogueVersion: latest, SessionsPerWeek: in.SessionsPerWeek,
		RecordedBy: a.ID, RecordedRole: role, Key: provision.EHCItemKey(in.ItemID, in.Text)}
	if in.ItemID != "" {
		it, ok := cats[latest].Item(in.ItemID)
		if !ok {
			return nil, invalid("The school's provision catalogue has no such item; nothing was changed.",
				"body.itemId", "is not in the school's provision catalogue", in.ItemID)
		}
		item.Text = it.Name
	}
	saved, err := s.Store.AddEHCProvision(ctx, item, p.SchoolID)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		s.Audit(ctx, a, role, "ehc_provision:update", p.ID, p.SchoolID, "refused")
		return nil, &Refused{Reason: fmt.Sprintf(
			"The EHC plan's provision already has %q (%s sessions a week); nothing was added.",
			saved.Text, trimFloat(saved.SessionsPerWeek))}
	case errors.Is(err, store.ErrNotFound):
		return nil, invalid("This save's id is already used. Send it again with a new one.", "header.Idempotency-Key", "already used", in.ID)
	case err != nil:
		return nil, s.unavailable(err)
	}
	s.Logger.InfoContext(ctx, "EHC plan provision recorded", "pupil", p.ID, "item", saved.ID)
	s.Audit(ctx, a, role, "ehc_provision:update", p.ID, p.SchoolID, "ok")
	return saved, nil
}

// EHCPlanInForce is the pupil's issued EHC plan, whose provision can be recorded; Refused with the
// reason when there is none (a form offering to record it says so before anything is typed).
// The caller has authorized the read.
func (s *Service) EHCPlanInForce(ctx context.Context, pupilID string) (*store.EHCPlanRef, error) {
	plan, err := s.Store.CurrentEHCPlan(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Refused{Reason: "The pupil has no EHC plan in force: its provision is recorded once the council has issued the plan."}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return plan, nil
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// EHCSessionLog is a session delivered against a piece of an EHC plan's provision.
type EHCSessionLog struct {
	ID          string // the log's action id
	PupilID     string
	ItemID      string
	GivenOn     time.Time
	Description string
}

// LogEHCSession logs a session given under the pupil's EHC plan: whoever logs support given
// under a support plan (the teacher, the teaching assistant, the SENDCo) logs it.
func (s *Service) LogEHCSession(ctx context.Context, a Actor, in EHCSessionLog) (*store.EHCProvisionItem, error) {
	var c checks
	c.date("body.givenOn", in.GivenOn, s.now())
	c.text("body.description", &in.Description, 2000)
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.GivenOn.After(s.now()) {
		return nil, invalid("A session is logged once it has been given; nothing was changed.",
			"body.givenOn", "is after today", in.GivenOn.Format(time.DateOnly))
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "provision", "create")
	if err != nil {
		return nil, err
	}
	it, err := s.Store.EHCProvisionItemOf(ctx, p.ID, in.ItemID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, role, "provision:create", p.ID, p.SchoolID, "not_found")
		return nil, &NotFound{What: "EHC plan provision item"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	if it.EndedOn != nil && in.GivenOn.After(*it.EndedOn) {
		s.Audit(ctx, a, role, "provision:create", p.ID, p.SchoolID, "refused")
		return nil, &Refused{Reason: fmt.Sprintf("The EHC plan stopped promising this provision on %s; a session given after that "+
			"is not logged against it. Nothing was logged.", it.EndedOn.Format("2 January 2006"))}
	}
	plan, err := s.Store.CurrentEHCPlan(ctx, p.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, s.unavailable(err)
	}
	if plan == nil || plan.RequestID != it.PlanRequestID {
		s.Audit(ctx, a, role, "provision:create", p.ID, p.SchoolID, "refused")
		return nil, &Refused{Reason: "This provision belongs to an EHC plan that is no longer in force; nothing was logged."}
	}
	err = s.Store.LogEHCSession(ctx, store.EHCSession{ID: in.ID, ItemID: it.ID, PupilID: p.ID, GivenOn: in.GivenOn,
		Description: in.Description, LoggedBy: a.ID, Role: role})
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("This log's id is already used. Send it again with a new one.", "header.Idempotency-Key", "already used", in.ID)
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "provision:create", p.ID, p.SchoolID, "ok")
	return it, nil
}

// EndEHCProvision ends a piece of the EHC plan's provision from a day, when the plan changes at
// an annual review: it stays as the record of what was promised and delivered, and is no longer
// judged for delivery (a changed plan must not show as a statutory shortfall). A plan that now
// promises more or less of it is recorded again, with the new sessions a week. The SENDCo or the
// head ends it; ending it again keeps the first day.
func (s *Service) EndEHCProvision(ctx context.Context, a Actor, pupilID, itemID string, on time.Time) (*store.EHCProvisionItem, error) {
	var c checks
	c.date("body.endedOn", on, s.now())
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, pupilID, "ehc_provision", "update")
	if err != nil {
		return nil, err
	}
	it, err := s.Store.EndEHCProvision(ctx, p.ID, itemID, on, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, role, "ehc_provision:update", p.ID, p.SchoolID, "not_found")
		return nil, &NotFound{What: "EHC plan provision item"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "ehc_provision:update", p.ID, p.SchoolID, "ok")
	return it, nil
}
