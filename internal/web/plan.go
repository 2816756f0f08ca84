package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// planPage shows the current plan's outcomes and provision in the school's words, the result of
// the last review, and the next dates. A plan link may be opened as often as the parent likes
// until it expires; each opening is audited.
func (h *Handler) planPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, ok := h.open(w, r, r.URL.Query().Get("t"), onetap.ActionViewPlan, false)
	if !ok {
		return
	}
	l := v.l
	plan, err := h.d.Store.PlanSummaryFor(ctx, v.claim.Pupil)
	if err != nil {
		h.unavailable(w, r, l, v.sc, err)
		return
	}
	// "Now" on the pathway's calendar (the same as the real date unless time is compressed).
	today := h.now()
	pw, err := h.d.Store.Pathway(ctx, v.claim.Pupil)
	if err == nil {
		var st workflows.PathwayState
		if json.Unmarshal(pw.Pathway.State, &st) == nil {
			today = st.Clock.Now(today)
		}
	} else if errors.Is(err, store.ErrNotFound) {
		pw = &store.PathwayView{}
	} else {
		h.unavailable(w, r, l, v.sc, err)
		return
	}
	meetings, err := h.d.Store.UpcomingMeetings(ctx, v.claim.Pupil, today)
	if err != nil {
		h.unavailable(w, r, l, v.sc, err)
		return
	}

	p := newPage(l, v.sc, page{Title: l.T("plan_title", v.pupil.FirstName), Pupil: v.pupil.FirstName, Plan: plan,
		Until: l.ShortDate(v.claim.Expires)})
	if rv := plan.LastReview; rv != nil {
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
			view.Agreed = l.T("next_step_down", v.pupil.FirstName)
		case workflows.NextRefer:
			view.Agreed = l.T("next_refer")
		case workflows.NextRequestEHCNA:
			view.Agreed = l.T("next_request_ehcna")
		default:
			view.Agreed = l.T("next_continue")
		}
		p.Review = view
	}
	// Next dates: booked meetings, and the review of the current plan if it is still ahead.
	type dated struct {
		at   time.Time
		text string
	}
	var dates []dated
	reviewBooked := false
	for _, m := range meetings {
		end := m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute)
		dates = append(dates, dated{m.StartsAt, l.T("meeting_title_"+m.Kind, v.pupil.FirstName) + ": " +
			l.T("meeting_time", l.Date(m.StartsAt), l.Clock(m.StartsAt), l.Clock(end)) + ". " + l.T("where") + ": " + m.Location})
		if m.Kind == string(workflows.MeetingReview) && m.Cycle == plan.Cycle {
			reviewBooked = true
		}
	}
	if plan.Cycle > 0 && !plan.Reviewed && !reviewBooked && !plan.ReviewDate.Before(today.Truncate(24*time.Hour)) {
		dates = append(dates, dated{plan.ReviewDate, l.T("date_review") + ": " + l.CalendarDate(plan.ReviewDate)})
	}
	// The statutory side (an EHC needs assessment, an EHC plan's annual reviews): what has happened
	// and the time limits still ahead, so the emails about it have somewhere to point.
	for _, e := range pw.Timeline {
		if statutory(e.Source) || strings.HasPrefix(e.Kind, "ehc") { // the pathway's own EHC steps: requested, decided, issued
			p.Statutory = append(p.Statutory, l.ShortCalendarDate(e.At)+": "+e.Summary)
		}
	}
	for _, d := range pw.Deadlines {
		if statutory(d.ItemID) && !d.Due.Before(today.Truncate(24*time.Hour)) {
			dates = append(dates, dated{d.Due, l.T("time_limit", d.Label, l.ShortCalendarDate(d.Due))})
		}
	}
	slices.SortStableFunc(dates, func(a, b dated) int { return a.at.Compare(b.at) })
	for _, d := range dates {
		p.Dates = append(p.Dates, d.text)
	}
	h.audit(ctx, v.claim.Parent, "plan:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "plan", p)
}

// statutory reports whether a pathway item is part of the statutory process.
func statutory(itemID string) bool {
	return strings.HasPrefix(itemID, "ehc/") || strings.HasPrefix(itemID, "annual-review/")
}
