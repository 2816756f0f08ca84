// Package statutory reads the statutory steps of EHC needs assessments and annual reviews from
// the read model, with their timeliness (workflows' one rule), for every surface that lists them:
// the pathway, the caseload and the council's view in the API and on the staff pages.
package statutory

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Steps reads the timeliness of one projected assessment ("ehc") or annual review
// ("annual_review") on its own calendar (compressed in demos); ok is false for other items.
func Steps(kind string, state []byte, now time.Time) ([]workflows.StepTimeliness, bool) {
	switch kind {
	case "ehc":
		var e workflows.EHCState
		if json.Unmarshal(state, &e) != nil {
			return nil, false
		}
		return e.Timeliness(e.Clock.Now(now)), true
	case "annual_review":
		var a workflows.AnnualReviewState
		if json.Unmarshal(state, &a) != nil {
			return nil, false
		}
		return a.Timeliness(a.Clock.Now(now)), true
	}
	return nil, false
}

// Step is one statutory step of a pupil's assessment or annual review.
type Step struct {
	Item store.StatutoryItem
	workflows.StepTimeliness
}

// Council is a local authority's view of its assessments and annual reviews: what is open, the
// timeliness of final plans as the DfE reports it (with and without the exceptions), and the
// open steps that are late, at risk or otherwise open, each soonest due first.
type Council struct {
	AssessmentsOpen, ReviewsOpen int
	// PlansIssued counts final EHC plans issued; OnTimeWithoutExceptions those within 20 weeks
	// of the request, OnTimeCountingExceptions those within 20 weeks counting the days paused
	// (these include the others).
	PlansIssued, OnTimeWithoutExceptions, OnTimeCountingExceptions int
	Late, AtRisk, Open                                             []Step
	// Pupils are the pupils the view shows (each a read of their record).
	Pupils []store.StatutoryItem
}

// CouncilView reads the items of an authority into its view.
func CouncilView(items []store.StatutoryItem, now time.Time) Council {
	var c Council
	seen := map[string]bool{}
	for _, it := range items {
		steps, ok := Steps(it.Kind, it.State, now)
		if !ok {
			continue
		}
		if !seen[it.PupilID] {
			seen[it.PupilID] = true
			c.Pupils = append(c.Pupils, it)
		}
		open := it.Status != "finished" && it.Status != "complete"
		switch {
		case it.Kind == "ehc" && open:
			c.AssessmentsOpen++
		case it.Kind == "annual_review" && open:
			c.ReviewsOpen++
		}
		for _, st := range steps {
			if it.Kind == "ehc" && st.Step == string(workflows.MilestoneFinalPlan) && st.DoneAt != nil {
				c.PlansIssued++
				if st.OnTimeWithoutExceptions != nil && *st.OnTimeWithoutExceptions {
					c.OnTimeWithoutExceptions++
				}
				if st.OnTimeWithExceptions != nil && *st.OnTimeWithExceptions {
					c.OnTimeCountingExceptions++
				}
			}
			s := Step{Item: it, StepTimeliness: st}
			switch st.Status {
			case workflows.TimelyLate:
				c.Late = append(c.Late, s)
			case workflows.TimelyAtRisk:
				c.AtRisk = append(c.AtRisk, s)
			case workflows.TimelyOnTrack, workflows.TimelyPaused:
				c.Open = append(c.Open, s)
			}
		}
	}
	for _, list := range [][]Step{c.Late, c.AtRisk, c.Open} {
		slices.SortStableFunc(list, func(x, y Step) int {
			dx, dy := workflows.CalendarDate(x.Due), workflows.CalendarDate(y.Due)
			return dx.Compare(dy)
		})
	}
	return c
}
