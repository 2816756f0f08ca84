package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
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

type DeadlineView struct {
	Due  string `json:"due" format:"date" doc:"The date, on the pathway's calendar"`
	What string `json:"what" doc:"What must happen, in plain words"`
	Kind string `json:"kind"`
	Item string `json:"item,omitempty" doc:"The part of the pathway it belongs to, e.g. cycle/2"`
	Late bool   `json:"late"`
}

type ItemView struct {
	ID     string          `json:"id" doc:"e.g. cycle/2, referral/<id>, ehc/<id>, annual-review/1"`
	Kind   string          `json:"kind" enum:"cycle,referral,ehc,annual_review"`
	Status string          `json:"status"`
	State  json.RawMessage `json:"state" doc:"The workflow's state for this part: ids, dates and statuses, no names or needs"`
}

type PathwayView struct {
	PupilID          string          `json:"pupilId" format:"uuid"`
	Stage            string          `json:"stage" enum:"none,monitoring,awaiting_triage,sen_support,ehc_assessment,ehc_plan,closed"`
	StageDescription string          `json:"stageDescription"`
	Today            string          `json:"today" format:"date" doc:"Today on the pathway's calendar (differs from the real date only when time is compressed for a demo)"`
	Concerns         int             `json:"concerns" doc:"How many concerns have been raised"`
	Version          int64           `json:"version" doc:"Grows with every change"`
	UpdatedAt        *time.Time      `json:"updatedAt,omitempty"`
	Items            []ItemView      `json:"items" doc:"Support cycles, referrals, assessments and annual reviews"`
	Deadlines        []DeadlineView  `json:"deadlines" doc:"Open deadlines, soonest first"`
	Warnings         []string        `json:"warnings" doc:"Things to put right, in plain words"`
	Statutory        []StatutoryView `json:"statutory" doc:"Every statutory step of the EHC needs assessment and the annual reviews: due dates with and without the exceptions, and whether each is on track, at risk, late or done in time"`
	Timeline         []TimelineEntry `json:"timeline"`
}

type GetPathwayInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
}

type GetPathwayOutput struct{ Body PathwayView }

func (s *Server) registerPathway(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-pathway", Method: http.MethodGet, Path: "/v1/pupils/{pupilId}/pathway",
		Summary: "Where a pupil is on the graduated approach, what is open and due, and the story so far in plain words",
		Tags:    []string{"Pathway"}, Security: bearer,
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *GetPathwayInput) (*GetPathwayOutput, error) {
		v, err := read(ctx, s, in.PupilID, "pathway", "read", func(p *store.Pupil, _ string) (*PathwayView, error) {
			return s.pathwayView(ctx, p.ID)
		})
		if err != nil {
			return nil, err
		}
		return &GetPathwayOutput{Body: *v}, nil
	})
}

// pathwayView reads the read model; a pupil with no pathway yet is shown at stage "none".
func (s *Server) pathwayView(ctx context.Context, pupilID string) (*PathwayView, error) {
	rv, err := s.Store.Pathway(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		return &PathwayView{PupilID: pupilID, Stage: string(workflows.StageNone), StageDescription: workflows.StageNone.Describe(),
			Today: dateOnly(time.Now()), Items: []ItemView{}, Deadlines: []DeadlineView{}, Warnings: []string{}, Statutory: []StatutoryView{}, Timeline: []TimelineEntry{}}, nil
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	var st workflows.PathwayState
	if err := json.Unmarshal(rv.Pathway.State, &st); err != nil {
		return nil, s.unavailable(err)
	}
	today := st.Clock.Now(time.Now())
	v := &PathwayView{
		PupilID: pupilID, Stage: rv.Pathway.Stage, StageDescription: workflows.Stage(rv.Pathway.Stage).Describe(),
		Today: dateOnly(today), Concerns: len(st.Concerns), Version: rv.Pathway.Version,
		UpdatedAt: &rv.Pathway.UpdatedAt, Items: []ItemView{}, Deadlines: []DeadlineView{}, Warnings: []string{}, Statutory: []StatutoryView{},
		Timeline: make([]TimelineEntry, len(rv.Timeline)),
	}
	for _, it := range rv.Items {
		v.Items = append(v.Items, ItemView{ID: it.ItemID, Kind: it.Kind, Status: it.Status, State: it.State})
		if steps, ok := statutoryOf(it.ItemID, it.Kind, it.State, time.Now()); ok {
			v.Statutory = append(v.Statutory, steps...)
		}
	}
	for _, d := range rv.Deadlines {
		// Deadlines are calendar dates: late once their day is over in London.
		v.Deadlines = append(v.Deadlines, DeadlineView{Due: dateOnly(d.Due), What: d.Label, Kind: d.Kind,
			Item: d.ItemID, Late: workflows.CalendarDays(today, d.Due) < 0})
	}
	if n, warn := st.ParentMeetings(today); warn {
		v.Warnings = append(v.Warnings, "Only "+strconv.Itoa(n)+" meetings with the parents are planned this school year; the Code of Practice expects at least "+
			strconv.Itoa(st.Timings.Cycle.MinParentMeetingsPerYear)+".")
	}
	for i, e := range rv.Timeline {
		v.Timeline[i] = TimelineEntry{At: e.At, Kind: e.Kind, Summary: e.Summary}
	}
	return v, nil
}
