package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// meetingVisit loads the meeting a link is for and checks the invitation is still the current
// one. When it returns false the problem page has been written.
func (h *Handler) meetingVisit(w http.ResponseWriter, r *http.Request, token string) (*visit, *store.Meeting, bool) {
	v, ok := h.open(w, r, token, onetap.ActionMeetingResponse, true)
	if !ok {
		return nil, nil, false
	}
	id, seq, ok := parseMeetingRef(v.claim.Ref)
	if !ok {
		h.problem(w, r, http.StatusBadRequest, v.l, v.sc, "invalid", nil)
		return nil, nil, false
	}
	m, err := h.d.Store.MeetingByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.PupilID != v.claim.Pupil) {
		h.audit(r.Context(), v.claim.Parent, "meeting:read", v.claim.Pupil, v.pupil.SchoolID, "not_found")
		h.problem(w, r, http.StatusNotFound, v.l, v.sc, "invalid", nil)
		return nil, nil, false
	}
	if err != nil {
		h.unavailable(w, r, v.l, v.sc, err)
		return nil, nil, false
	}
	switch {
	case m.Status == "cancelled":
		h.audit(r.Context(), v.claim.Parent, "meeting:read", v.claim.Pupil, v.pupil.SchoolID, "cancelled")
		h.problem(w, r, http.StatusGone, v.l, v.sc, "cancelled", nil)
		return nil, nil, false
	case m.Sequence != seq:
		h.audit(r.Context(), v.claim.Parent, "meeting:read", v.claim.Pupil, v.pupil.SchoolID, "replaced")
		h.problem(w, r, http.StatusGone, v.l, v.sc, "replaced", nil)
		return nil, nil, false
	}
	return v, m, true
}

func (h *Handler) meetingPageData(v *visit, m *store.Meeting, token string) *page {
	l := v.l
	end := m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute)
	p := newPage(l, v.sc, page{Token: token, Title: l.T("meeting_title_"+m.Kind, v.pupil.FirstName),
		When: l.T("meeting_time", l.Date(m.StartsAt), l.Clock(m.StartsAt), l.Clock(end)), Where: m.Location})
	if m.Kind == string(workflows.MeetingReview) && m.Cycle > 0 {
		// The views link offered here is the same every time this page is shown, so it stays
		// single-use however often the invitation is opened.
		if link, err := h.links.views(v.claim.Parent, v.claim.Pupil, m.Cycle, derivedNonce("views", v.claim.Nonce), v.claim.Expires); err == nil {
			p.ViewsLink = link
		}
	}
	return p
}

func (h *Handler) meetingPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, m, ok := h.meetingVisit(w, r, token)
	if !ok {
		return
	}
	h.audit(r.Context(), v.claim.Parent, "meeting:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "meeting", h.meetingPageData(v, m, token))
}

func (h *Handler) meetingAnswer(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "t")
	v, m, ok := h.meetingVisit(w, r, token)
	if !ok {
		return
	}
	answer := workflows.ParentResponseKind(formValue(r, "response"))
	switch answer {
	case workflows.ResponseAccepted, workflows.ResponseDeclined, workflows.ResponseAnotherTime:
	default:
		h.problem(w, r, http.StatusBadRequest, v.l, v.sc, "bad_form", nil)
		return
	}
	done := h.act(w, r, v, func(ctx context.Context, a actions.Actor, id string) error {
		_, err := h.d.Actions.AnswerMeeting(ctx, a, actions.MeetingAnswer{ID: id, PupilID: v.claim.Pupil, MeetingID: m.ID,
			Sequence: m.Sequence, Response: string(answer)})
		return err
	})
	if !done {
		return
	}
	p := h.meetingPageData(v, m, "")
	p.Done = v.l.T("done_" + string(answer))
	h.render(w, http.StatusOK, "meeting", p)
}
