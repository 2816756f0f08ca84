package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/store"

	"github.com/sendflow/sendflow/workflows"
)

// Provision is one piece of support a plan gives.
// ItemID picks it from the school's provision catalogue (its name and frequency fill Text and
// Frequency when they are empty); CatalogueVersion is the version it was costed from, set here.
type Provision struct {
	Text             string `json:"text"`
	Frequency        string `json:"frequency,omitempty"`
	ItemID           string `json:"itemId,omitempty"`
	CatalogueVersion string `json:"catalogueVersion,omitempty"`
}

// Plan is a support plan agreed with the family: it starts an assess-plan-do-review cycle.
type Plan struct {
	ID          string
	PupilID     string
	ReviewDate  time.Time
	Outcomes    []string
	Provision   []Provision
	ParentViews string
	PupilViews  string
}

// Outcome is one thing a plan should achieve, with the id it is rated by at the review.
type Outcome struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// PlanResult is a plan taken: its cycle's number and its outcomes' ids.
type PlanResult struct {
	Result
	Cycle    int
	Outcomes []Outcome
}

// PlanCycle agrees a support plan and opens its cycle.
func (s *Service) PlanCycle(ctx context.Context, a Actor, in Plan) (*PlanResult, error) {
	var c checks
	c.date("body.reviewDate", in.ReviewDate, s.now())
	for i := range in.Outcomes {
		c.required(fmt.Sprintf("body.outcomes[%d].text", i), &in.Outcomes[i], 1000)
	}
	for i := range in.Provision {
		if in.Provision[i].ItemID == "" { // a catalogue item's words come from the catalogue
			c.required(fmt.Sprintf("body.provision[%d].text", i), &in.Provision[i].Text, 1000)
		} else {
			c.text(fmt.Sprintf("body.provision[%d].text", i), &in.Provision[i].Text, 1000)
		}
		c.line(fmt.Sprintf("body.provision[%d].frequency", i), in.Provision[i].Frequency, 100)
	}
	c.text("body.parentViews", &in.ParentViews, 4000)
	c.text("body.pupilViews", &in.PupilViews, 4000)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "cycle", "create")
	if err != nil {
		return nil, err
	}
	if err := s.costProvision(ctx, p.SchoolID, in.Provision); err != nil {
		return nil, err
	}
	out := &PlanResult{Result: Result{Pupil: p, Role: role}}
	ids := make([]string, len(in.Outcomes))
	for i, text := range in.Outcomes {
		ids[i] = uuid.NewSHA1(uuid.MustParse(in.ID), []byte(strconv.Itoa(i))).String()
		out.Outcomes = append(out.Outcomes, Outcome{ID: ids[i], Text: text})
	}
	outcomes, err := json.Marshal(out.Outcomes)
	if err != nil {
		return nil, fmt.Errorf("encode outcomes: %w", err)
	}
	provision, err := json.Marshal(in.Provision)
	if err != nil {
		return nil, fmt.Errorf("encode provision: %w", err)
	}
	if in.Provision == nil {
		provision = []byte("[]")
	}
	err = s.run(ctx, step{actor: a, pupil: p, role: role, action: "cycle:create",
		record: &record{kind: workflows.RecordPlan, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposePlan(
				ctx,
				in.ID,
				p.ID,
				a.ID,
				outcomes,
				provision,
				in.ReviewDate,
				in.ParentViews,
				in.PupilViews,
			)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdatePlanCycle,
				in.ID,
				workflows.PlanCycle{PlanID: in.ID, ReviewDate: in.ReviewDate, OutcomeIDs: ids,
					ParentViews: in.ParentViews != "", PupilViews: in.PupilViews != "", By: a.ID},
			)
		}})
	if err != nil {
		return nil, err
	}
	if out.Cycle, err = s.Store.CycleOfPlan(ctx, p.ID, in.ID); err != nil {
		return nil, s.unavailable(err)
	}
	return out, nil
}

// Rating is how far one outcome of a plan was met: achieved, partly_achieved or not_achieved.
type Rating struct {
	OutcomeID string `json:"outcomeId"`
	Rating    string `json:"rating"`
}

// Review is the review of a support plan.
type Review struct {
	ID          string
	PupilID     string
	Cycle       int
	Ratings     []Rating
	ParentViews string
	PupilViews  string
	NextStep    string
	Notes       string
}

// ReviewCycle records the review of a plan and closes its cycle.
func (s *Service) ReviewCycle(ctx context.Context, a Actor, in Review) (*Result, error) {
	var c checks
	c.text("body.parentViews", &in.ParentViews, 4000)
	c.text("body.pupilViews", &in.PupilViews, 4000)
	c.text("body.notes", &in.Notes, 4000)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "review", "create")
	if err != nil {
		return nil, err
	}
	ratings := map[string]workflows.Rating{}
	for _, r := range in.Ratings {
		ratings[r.OutcomeID] = workflows.Rating(r.Rating)
	}
	raw, err := json.Marshal(in.Ratings)
	if err != nil {
		return nil, fmt.Errorf("encode ratings: %w", err)
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "review:create",
		record: &record{kind: workflows.RecordReview, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeReview(
				ctx,
				in.ID,
				p.ID,
				in.Cycle,
				raw,
				in.ParentViews,
				in.PupilViews,
				in.NextStep,
				in.Notes,
				a.ID,
			)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.CycleState](
				ctx,
				s,
				workflows.CycleWorkflowID(p.ID, in.Cycle),
				workflows.UpdateReviewCycle,
				in.ID,
				workflows.CycleReview{
					ReviewID:    in.ID,
					Ratings:     ratings,
					ParentViews: in.ParentViews != "",
					PupilViews:  in.PupilViews != "",
					NextStep:    workflows.NextStep(in.NextStep),
					By:          a.ID,
				},
			)
		}})
}

// ProvisionEntry is support given under a plan.
type ProvisionEntry struct {
	ID          string
	PupilID     string
	Cycle       int
	Description string
	GivenOn     time.Time
	// PlanItem is the plan's provision entry (its index) the session delivered, so delivery can
	// be counted against what the plan promised; nil for support outside the plan.
	PlanItem *int
}

// LogProvision logs support given under a plan.
func (s *Service) LogProvision(ctx context.Context, a Actor, in ProvisionEntry) (*Result, error) {
	var c checks
	c.required("body.description", &in.Description, 2000)
	c.date("body.givenOn", in.GivenOn, s.now())
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "provision", "create")
	if err != nil {
		return nil, err
	}
	if in.PlanItem != nil {
		cy, err := s.Store.Cycle(ctx, p.ID, in.Cycle)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, s.unavailable(err)
		}
		var entries []Provision
		if cy != nil {
			_ = json.Unmarshal(cy.Plan.Provision, &entries)
		}
		if *in.PlanItem < 0 || *in.PlanItem >= len(entries) {
			return nil, invalid("The plan has no such provision; nothing was changed.", "body.planItem",
				"is not one of the plan's provision entries", *in.PlanItem)
		}
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "provision:create",
		record: &record{kind: workflows.RecordProvision, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeProvision(ctx, in.ID, p.ID, in.Cycle, in.Description, in.GivenOn, a.ID, in.PlanItem)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.CycleState](
				ctx,
				s,
				workflows.CycleWorkflowID(p.ID, in.Cycle),
				workflows.UpdateLogProvision,
				in.ID,
				workflows.ProvisionLogged{EntryID: in.ID, By: a.ID},
			)
		}})
}
