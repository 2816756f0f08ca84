package actions

import (
	"context"
	"fmt"

	"github.com/sendflow/sendflow/internal/provision"
	provgather "github.com/sendflow/sendflow/internal/provision/gather"
	"github.com/sendflow/sendflow/internal/store"
)

// MaxClosures is how many closures a school's term dates may hold: a school year has about ten
// (half-terms, holidays, bank holidays, training days); a few years ahead fit.
const MaxClosures = 100

// TermDates is a school's term dates: the days it is closed to pupils, earliest first.
func (s *Service) TermDates(ctx context.Context, a Actor, schoolID string) (*store.School, provision.Calendar, error) {
	sc, role, err := s.school(ctx, a, schoolID, "term_dates", "read")
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.Store.SchoolClosures(ctx, sc.ID)
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "term_dates:read", "", sc.ID, "ok")
	return sc, provgather.Calendar(cs), nil
}

// SetTermDates replaces a school's term dates with cal. The delivery rule reads them at once:
// a week wholly closed is not judged, and a short week promises its share of the sessions.
func (s *Service) SetTermDates(ctx context.Context, a Actor, schoolID string, cal provision.Calendar) (provision.Calendar, error) {
	sc, role, err := s.school(ctx, a, schoolID, "term_dates", "update")
	if err != nil {
		return nil, err
	}
	var c checks
	if len(cal) > MaxClosures {
		c.add("body.closures", fmt.Sprintf("has more than %d closures", MaxClosures), len(cal))
	}
	for i, cl := range cal {
		c.line(fmt.Sprintf("body.closures[%d].name", i), cl.Name, 100)
	}
	for _, p := range cal.Check() {
		var v any
		switch p.Field {
		case "first":
			v = cal[p.Index].First.Format("2006-01-02")
		case "last":
			v = cal[p.Index].Last.Format("2006-01-02")
		default:
			v = cal[p.Index].Name
		}
		c.add(fmt.Sprintf("body.closures[%d].%s", p.Index, p.Field), p.Message, v)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	cs := make([]store.Closure, len(cal))
	for i, cl := range cal {
		cs[i] = store.Closure{First: cl.First, Last: cl.Last, Name: cl.Name}
	}
	if err := s.Store.SetSchoolClosures(ctx, sc.ID, cs); err != nil {
		return nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "term_dates:update", "", sc.ID, "ok")
	saved, err := s.Store.SchoolClosures(ctx, sc.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	return provgather.Calendar(saved), nil
}
