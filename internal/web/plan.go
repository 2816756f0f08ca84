package web

import (
	"net/http"

	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// planPage shows the current plan's outcomes and provision in the school's words, the result of
// the last review, the steps of an EHC needs assessment or plan, and the next dates. A plan link
// may be opened as often as the parent likes until it expires; each opening is audited.
func (h *Handler) planPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, ok := h.open(w, r, r.URL.Query().Get("t"), onetap.ActionViewPlan, reusable)
	if !ok {
		return
	}
	f, err := h.loadChild(ctx, v.claim.Pupil, v.pupil.FirstName)
	if err != nil {
		h.unavailable(w, r, v.l, v.sc, err)
		return
	}
	p := newPage(v.l, v.sc, page{Title: v.l.T("plan_title", v.pupil.FirstName), Until: v.l.ShortDate(v.claim.Expires)})
	fillPlan(p, f)
	h.audit(ctx, v.claim.Parent, "plan:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "plan", p)
}

// fillPlan puts what the parent should know of a child's support on a page: the plan, the last
// review, the statutory steps and the next dates, in the page's language.
func fillPlan(p *page, f *childFacts) {
	l := p.L
	p.Pupil, p.Plan, p.PlanReview = f.FirstName, f.Plan, reviewSentence(l, f.Plan, f.Today)
	if rv := f.Plan.LastReview; rv != nil {
		view := &reviewView{Cycle: rv.Cycle, On: l.ShortCalendarDate(rv.ReviewedOn)}
		for _, o := range rv.Outcomes {
			rating := "rating_none"
			if o.Rating != "" {
				rating = "rating_" + o.Rating
			}
			view.Outcomes = append(view.Outcomes, store.PlanItem{Text: o.Text, Rating: l.T(rating)})
		}
		switch workflows.NextStep(rv.NextStep) {
		case workflows.NextStepDown:
			view.Agreed = l.T("next_step_down", f.FirstName)
		case workflows.NextRefer:
			view.Agreed = l.T("next_refer")
		case workflows.NextRequestEHCNA:
			view.Agreed = l.T("next_request_ehcna")
		default:
			view.Agreed = l.T("next_continue")
		}
		p.Review = view
	}
	p.Statutory = statutorySteps(l, f)
	p.Dates = nextDates(l, f, true)
}
