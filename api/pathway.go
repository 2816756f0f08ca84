package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

type TimelineEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind" example:"concern_raised"`
	Summary string    `json:"summary" example:"A teacher raised a concern. The SENDCo has been asked to look at it."`
}

type PathwayView struct {
	PupilID          string          `json:"pupilId" format:"uuid"`
	Stage            string          `json:"stage" enum:"none,monitoring,awaiting_triage,sen_support,ehc_assessment,ehc_plan,closed"`
	StageDescription string          `json:"stageDescription"`
	Concerns         int             `json:"concerns" doc:"How many concerns have been raised"`
	Version          int64           `json:"version" doc:"Grows with every change"`
	UpdatedAt        *time.Time      `json:"updatedAt,omitempty"`
	Timeline         []TimelineEntry `json:"timeline"`
}

type GetPathwayInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
}

type GetPathwayOutput struct{ Body PathwayView }

func (s *Server) registerPathway(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-pathway", Method: http.MethodGet, Path: "/v1/pupils/{pupilId}/pathway",
		Summary: "Where a pupil is on the graduated approach, with the story so far in plain words",
		Tags:    []string{"Pathway"}, Security: bearer,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *GetPathwayInput) (*GetPathwayOutput, error) {
		p, role, err := s.pupilFor(ctx, in.PupilID, "pathway", "read")
		if err != nil {
			return nil, err
		}
		v, err := s.pathwayView(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		s.audit(ctx, role, "pathway:read", p.ID, p.SchoolID, "ok")
		return &GetPathwayOutput{Body: *v}, nil
	})
}

// pathwayView reads the read model; a pupil with no pathway yet is shown at stage "none".
func (s *Server) pathwayView(ctx context.Context, pupilID string) (*PathwayView, error) {
	row, events, err := s.Store.Pathway(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		return &PathwayView{PupilID: pupilID, Stage: string(workflows.StageNone),
			StageDescription: workflows.StageNone.Describe(), Timeline: []TimelineEntry{}}, nil
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	var st workflows.PathwayState
	if err := json.Unmarshal(row.State, &st); err != nil {
		return nil, s.unavailable(err)
	}
	v := &PathwayView{
		PupilID: pupilID, Stage: row.Stage, StageDescription: workflows.Stage(row.Stage).Describe(),
		Concerns: len(st.Concerns), Version: row.Version, UpdatedAt: &row.UpdatedAt,
		Timeline: make([]TimelineEntry, len(events)),
	}
	for i, e := range events {
		v.Timeline[i] = TimelineEntry{At: e.At, Kind: e.Kind, Summary: e.Summary}
	}
	return v, nil
}
