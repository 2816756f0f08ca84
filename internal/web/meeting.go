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
	v, ok := h.open(w, r, token, onetap.ActionMeetingResponse, onceShowingAnswer)
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

// choice is one answer button.
type choice struct{ Value, Label string }

var answers = []workflows.ParentResponseKind{
	workflows.ResponseAccepted,
	workflows.ResponseDeclined,
	workflows.ResponseAnotherTime,
}

// meetingPageData is the meeting with the ways to answer. Once the parent has answered with this
// link, it shows the answer and, while the meeting is ahead, a form to change it (with a link of
// its own, so each change is recorded once); the views link stays while the plan is not reviewed.
func (h *Handler) meetingPageData(ctx context.Context, v *visit, m *store.Meeting, token string) (*page, error) {
	l := v.l
	end := m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute)
	p := newPage(l, v.sc, page{Token: token, Title: l.T("meeting_title_"+m.Kind, v.pupil.FirstName),
		When: l.T("meeting_time", l.Date(m.StartsAt), l.Clock(m.StartsAt), l.Clock(end)), Where: m.Location})
	for _, a := range answers {
		p.Choices = append(p.Choices, choice{Value: string(a), Label: l.T("answer_" + string(a))})
	}
	if m.Kind == string(workflows.MeetingReview) && m.Cycle > 0 {
		c, err := h.d.Store.Cycle(ctx, v.claim.Pupil, m.Cycle)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		// The views link offered here is the same every time this page is shown, so it stays
		// single-use however often the invitation is opened.
		if c == nil || c.Review == nil {
			if link, err := h.links.views(v.claim.Parent, v.claim.Pupil, m.Cycle, derivedNonce("views", v.claim.Nonce), v.claim.Expires); err == nil {
				p.ViewsLink = link
			}
		}
	}
	a, err := h.d.Store.LatestAnswer(ctx, v.claim.Parent, m.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	answered := ""
	if err == nil && a.Sequence == m.Sequence {
		answered = l.T("answered_"+a.Response) + " " + l.T("answered_on", l.ShortDate(a.At))
	}
	if !v.used { // answered already from another link (the home page): say so above the buttons
		p.SoFar = answered
		return p, nil
	}
	p.Token, p.Answered = "", l.T("answered_unknown")
	if answered != "" {
		p.Answered = answered
		p.Choices = withoutChoice(p.Choices, a.Response)
	}
	today, err := h.today(ctx, v.claim.Pupil)
	if err != nil {
		return nil, err
	}
	if m.StartsAt.After(today) {
		if p.ChangeToken, err = h.changeToken(ctx, v); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func withoutChoice(cs []choice, value string) []choice {
	var out []choice
	for _, c := range cs {
		if c.Value != value {
			out = append(out, c)
		}
	}
	return out
}

// changeToken is the link that changes an answer given with v's link: the first of a chain of
// links derived from it that has not been used, so the same page offers the same change and
// each change is recorded once.
func (h *Handler) changeToken(ctx context.Context, v *visit) (string, error) {
	nonce := v.claim.Nonce
	for range 50 {
		nonce = derivedNonce("change", nonce)
		used, err := h.d.Store.LinkUsed(ctx, nonce)
		if err != nil {
			return "", err
		}
		if !used {
			c := v.claim
			c.Nonce = nonce
			return h.links.signer.Sign(c)
		}
	}
	return "", nil // fifty changes: ask the school
}

func (h *Handler) meetingPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, m, ok := h.meetingVisit(w, r, token)
	if !ok {
		return
	}
	p, err := h.meetingPageData(r.Context(), v, m, token)
	if err != nil {
		h.unavailable(w, r, v.l, v.sc, err)
		return
	}
	h.audit(r.Context(), v.claim.Parent, "meeting:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "meeting", p)
}

func (h *Handler) meetingAnswer(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "t")
	v, m, ok := h.meetingVisit(w, r, token)
	if !ok {
		return
	}
	if v.used { // a second tap of a spent link: nothing changes, and the page says what was answered
		h.audit(r.Context(), v.claim.Parent, "meeting_response:create", v.claim.Pupil, v.pupil.SchoolID, "used")
		p, err := h.meetingPageData(r.Context(), v, m, "")
		if err != nil {
			h.unavailable(w, r, v.l, v.sc, err)
			return
		}
		p.UsedNotice = true
		h.render(w, http.StatusGone, "meeting", p)
		return
	}
	answer := workflows.ParentResponseKind(formValue(r, "response"))
	if !answer.Valid() {
		h.problem(w, r, http.StatusBadRequest, v.l, v.sc, "bad_form", nil)
		return
	}
	done := h.act(w, r, v, func(ctx context.Context, a actions.Actor, id string) error {
		_, err := h.d.Actions.AnswerMeeting(
			ctx,
			a,
			actions.MeetingAnswer{ID: id, PupilID: v.claim.Pupil, MeetingID: m.ID,
				Sequence: m.Sequence, Response: string(answer)},
		)
		return err
	})
	if !done {
		return
	}
	p, err := h.meetingPageData(r.Context(), v, m, "")
	if err != nil {
		h.unavailable(w, r, v.l, v.sc, err)
		return
	}
	p.Answered, p.ChangeToken = "", ""
	p.Done = v.l.T("done_" + string(answer))
	h.render(w, http.StatusOK, "meeting", p)
}
