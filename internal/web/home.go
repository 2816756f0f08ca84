package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// A parent's home page (/parent?t=, reached by signing in): each of their children with the
// stage in plain words, the next dates, the plan, the meetings with their answer, and what the
// school has asked of them (consent, views, an answer to an invitation), each with its link; and
// the language their emails and pages are in. Without a token, /parent asks for their email
// address and sends a sign-in link.

// childHome is one child on the home page.
type childHome struct {
	Name, School, Stage string
	PlanLink            string
	PassportLink        string // the child's profile, "All about me", on the home page's token
	Dates               []string
	Meetings            []meetingHome
	Asks                []ask
}

// meetingHome is a meeting ahead: what, when and where, the parent's answer, and its link.
type meetingHome struct {
	Line, Answer, Link, LinkLabel string
}

// ask is something the school has asked the parent to do, with the link to do it.
type ask struct {
	Text, Link, LinkLabel string
}

// language is one language the pages and emails can be in.
type language struct {
	Tag, Name string
	Selected  bool
}

func (h *Handler) homePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	if token == "" {
		h.render(w, http.StatusOK, "signin", &page{L: l, Title: l.T("home_title"), Asking: true})
		return
	}
	c, ok := h.openHome(w, r, token)
	if !ok {
		return
	}
	h.renderHome(w, r, c, token)
}

// openHome checks a home token. When it returns false the answer has been written.
func (h *Handler) openHome(w http.ResponseWriter, r *http.Request, token string) (onetap.Claim, bool) {
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	c, err := h.links.signer.VerifyAction(token, onetap.ActionHome, h.now())
	switch {
	case errors.Is(err, onetap.ErrExpired):
		h.audit(r.Context(), c.Parent, "parent_home:read", "", "", "expired")
		h.render(
			w,
			http.StatusGone,
			"signin",
			&page{L: l, Title: l.T("home_title"), Asking: true, Error: l.T("home_expired")},
		)
		return c, false
	case err != nil || c.Pupil != onetap.AllChildren:
		h.audit(r.Context(), "", "parent_home:read", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "invalid", nil)
		return c, false
	}
	return c, true
}

func (h *Handler) renderHome(w http.ResponseWriter, r *http.Request, c onetap.Claim, token string) {
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	children, err := h.d.Store.ChildrenOf(ctx, c.Parent)
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	p := &page{L: l, Token: token, SignedIn: true}
	current := ""
	if len(children) > 0 {
		current = children[0].Language
		p.L = localeFor(current)
		if sc, err := h.d.Store.SchoolByID(ctx, children[0].SchoolID); err == nil {
			p = newPage(p.L, sc, *p)
		}
		for _, c := range children[1:] {
			if c.SchoolID != children[0].SchoolID { // children at two schools: no one school's footer
				p.School, p.Contact = "", nil
			}
		}
	}
	p.Title = p.L.T("home_title_signed_in")
	for _, child := range children {
		ch, err := h.childHome(ctx, p.L, c, token, child)
		if err != nil {
			h.unavailable(w, r, p.L, nil, err)
			return
		}
		p.Home = append(p.Home, ch)
		h.audit(ctx, c.Parent, "parent_home:read", child.PupilID, child.SchoolID, "ok")
	}
	if len(children) == 0 {
		h.audit(ctx, c.Parent, "parent_home:read", "", "", "ok")
	}
	for _, tag := range locale.Tags() {
		p.Languages = append(
			p.Languages,
			language{Tag: tag, Name: locales[tag].T("language_name"), Selected: localeFor(current).Tag == tag},
		)
	}
	h.render(w, http.StatusOK, "home", p)
}

// childHome gathers one child's part of the home page. The single-use links it offers are named
// by the home token, so the same page always offers the same links and each acts once.
func (h *Handler) childHome(
	ctx context.Context,
	l *words,
	home onetap.Claim,
	token string,
	child store.Child,
) (childHome, error) {
	f, err := h.loadChild(ctx, child.PupilID, child.FirstName)
	if err != nil {
		return childHome{}, err
	}
	now := h.now()
	ch := childHome{
		Name:   child.FirstName,
		School: child.SchoolName,
		Stage:  l.T("stage_" + string(f.Stage)),
		Dates:  nextDates(l, f, false),
	} // meetings have their own list
	if ch.PlanLink, err = h.links.Plan(home.Parent, child.PupilID, now); err != nil {
		return ch, err
	}
	ch.PassportLink = "/parent/passport?t=" + url.QueryEscape(token) + "&pupil=" + url.QueryEscape(child.PupilID)
	nonce := func(what string) string { return derivedNonce("home/"+child.PupilID+"/"+what, home.Nonce) }
	for _, it := range f.Items {
		if it.Kind != "referral" || it.Status != string(workflows.ReferralAwaitingConsent) {
			continue
		}
		ref := strings.TrimPrefix(it.ItemID, "referral/")
		link, err := h.links.consent(home.Parent, child.PupilID, ref, nonce("consent/"+ref), now.Add(ConsentLinkTTL))
		if err != nil {
			return ch, err
		}
		ch.Asks = append(
			ch.Asks,
			ask{
				Text:      l.T("ask_consent", child.FirstName),
				Link:      link,
				LinkLabel: l.T("consent_title", child.FirstName),
			},
		)
	}
	if f.Plan.Cycle > 0 && !f.Plan.Reviewed {
		n := itoa(f.Plan.Cycle)
		link, err := h.links.views(home.Parent, child.PupilID, f.Plan.Cycle, nonce("views/"+n), now.Add(ViewsLinkTTL))
		if err != nil {
			return ch, err
		}
		ch.Asks = append(
			ch.Asks,
			ask{Text: l.T("ask_views", child.FirstName), Link: link, LinkLabel: l.T("views_link")},
		)
	}
	for _, m := range f.meetingsAhead() {
		mh := meetingHome{Line: meetingLine(l, m, child.FirstName), LinkLabel: l.T("meeting_answer_link")}
		a, err := h.d.Store.LatestAnswer(ctx, home.Parent, m.ID)
		switch {
		case err == nil && a.Sequence == m.Sequence:
			mh.Answer, mh.LinkLabel = l.T("answered_"+a.Response), l.T("meeting_change_link")
		case err == nil, errors.Is(err, store.ErrNotFound):
			ch.Asks = append(ch.Asks, ask{Text: l.T("ask_meeting", meetingLine(l, m, child.FirstName))})
		default:
			return ch, err
		}
		if mh.Link, err = h.links.meeting(home.Parent, child.PupilID, m.ID, m.Sequence, nonce("meeting/"+m.ID+"/"+itoa(m.Sequence)), now.Add(MeetingLinkTTL)); err != nil {
			return ch, err
		}
		ch.Meetings = append(ch.Meetings, mh)
	}
	return ch, nil
}

// changeLanguage sets the language of every email and page the parent gets, for each of their
// children, through the service layer (audited), and shows the home page in it.
func (h *Handler) changeLanguage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := formValue(r, "t")
	c, ok := h.openHome(w, r, token)
	if !ok {
		return
	}
	lang := formValue(r, "language")
	if !locale.Has(lang) {
		h.problem(w, r, http.StatusBadRequest, localeFromHeader(r.Header.Get("Accept-Language")), nil, "bad_form", nil)
		return
	}
	children, err := h.d.Store.ChildrenOf(ctx, c.Parent)
	if err != nil {
		h.unavailable(w, r, localeFor(lang), nil, err)
		return
	}
	for _, child := range children {
		_, err := h.d.Actions.SetLanguage(ctx, actions.ParentActor(c.Parent, child.SchoolID, httpmw.RequestID(ctx)),
			actions.LanguageChoice{PupilID: child.PupilID, ParentID: c.Parent, Language: lang})
		if err != nil {
			h.unavailable(w, r, localeFor(lang), nil, err)
			return
		}
	}
	http.Redirect(w, r, "/parent?t="+url.QueryEscape(token), http.StatusSeeOther)
}
