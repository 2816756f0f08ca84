package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// PlanOutcome is one thing the support should achieve.
type PlanOutcome struct {
	Text string `json:"text" minLength:"1" maxLength:"1000"`
}

// PlanProvision is one piece of support the plan gives.
type PlanProvision struct {
	Text             string `json:"text,omitempty" maxLength:"1000" doc:"What will be done; may be left out when itemId names it"`
	Frequency        string `json:"frequency,omitempty" maxLength:"100"`
	ItemID           string `json:"itemId,omitempty" maxLength:"100" doc:"An item of the school's provision catalogue (GET /v1/schools/{schoolId}/provision-catalogue), which costs it; leave out for the unusual"`
	CatalogueVersion string `json:"catalogueVersion,omitempty" readOnly:"true" doc:"The catalogue version the item was costed from"`
}

// OutcomeRating is how far an outcome was met.
type OutcomeRating struct {
	OutcomeID string `json:"outcomeId" format:"uuid"`
	Rating    string `json:"rating" enum:"achieved,partly_achieved,not_achieved"`
}

// PlanCycleInput is a plan for a new support cycle (assess, plan, do, review): what it should
// achieve, the support, and the review date.
type PlanCycleInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		ReviewDate  Date            `json:"reviewDate" format:"date" doc:"When the plan will be reviewed with the family; at least two weeks away so they can be invited"`
		Outcomes    []PlanOutcome   `json:"outcomes" minItems:"1" maxItems:"12" doc:"What the support should achieve"`
		Provision   []PlanProvision `json:"provision" maxItems:"30" doc:"What will be done, by whom, how often"`
		ParentViews string          `json:"parentViews,omitempty" maxLength:"4000" doc:"What the parents said"`
		PupilViews  string          `json:"pupilViews,omitempty" maxLength:"4000" doc:"What the pupil said"`
	}
}

// CycleOutput answers a planned support cycle: its number, the plan's id, each outcome's id and
// the pathway after it.
type CycleOutput struct {
	Status int
	Body   struct {
		Cycle   int         `json:"cycle" doc:"The cycle's number"`
		PlanID  string      `json:"planId" format:"uuid"`
		Outcome []OutcomeID `json:"outcomes" doc:"Each outcome's id, to rate at the review"`
		Pathway PathwayView `json:"pathway"`
	}
}

// OutcomeID is one outcome of a plan with the id it is rated by at the review.
type OutcomeID struct {
	ID   string `json:"id" format:"uuid"`
	Text string `json:"text"`
}

// ReviewCycleInput is the review of a support cycle: every outcome rated, the family's and the
// pupil's views, and the next step.
type ReviewCycleInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Cycle   int    `path:"cycle" minimum:"1" doc:"The support cycle's number: 1 for the pupil's first"`
	IdempotencyHeader
	Body struct {
		Ratings     []OutcomeRating `json:"ratings" minItems:"1" maxItems:"12" doc:"Every outcome of the plan, rated"`
		ParentViews string          `json:"parentViews,omitempty" maxLength:"4000"`
		PupilViews  string          `json:"pupilViews,omitempty" maxLength:"4000"`
		NextStep    string          `json:"nextStep" enum:"continue,step_down,refer,request_ehcna"`
		Notes       string          `json:"notes,omitempty" maxLength:"4000"`
	}
}

// ProvisionInput records support given under a support cycle's plan.
type ProvisionInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Cycle   int    `path:"cycle" minimum:"1" doc:"The support cycle's number: 1 for the pupil's first"`
	IdempotencyHeader
	Body struct {
		Description string `json:"description" minLength:"1" maxLength:"2000" doc:"What support was given"`
		GivenOn     Date   `json:"givenOn" format:"date"`
		PlanItem    *int   `json:"planItem,omitempty" minimum:"0" doc:"Which of the plan's provision entries (counting from 0) the session delivered, so delivery is counted against what the plan promised"`
	}
}

// ReviewFormView is a support cycle as the review form needs it: the plan's outcomes to rate, the
// provision, the parents' views sent before the review, and the review once recorded.
type ReviewFormView struct {
	Cycle       int               `json:"cycle"`
	Status      string            `json:"status" enum:"active,overdue,reviewed"`
	AgreedOn    time.Time         `json:"agreedOn"`
	ReviewDate  string            `json:"reviewDate" format:"date"`
	Outcomes    []OutcomeID       `json:"outcomes" doc:"Each outcome with the id to rate it by"`
	Provision   []PlanProvision   `json:"provision"`
	ParentViews []ParentViewsView `json:"parentViews" doc:"What the parents wrote from the link in their email, newest first; they count as the parents' views at the review"`
	Reviewed    bool              `json:"reviewed"`
	Review      *CycleReviewView  `json:"review,omitempty"`
}

// CycleReviewView is a recorded review.
type CycleReviewView struct {
	ReviewedAt  time.Time       `json:"reviewedAt"`
	Ratings     []OutcomeRating `json:"ratings"`
	ParentViews string          `json:"parentViews,omitempty" doc:"What the parents said at the review, as recorded there"`
	PupilViews  string          `json:"pupilViews,omitempty"`
	NextStep    string          `json:"nextStep"`
}

// GetCycleInput names one of a pupil's support cycles.
type GetCycleInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Cycle   int    `path:"cycle" minimum:"1" doc:"The support cycle's number: 1 for the pupil's first"`
}

// CycleOutputView is a support cycle as the review form needs it.
type CycleOutputView struct{ Body ReviewFormView }

func (s *Server) getCycle(ctx context.Context, in *GetCycleInput) (*CycleOutputView, error) {
	v, err := read(ctx, s, in.PupilID, func(p *store.Pupil, role string) (*ReviewFormView, error) {
		// The plan and the family's words are the school's and the family's (see viewerAs).
		if a := viewerAs(ctx, role).audience; a == agency || a == council {
			return nil, huma.Error404NotFound("The pupil has no support cycle with this number yet.")
		}
		c, err := s.Store.Cycle(ctx, p.ID, in.Cycle)
		if errors.Is(err, store.ErrNotFound) {
			return nil, huma.Error404NotFound("The pupil has no support cycle with this number yet.")
		}
		if err != nil {
			return nil, s.unavailable(err)
		}
		views, err := s.Store.ParentViewsOf(ctx, p.ID, in.Cycle)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &ReviewFormView{
			Cycle:       c.Number,
			Status:      c.Status,
			AgreedOn:    c.Plan.CreatedAt,
			ReviewDate:  dateOnly(c.Plan.ReviewDate),
			Outcomes:    []OutcomeID{},
			Provision:   []PlanProvision{},
			ParentViews: parentViewsViews(views),
			Reviewed:    c.Review != nil,
		}
		_ = json.Unmarshal(c.Plan.Outcomes, &out.Outcomes)
		_ = json.Unmarshal(c.Plan.Provision, &out.Provision)
		if r := c.Review; r != nil {
			rv := &CycleReviewView{
				ReviewedAt:  r.CreatedAt,
				Ratings:     []OutcomeRating{},
				ParentViews: r.ParentViews,
				PupilViews:  r.PupilViews,
				NextStep:    r.NextStep,
			}
			_ = json.Unmarshal(r.Ratings, &rv.Ratings)
			out.Review = rv
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return &CycleOutputView{Body: *v}, nil
}

func (s *Server) registerCycles(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("cycle", "create", byAction),
		OperationID: "plan-cycle", Method: http.MethodPost, Path: "/pupils/{pupilId}/cycles",
		Summary: "Agree a support plan: starts an assess-plan-do-review cycle", Tags: []string{"Support cycles"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.planCycle)
	register(v1, huma.Operation{
		Metadata:    needs("pathway", "read", readsPupil),
		OperationID: "get-cycle", Method: http.MethodGet, Path: "/pupils/{pupilId}/cycles/{cycle}",
		Summary:     "A support plan and what its review needs: the outcomes to rate and the parents' views",
		Description: "The review form's data: the plan's outcomes (with the ids the review rates), the provision, the views the parents sent from the link in their email (who wrote them and when), and the review once recorded.",
		Tags:        []string{"Support cycles"}, Errors: []int{http.StatusNotFound},
	}, s.getCycle)
	register(v1, huma.Operation{
		Metadata:    needs("review", "create", byAction),
		OperationID: "review-cycle", Method: http.MethodPost, Path: "/pupils/{pupilId}/cycles/{cycle}/review",
		Summary: "Record the review of a support plan", Tags: []string{"Support cycles"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.reviewCycle)
	register(v1, huma.Operation{
		Metadata:    needs("provision", "create", byAction),
		OperationID: "log-provision", Method: http.MethodPost, Path: "/pupils/{pupilId}/cycles/{cycle}/provision",
		Summary: "Log support given under a plan", Tags: []string{"Support cycles"},
		DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.logProvision)
}

func (s *Server) planCycle(ctx context.Context, in *PlanCycleInput) (*CycleOutput, error) {
	return idempotent(ctx, s, "plan-cycle", in.IdempotencyKey, in, func(id string) (*CycleOutput, error) {
		plan := actions.Plan{
			ID:          id,
			PupilID:     in.PupilID,
			ReviewDate:  in.Body.ReviewDate.Time(),
			ParentViews: in.Body.ParentViews,
			PupilViews:  in.Body.PupilViews,
		}
		for _, o := range in.Body.Outcomes {
			plan.Outcomes = append(plan.Outcomes, o.Text)
		}
		for _, p := range in.Body.Provision {
			plan.Provision = append(
				plan.Provision,
				actions.Provision{Text: p.Text, Frequency: p.Frequency, ItemID: p.ItemID},
			)
		}
		r, err := s.Actions.PlanCycle(ctx, actor(ctx), plan)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &CycleOutput{Status: http.StatusCreated}
		out.Body.Cycle, out.Body.PlanID = r.Cycle, id
		for _, o := range r.Outcomes {
			out.Body.Outcome = append(out.Body.Outcome, OutcomeID{ID: o.ID, Text: o.Text})
		}
		view, err := s.pathwayView(ctx, r.Pupil.ID, r.Role)
		if err != nil {
			return nil, err
		}
		out.Body.Pathway = *view
		return out, nil
	})
}

func (s *Server) reviewCycle(ctx context.Context, in *ReviewCycleInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "review-cycle", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		r := actions.Review{
			ID:          id,
			PupilID:     in.PupilID,
			Cycle:       in.Cycle,
			ParentViews: in.Body.ParentViews,
			PupilViews:  in.Body.PupilViews,
			NextStep:    in.Body.NextStep,
			Notes:       in.Body.Notes,
		}
		for _, rt := range in.Body.Ratings {
			r.Ratings = append(r.Ratings, actions.Rating{OutcomeID: rt.OutcomeID, Rating: rt.Rating})
		}
		return s.answer(ctx)(s.Actions.ReviewCycle(ctx, actor(ctx), r))
	})
}

func (s *Server) logProvision(ctx context.Context, in *ProvisionInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "log-provision", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		return s.answer(
			ctx,
		)(
			s.Actions.LogProvision(ctx, actor(ctx), actions.ProvisionEntry{ID: id, PupilID: in.PupilID, Cycle: in.Cycle,
				Description: in.Body.Description, GivenOn: in.Body.GivenOn.Time(), PlanItem: in.Body.PlanItem}),
		)
	})
}

// viewOutput answers an action with the pathway as it now is.
func (s *Server) viewOutput(ctx context.Context, pupilID, role string) (*PathwayOutput, error) {
	view, err := s.pathwayView(ctx, pupilID, role)
	if err != nil {
		return nil, err
	}
	return &PathwayOutput{Status: http.StatusCreated, Body: *view}, nil
}
