package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
)

// maxViewsLen is the most a parent may write in one box, in characters.
const maxViewsLen = actions.MaxViewsLen

func (h *Handler) viewsVisit(w http.ResponseWriter, r *http.Request, token string) (*visit, int, bool) {
	v, ok := h.open(w, r, token, onetap.ActionReviewViews, once)
	if !ok {
		return nil, 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v.claim.Ref, "cycle/"))
	if err != nil || n < 1 || !strings.HasPrefix(v.claim.Ref, "cycle/") {
		h.problem(w, r, http.StatusBadRequest, v.l, v.sc, "invalid", nil)
		return nil, 0, false
	}
	return v, n, true
}

func (h *Handler) viewsPageData(v *visit, token string) *page {
	return newPage(v.l, v.sc, page{Token: token, Title: v.l.T("views_title", v.pupil.FirstName), MaxLen: maxViewsLen})
}

// closedAfterReview answers for a cycle already reviewed: the form is closed with a sentence
// saying the review happened and how to share more (the school's contact, the plan page), and
// anything the parent had typed is shown back so it is not lost. It returns false when the
// review is still ahead.
func (h *Handler) closedAfterReview(w http.ResponseWriter, r *http.Request, v *visit, cycle int, status int, typed *page) bool {
	c, err := h.d.Store.Cycle(r.Context(), v.claim.Pupil, cycle)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false
	case err != nil:
		h.unavailable(w, r, v.l, v.sc, err)
		return true
	case c.Review == nil && c.Status != "reviewed":
		return false
	}
	p := h.viewsPageData(v, "")
	p.Closed = v.l.T("views_closed", v.pupil.FirstName)
	if c.Review != nil {
		p.Closed = v.l.T("views_closed_on", v.pupil.FirstName, v.l.ShortDate(c.Review.CreatedAt))
	}
	if link, err := h.links.Plan(v.claim.Parent, v.claim.Pupil, h.now()); err == nil {
		p.PlanLink = link
	}
	if typed != nil {
		p.GoingWell, p.Hard, p.WouldHelp = typed.GoingWell, typed.Hard, typed.WouldHelp
	}
	h.audit(r.Context(), v.claim.Parent, "parent_views:read", v.claim.Pupil, v.pupil.SchoolID, "closed")
	h.render(w, status, "views", p)
	return true
}

func (h *Handler) viewsPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, cycle, ok := h.viewsVisit(w, r, token)
	if !ok || h.closedAfterReview(w, r, v, cycle, http.StatusGone, nil) {
		return
	}
	h.audit(r.Context(), v.claim.Parent, "parent_views:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "views", h.viewsPageData(v, token))
}

func (h *Handler) viewsAnswer(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "t")
	v, cycle, ok := h.viewsVisit(w, r, token)
	if !ok {
		return
	}
	p := h.viewsPageData(v, token)
	clean := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	p.GoingWell, p.Hard, p.WouldHelp = clean(formValue(r, "going_well")), clean(formValue(r, "hard")), clean(formValue(r, "would_help"))
	if h.closedAfterReview(w, r, v, cycle, http.StatusConflict, p) {
		return
	}
	switch {
	case p.GoingWell == "" && p.Hard == "" && p.WouldHelp == "":
		p.Error = v.l.T("views_empty")
	case utf8.RuneCountInString(p.GoingWell) > maxViewsLen || utf8.RuneCountInString(p.Hard) > maxViewsLen || utf8.RuneCountInString(p.WouldHelp) > maxViewsLen:
		p.Error = v.l.T("views_too_long", maxViewsLen)
	}
	if p.Error != "" { // shown again with what they wrote; the link is not used up
		h.render(w, http.StatusUnprocessableEntity, "views", p)
		return
	}
	done := h.act(w, r, v, func(ctx context.Context, a actions.Actor, id string) error {
		_, err := h.d.Actions.GiveViews(ctx, a, actions.Views{ID: id, PupilID: v.claim.Pupil, Cycle: cycle,
			GoingWell: p.GoingWell, Hard: p.Hard, WouldHelp: p.WouldHelp})
		return err
	})
	if !done {
		return
	}
	p = h.viewsPageData(v, "")
	p.Done = v.l.T("views_done")
	h.render(w, http.StatusOK, "views", p)
}
