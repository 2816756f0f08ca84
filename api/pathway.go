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
	By      string    `json:"by,omitempty" doc:"Who did it, where the line says a parent did something (a parent's views, an answer to an invitation)"`
	ByID    string    `json:"byId,omitempty" format:"uuid"`
}

// ParentViewsView is what a parent wrote before a review, from the link in their email.
type ParentViewsView struct {
	Cycle     int       `json:"cycle" doc:"The support cycle whose review the views are for"`
	ParentID  string    `json:"parentId" format:"uuid"`
	Parent    string    `json:"parent" doc:"Who wrote them"`
	GivenAt   time.Time `json:"givenAt"`
	GoingWell string    `json:"goingWell" doc:"What is going well"`
	Hard      string    `json:"hard" doc:"What is hard"`
	WouldHelp string    `json:"wouldHelp" doc:"What would help"`
}

func parentViewsViews(vs []store.ParentViews) []ParentViewsView {
	out := make([]ParentViewsView, len(vs))
	for i, v := range vs {
		out[i] = ParentViewsView{Cycle: v.Cycle, ParentID: v.ParentID, Parent: v.ParentName, GivenAt: v.CreatedAt,
			GoingWell: v.GoingWell, Hard: v.Hard, WouldHelp: v.WouldHelp}
	}
	return out
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
	PupilID          string            `json:"pupilId" format:"uuid"`
	Stage            string            `json:"stage" enum:"none,monitoring,awaiting_triage,sen_support,ehc_assessment,ehc_plan,closed"`
	StageDescription string            `json:"stageDescription"`
	Today            string            `json:"today" format:"date" doc:"Today on the pathway's calendar (differs from the real date only when time is compressed for a demo)"`
	Concerns         int               `json:"concerns" doc:"How many concerns have been raised"`
	Version          int64             `json:"version" doc:"Grows with every change"`
	UpdatedAt        *time.Time        `json:"updatedAt,omitempty"`
	Items            []ItemView        `json:"items" doc:"Support cycles, referrals, assessments and annual reviews"`
	Deadlines        []DeadlineView    `json:"deadlines" doc:"Open deadlines, soonest first"`
	Warnings         []string          `json:"warnings" doc:"Things to put right, in plain words"`
	Timeline         []TimelineEntry   `json:"timeline"`
	ParentViews      []ParentViewsView `json:"parentViews" doc:"What the parents wrote before each review from the link in their email, newest first"`
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
			Today: time.Now().UTC().Format(time.DateOnly), Items: []ItemView{}, Deadlines: []DeadlineView{}, Warnings: []string{}, Timeline: []TimelineEntry{},
			ParentViews: []ParentViewsView{}}, nil
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
		Today: today.UTC().Format(time.DateOnly), Concerns: len(st.Concerns), Version: rv.Pathway.Version,
		UpdatedAt: &rv.Pathway.UpdatedAt, Items: []ItemView{}, Deadlines: []DeadlineView{}, Warnings: []string{},
		Timeline: make([]TimelineEntry, len(rv.Timeline)),
	}
	for _, it := range rv.Items {
		v.Items = append(v.Items, ItemView{ID: it.ItemID, Kind: it.Kind, Status: it.Status, State: it.State})
	}
	for _, d := range rv.Deadlines {
		v.Deadlines = append(v.Deadlines, DeadlineView{Due: d.Due.UTC().Format(time.DateOnly), What: d.Label, Kind: d.Kind,
			Item: d.ItemID, Late: d.Due.Before(today.Truncate(24 * time.Hour))})
	}
	if n, warn := st.ParentMeetings(today); warn {
		v.Warnings = append(v.Warnings, "Only "+strconv.Itoa(n)+" meetings with the parents are planned this school year; the Code of Practice expects at least "+
			strconv.Itoa(st.Timings.Cycle.MinParentMeetingsPerYear)+".")
	}
	for i, e := range rv.Timeline {
		v.Timeline[i] = TimelineEntry{At: e.At, Kind: e.Kind, Summary: e.Summary, By: e.ActorName, ByID: e.ActorID}
	}
	views, err := s.Store.ParentViewsOf(ctx, pupilID, 0)
	if err != nil {
		return nil, s.unavailable(err)
	}
	v.ParentViews = parentViewsViews(views)
	return v, nil
}
