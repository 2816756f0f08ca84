package statutory

import (
	"context"
	"time"

	"github.com/sendflow/sendflow/internal/register"
	"github.com/sendflow/sendflow/internal/store"
)

// FiguresYear is the period co-production is counted over: the last year.
const FiguresYear = 365 * 24 * time.Hour

// AreaFigures reads the rows of an area's schools from the read model and adds them up
// (internal/register): each school's and all of them together.
func AreaFigures(
	ctx context.Context,
	st *store.Store,
	a store.Area,
	now time.Time,
) ([]register.SchoolFigures, register.SchoolFigures, error) {
	var all register.SchoolFigures
	names, err := st.AreaSchools(ctx, a)
	if err != nil {
		return nil, all, err
	}
	reqs, err := st.EHCRequests(ctx, a)
	if err != nil {
		return nil, all, err
	}
	overdue, err := st.AnnualReviewsOverdue(ctx, a, now)
	if err != nil {
		return nil, all, err
	}
	since := now.Add(-FiguresYear)
	reviews, err := st.ReviewsWithViews(ctx, a, since)
	if err != nil {
		return nil, all, err
	}
	meetings, err := st.MeetingsHeld(ctx, a, since, now)
	if err != nil {
		return nil, all, err
	}
	supported, err := st.PupilsSupported(ctx, a)
	if err != nil {
		return nil, all, err
	}
	schools, all := register.BySchool(names, reqs, overdue, reviews, meetings, supported, 1)
	return schools, all, nil
}
