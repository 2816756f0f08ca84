package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Areas of need from the SEND Code of Practice.
const areasEnum = "communication_and_interaction,cognition_and_learning,social_emotional_mental_health,sensory_physical"

type RaiseConcernInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		Areas    []string `json:"areas" minItems:"1" maxItems:"4" uniqueItems:"true" enum:"communication_and_interaction,cognition_and_learning,social_emotional_mental_health,sensory_physical" doc:"Areas of need the concern is about"`
		Observed string   `json:"observed" minLength:"1" maxLength:"4000" doc:"What you have seen, in your own words"`
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

// concernNamespace turns (user, Idempotency-Key) into a concern id, so a retry names the same
// concern and the database and workflow both see one.
var concernNamespace = uuid.MustParse("0b8f5f55-57e4-4c51-8b38-2d4e7f8f3c21")

func (s *Server) registerConcerns(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "raise-concern", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/concerns",
		Summary:     "Raise a concern about a pupil",
		Description: "Records what a teacher has seen and asks the SENDCo to triage it. The pupil's pathway starts if it has not already.",
		Tags:        []string{"Pathway"}, Security: bearer, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, s.raiseConcern)
}

func (s *Server) raiseConcern(ctx context.Context, in *RaiseConcernInput) (*RaiseConcernOutput, error) {
	const op = "raise-concern"
	p, role, err := s.pupilFor(ctx, in.PupilID, "concern", "create")
	if err != nil {
		return nil, err
	}
	u := currentUser(ctx)
	hash, err := requestHash(op, in.PupilID, in.Body)
	if err != nil {
		return nil, err
	}
	out := &RaiseConcernOutput{}
	if ok, err := s.replay(ctx, u.ID, in.IdempotencyKey, op, hash, &out.Body); ok || err != nil {
		out.Status = http.StatusCreated
		return out, err
	}

	concernID := uuid.NewString()
	if in.IdempotencyKey != "" {
		concernID = uuid.NewSHA1(concernNamespace, []byte(u.ID+"\x00"+in.IdempotencyKey)).String()
	}
	if _, err := s.Store.InsertConcern(ctx, store.Concern{ID: concernID, PupilID: p.ID, RaisedBy: u.ID, Areas: in.Body.Areas, Observed: in.Body.Observed}); err != nil {
		return nil, s.unavailable(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = workflows.RaiseConcern(tctx, s.Temporal, s.TaskQueue, p.SchoolID, p.ID,
		workflows.ConcernRaised{ConcernID: concernID, RaisedBy: u.ID})
	var refusal *workflows.Refusal
	if errors.As(err, &refusal) {
		s.audit(ctx, role, "concern:create", p.ID, p.SchoolID, "refused")
		return nil, huma.Error409Conflict(refusal.Reason)
	}
	if err != nil {
		s.Logger.Error("concern saved but not delivered to the pathway", "concern_id", concernID, "error", err)
		return nil, huma.Error503ServiceUnavailable("Your concern was saved, but sendflow could not pass it to the SENDCo just now. " +
			"Send the same request again with the same Idempotency-Key to finish; it will not be recorded twice.")
	}
	s.audit(ctx, role, "concern:create", p.ID, p.SchoolID, "ok")

	view, err := s.pathwayView(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out.Status = http.StatusCreated
	out.Body = ConcernBody{ConcernID: concernID, Pathway: *view}
	if err := s.remember(ctx, u.ID, in.IdempotencyKey, op, hash, out.Status, out.Body); err != nil {
		s.Logger.Error("idempotency answer not saved", "error", err)
	}
	return out, nil
}
