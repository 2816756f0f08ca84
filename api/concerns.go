package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
)

// StrategyTried is an ordinarily available strategy a teacher has started.
type StrategyTried struct {
	StrategyID string `json:"strategyId" minLength:"1" maxLength:"100" doc:"The strategy's id in the OAG catalogue (GET /v1/oag/strategies), e.g. ci.s.visual-timetable"`
	StartedOn  Date   `json:"startedOn" format:"date" doc:"When it was started"`
	Frequency  string `json:"frequency,omitempty" maxLength:"100" doc:"How often, e.g. daily"`
	Notes      string `json:"notes,omitempty" maxLength:"2000"`
}

// StrategyImpact is how one strategy worked.
type StrategyImpact struct {
	StrategyID string `json:"strategyId" minLength:"1" maxLength:"100" doc:"The strategy's id in the OAG catalogue"`
	Impact     string `json:"impact" enum:"helping,some_change,no_change"`
	Notes      string `json:"notes,omitempty" maxLength:"2000"`
}

// RaiseConcernInput is a concern a teacher raises about a pupil: the areas of need, what they have
// seen, and the classroom strategies being tried.
type RaiseConcernInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		Areas      []string        `json:"areas" minItems:"1" maxItems:"4" uniqueItems:"true" enum:"communication_and_interaction,cognition_and_learning,social_emotional_mental_health,sensory_physical" doc:"Areas of need the concern is about"`
		Observed   string          `json:"observed" minLength:"1" maxLength:"4000" doc:"What you have seen, in your own words"`
		Indicators []string        `json:"indicators,omitempty" maxItems:"40" uniqueItems:"true" doc:"What you might see: indicator ids from the OAG catalogue (GET /v1/oag/areas)"`
		Strategies []StrategyTried `json:"strategies,omitempty" maxItems:"30" doc:"Classroom strategies already being tried; a trial window starts and ends with a prompt to record their impact"`
	}
}

// ConcernBody is a raised concern's id and the pupil's pathway after it.
type ConcernBody struct {
	ConcernID string      `json:"concernId" format:"uuid"`
	Pathway   PathwayView `json:"pathway"`
}

// RaiseConcernOutput answers a raised concern.
type RaiseConcernOutput struct {
	Status int
	Body   ConcernBody
}

// ImpactInput says how each classroom strategy tried for a concern worked.
type ImpactInput struct {
	PupilID   string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	ConcernID string `path:"concernId" format:"uuid" doc:"The concern's id, as given when it was raised"`
	IdempotencyHeader
	Body struct {
		Impacts []StrategyImpact `json:"impacts" minItems:"1" maxItems:"30" doc:"How each strategy worked"`
	}
}

// PathwayOutput is the pupil's pathway as it is after an action.
type PathwayOutput struct {
	Status int
	Body   PathwayView
}

func (s *Server) registerConcerns(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("concern", "create", byAction),
		OperationID: "raise-concern", Method: http.MethodPost, Path: "/pupils/{pupilId}/concerns",
		Summary:     "Raise a concern about a pupil",
		Description: "Records what a teacher has seen and the classroom strategies being tried, and asks the SENDCo to triage it. The pupil's pathway starts if it has not already.",
		Tags:        []string{"Concerns"}, DefaultStatus: http.StatusCreated,
		Errors: actionErrors,
	}, s.raiseConcern)
	register(v1, huma.Operation{
		Metadata:    needs("impact", "create", byAction),
		OperationID: "record-impact", Method: http.MethodPost, Path: "/pupils/{pupilId}/concerns/{concernId}/impact",
		Summary:     "Record how classroom strategies worked",
		Description: "After the trial window, the teacher says how each strategy worked. A pupil being monitored goes back to the SENDCo.",
		Tags:        []string{"Concerns"}, DefaultStatus: http.StatusCreated,
		Errors: actionErrors,
	}, s.recordImpact)
}

func (s *Server) raiseConcern(ctx context.Context, in *RaiseConcernInput) (*RaiseConcernOutput, error) {
	c := actions.Concern{
		PupilID:    in.PupilID,
		Areas:      in.Body.Areas,
		Observed:   in.Body.Observed,
		Indicators: in.Body.Indicators,
	}
	for _, st := range in.Body.Strategies {
		c.Strategies = append(
			c.Strategies,
			actions.StrategyTried{
				StrategyID: st.StrategyID,
				StartedOn:  st.StartedOn.Time(),
				Frequency:  st.Frequency,
				Notes:      st.Notes,
			},
		)
	}
	return idempotent(ctx, s, "raise-concern", in.IdempotencyKey, in, func(id string) (*RaiseConcernOutput, error) {
		c.ID = id
		r, err := s.Actions.RaiseConcern(ctx, actor(ctx), c)
		if err != nil {
			return nil, s.problem(err)
		}
		view, err := s.pathwayView(ctx, r.Pupil.ID, r.Role)
		if err != nil {
			return nil, err
		}
		return &RaiseConcernOutput{Status: http.StatusCreated, Body: ConcernBody{ConcernID: id, Pathway: *view}}, nil
	})
}

func (s *Server) recordImpact(ctx context.Context, in *ImpactInput) (*PathwayOutput, error) {
	return idempotent(ctx, s, "record-impact", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
		impact := actions.Impact{ID: id, PupilID: in.PupilID, ConcernID: in.ConcernID}
		for _, i := range in.Body.Impacts {
			impact.Impacts = append(
				impact.Impacts,
				actions.StrategyImpact{StrategyID: i.StrategyID, Impact: i.Impact, Notes: i.Notes},
			)
		}
		return s.answer(ctx)(s.Actions.RecordImpact(ctx, actor(ctx), impact))
	})
}

// answer turns an action's result into the pathway as it now is, or the action's error into
// problem details.
func (s *Server) answer(ctx context.Context) func(*actions.Result, error) (*PathwayOutput, error) {
	return func(r *actions.Result, err error) (*PathwayOutput, error) {
		if err != nil {
			return nil, s.problem(err)
		}
		return s.viewOutput(ctx, r.Pupil.ID, r.Role)
	}
}
