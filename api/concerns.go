package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// StrategyTried is an ordinarily available strategy a teacher has started.
type StrategyTried struct {
	StrategyID string `json:"strategyId" minLength:"1" maxLength:"100" doc:"The strategy's id in the OAG catalogue (GET /v1/oag/strategies), e.g. ci.s.visual-timetable"`
	StartedOn  string `json:"startedOn" format:"date" doc:"When it was started"`
	Frequency  string `json:"frequency,omitempty" maxLength:"100" doc:"How often, e.g. daily"`
	Notes      string `json:"notes,omitempty" maxLength:"2000"`
}

// StrategyImpact is how one strategy worked.
type StrategyImpact struct {
	StrategyID string `json:"strategyId" minLength:"1" maxLength:"100" doc:"The strategy's id in the OAG catalogue"`
	Impact     string `json:"impact" enum:"helping,some_change,no_change"`
	Notes      string `json:"notes,omitempty" maxLength:"2000"`
}

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

type ConcernBody struct {
	ConcernID string      `json:"concernId" format:"uuid"`
	Pathway   PathwayView `json:"pathway"`
}

type RaiseConcernOutput struct {
	Status int
	Body   ConcernBody
}

type ImpactInput struct {
	PupilID   string `path:"pupilId" format:"uuid"`
	ConcernID string `path:"concernId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Impacts []StrategyImpact `json:"impacts" minItems:"1" maxItems:"30" doc:"How each strategy worked"`
	}
}

type PathwayOutput struct {
	Status int
	Body   PathwayView
}

func (s *Server) registerConcerns(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "raise-concern", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/concerns",
		Summary:     "Raise a concern about a pupil",
		Description: "Records what a teacher has seen and the classroom strategies being tried, and asks the SENDCo to triage it. The pupil's pathway starts if it has not already.",
		Tags:        []string{"Concerns"}, Security: bearer, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, s.raiseConcern)
	huma.Register(api, huma.Operation{
		OperationID: "record-impact", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/concerns/{concernId}/impact",
		Summary:     "Record how classroom strategies worked",
		Description: "After the trial window, the teacher says how each strategy worked. A pupil being monitored goes back to the SENDCo.",
		Tags:        []string{"Concerns"}, Security: bearer, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, s.recordImpact)
}

// pathwayStart is how a pupil's pathway starts if this is its first action.
func (s *Server) pathwayStart(p *store.Pupil) workflows.PathwayInput {
	return workflows.PathwayInput{PupilID: p.ID, SchoolID: p.SchoolID, Timings: s.Timings, Scale: s.TimeScale}
}

func (s *Server) raiseConcern(ctx context.Context, in *RaiseConcernInput) (*RaiseConcernOutput, error) {
	for i, st := range in.Body.Strategies {
		if _, err := parseDate("body.strategies["+strconv.Itoa(i)+"].startedOn", st.StartedOn); err != nil {
			return nil, err
		}
	}
	if err := s.knownIDs(ctx, in.Body.Indicators, in.Body.Strategies); err != nil {
		return nil, err
	}
	return act(ctx, s, in.PupilID, "concern", "create", func(p *store.Pupil, role string) (*RaiseConcernOutput, error) {
		return idempotent(ctx, s, "raise-concern", in.IdempotencyKey, in, func(concernID string) (*RaiseConcernOutput, error) {
			strategies, _ := json.Marshal(in.Body.Strategies)
			u := currentUser(ctx)
			if _, err := s.Store.InsertConcern(ctx, store.Concern{ID: concernID, PupilID: p.ID, RaisedBy: u.ID,
				Areas: in.Body.Areas, Observed: in.Body.Observed, Strategies: strategies, Indicators: in.Body.Indicators}); err != nil {
				return nil, s.unavailable(err)
			}
			_, err := workflows.RaiseConcern(ctx, s.Temporal, s.TaskQueue, s.pathwayStart(p),
				workflows.ConcernRaised{ConcernID: concernID, RaisedBy: u.ID, StrategiesTried: len(in.Body.Strategies)})
			if err != nil {
				if _, refused := err.(*workflows.Refusal); !refused {
					s.Logger.Error("concern saved but not delivered to the pathway", "concern_id", concernID, "error", err)
					return nil, huma.Error503ServiceUnavailable("Your concern was saved, but sendflow could not pass it to the SENDCo just now. " +
						"Send the same request again with the same Idempotency-Key to finish; it will not be recorded twice.")
				}
				return nil, err
			}
			view, err := s.pathwayView(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			return &RaiseConcernOutput{Status: http.StatusCreated, Body: ConcernBody{ConcernID: concernID, Pathway: *view}}, nil
		})
	})
}

// knownIDs refuses indicator and strategy ids that are not in the current OAG catalogue.
func (s *Server) knownIDs(ctx context.Context, indicators []string, strategies []StrategyTried) error {
	lib, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	var details []error
	for i, id := range indicators {
		if ref, ok := lib.Indicator(id); !ok || ref.Retired {
			details = append(details, &huma.ErrorDetail{Location: "body.indicators[" + strconv.Itoa(i) + "]", Message: "not an indicator in the current OAG catalogue", Value: id})
		}
	}
	for i, st := range strategies {
		if ref, ok := lib.Strategy(st.StrategyID); !ok || ref.Retired {
			details = append(details, &huma.ErrorDetail{Location: "body.strategies[" + strconv.Itoa(i) + "].strategyId", Message: "not a strategy in the current OAG catalogue", Value: st.StrategyID})
		}
	}
	if len(details) > 0 {
		return huma.Error422UnprocessableEntity("Some ids are not in the OAG catalogue; GET /v1/oag/areas and /v1/oag/strategies list them.", details...)
	}
	return nil
}

func (s *Server) recordImpact(ctx context.Context, in *ImpactInput) (*PathwayOutput, error) {
	return act(ctx, s, in.PupilID, "impact", "create", func(p *store.Pupil, role string) (*PathwayOutput, error) {
		return idempotent(ctx, s, "record-impact", in.IdempotencyKey, in, func(id string) (*PathwayOutput, error) {
			impacts, _ := json.Marshal(in.Body.Impacts)
			u := currentUser(ctx)
			err := s.Store.InsertImpact(ctx, id, in.ConcernID, p.ID, u.ID, impacts)
			if errors.Is(err, store.ErrNotFound) {
				return nil, huma.Error404NotFound("This pupil has no concern with this id.")
			}
			if err != nil {
				return nil, s.unavailable(err)
			}
			return s.pathwayUpdate(ctx, p, workflows.UpdateRecordImpact, "impact/"+id, workflows.ImpactRecorded{ConcernID: in.ConcernID, By: u.ID})
		})
	})
}

// pathwayUpdate sends an action to the pupil's pathway and answers with the pathway as it now is.
func (s *Server) pathwayUpdate(ctx context.Context, p *store.Pupil, name, updateID string, arg any) (*PathwayOutput, error) {
	if _, err := workflows.Update[workflows.PathwayState](ctx, s.Temporal, workflows.PathwayWorkflowID(p.ID), name, updateID, arg); err != nil {
		return nil, err
	}
	return s.viewOutput(ctx, p.ID)
}
