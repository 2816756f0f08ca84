package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/provision"
)

// ClosureView is a period a school is closed to pupils, first and last day included.
type ClosureView struct {
	First Date   `json:"first" doc:"The first day closed" example:"2026-10-26"`
	Last  Date   `json:"last" doc:"The last day closed (the same as first for one day)" example:"2026-10-30"`
	Name  string `json:"name" minLength:"1" maxLength:"100" doc:"What it is, e.g. October half-term, bank holiday, training day" example:"October half-term"`
}

// TermDatesBody is a school's term dates, as the days it is closed.
type TermDatesBody struct {
	Closures []ClosureView `json:"closures" maxItems:"100" doc:"Holidays, bank holidays and training days; none may overlap"`
}

type TermDatesOutput struct {
	Body TermDatesBody
}

type SetTermDatesInput struct {
	SchoolPath
	Body TermDatesBody
}

func termDatesOut(cal provision.Calendar) *TermDatesOutput {
	out := &TermDatesOutput{}
	out.Body.Closures = make([]ClosureView, len(cal))
	for i, c := range cal {
		out.Body.Closures[i] = ClosureView{First: DateOf(c.First), Last: DateOf(c.Last), Name: c.Name}
	}
	return out
}

func (s *Server) registerTermDates(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("term_dates", "read", byAction),
		OperationID: "get-term-dates", Method: http.MethodGet, Path: "/schools/{schoolId}/term-dates",
		Summary: "The school's term dates: the days it is closed to pupils",
		Tags:    []string{"Schools"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *SchoolPath) (*TermDatesOutput, error) {
		_, cal, err := s.Actions.TermDates(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		return termDatesOut(cal), nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("term_dates", "update", byAction),
		OperationID: "set-term-dates", Method: http.MethodPut, Path: "/schools/{schoolId}/term-dates",
		Summary: "Set the school's term dates: the days it is closed to pupils, replacing those set before",
		Description: "Delivery of provision is judged on school weeks: a week wholly closed is not judged, and a week " +
			"partly closed promises its share of the sessions (a four-day week, four fifths). Provision is behind when " +
			"two judged school weeks running fall below the school's share.",
		Tags: []string{"Schools"}, Errors: actionErrors,
	}, func(ctx context.Context, in *SetTermDatesInput) (*TermDatesOutput, error) {
		cal := make(provision.Calendar, len(in.Body.Closures))
		for i, c := range in.Body.Closures {
			cal[i] = provision.Closure{First: c.First.Time(), Last: c.Last.Time(), Name: c.Name}
		}
		saved, err := s.Actions.SetTermDates(ctx, actor(ctx), in.SchoolID, cal)
		if err != nil {
			return nil, s.problem(err)
		}
		return termDatesOut(saved), nil
	})
}
