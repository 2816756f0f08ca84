package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
)

// The child's profile, "All about me" (/parent/passport?t=<home token>&pupil=<id>), reached from
// the parent's home page: the latest version (what people like and admire about the child, what
// is important to them, how best to support them) and a form, filled with it, to add the
// parent's words. A save is a new version through the service layer, as staff save one, with
// the parent as its author. The save's id is named by the home page's session, the child, the
// version the form was filled from and the words sent, so the same form sent twice saves one
// version, and other words save another. A child who is not the parent's is not found.

// passportView is the profile as the page shows it.
type passportView struct {
	PupilID, Name             string
	Version                   int
	SavedOn, SavedBy          string
	Liked, Important, Support string
	Base                      string // the version the form was filled from ("" for none)
	HomeLink                  string
	Saved                     bool
	ErrorFor                  string // the box an error is about, for its link
}

// passportVisit is a request about one child's profile, made with the home page's token.
type passportVisit struct {
	home    onetap.Claim
	pupilID string
	actor   actions.Actor
	sc      *store.School
	l       *words
}

// openPassport checks the home token and that the child is the parent's. When it returns false
// the answer has been written and audited.
func (h *Handler) openPassport(w http.ResponseWriter, r *http.Request, token, pupilID string) (*passportVisit, bool) {
	c, ok := h.openHome(w, r, token)
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	var parent *store.ParentOfPupil
	_, err := uuid.Parse(pupilID)
	if err == nil {
		parent, err = h.d.Store.ParentOf(ctx, c.Parent, pupilID)
	} else {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		h.audit(ctx, c.Parent, "passport:read", "", "", "not_found")
		h.problem(w, r, http.StatusNotFound, l, nil, "notfound", nil)
		return nil, false
	}
	var pupil *store.Pupil
	var sc *store.School
	if err == nil {
		l = localeFor(parent.Language)
		if pupil, err = h.d.Store.PupilByID(ctx, pupilID); err == nil {
			sc, err = h.d.Store.SchoolByID(ctx, pupil.SchoolID)
		}
	}
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return nil, false
	}
	return &passportVisit{home: c, pupilID: pupilID, sc: sc, l: l,
		actor: actions.ParentActor(c.Parent, pupil.SchoolID, httpmw.RequestID(ctx))}, true
}

// passportData reads the profile through the service layer (which audits the read).
func (h *Handler) passportData(
	w http.ResponseWriter,
	r *http.Request,
	v *passportVisit,
	token string,
) (*page, bool) {
	a, sc, l := v.actor, v.sc, v.l
	pupil, versions, _, err := h.d.Actions.Passports(r.Context(), a, v.pupilID)
	var notFound *actions.NotFound
	switch {
	case errors.As(err, &notFound):
		h.problem(w, r, http.StatusNotFound, l, sc, "notfound", nil)
		return nil, false
	case err != nil:
		h.unavailable(w, r, l, sc, err)
		return nil, false
	}
	p := newPage(l, sc, page{Token: token, Title: l.T("passport_title", pupil.FirstName), MaxLen: actions.PassportMax})
	pv := &passportView{PupilID: pupil.ID, Name: pupil.FirstName,
		HomeLink: "/parent?t=" + url.QueryEscape(token)}
	if len(versions) > 0 {
		v := versions[0]
		pv.Version, pv.SavedOn, pv.Base = v.Version, l.ShortDate(v.SavedAt), v.ID
		pv.Liked, pv.Important, pv.Support = v.Liked, v.Important, v.Support
		pv.SavedBy = v.SavedByName
		if v.SavedBy == a.Principal.User.ID {
			pv.SavedBy = l.T("passport_by_you")
		}
	}
	p.Passport = pv
	return p, true
}

func (h *Handler) passportPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, ok := h.openPassport(w, r, token, r.URL.Query().Get("pupil"))
	if !ok {
		return
	}
	p, ok := h.passportData(w, r, v, token)
	if !ok {
		return
	}
	h.render(w, http.StatusOK, "passport", p)
}

func (h *Handler) passportSave(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "t")
	pupilID := formValue(r, "pupil")
	v, ok := h.openPassport(w, r, token, pupilID)
	if !ok {
		return
	}
	l := v.l
	clean := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	liked, important, support := clean(formValue(r, "liked")), clean(formValue(r, "important")),
		clean(formValue(r, "support"))
	base := formValue(r, "base")
	shown := func(status int, msg string) {
		first := "liked" // the first box that is empty or too long
		for _, b := range []struct{ id, text string }{{"liked", liked}, {"important", important}, {"support", support}} {
			if b.text == "" || utf8.RuneCountInString(b.text) > actions.PassportMax {
				first = b.id
				break
			}
		}
		p, ok := h.passportData(w, r, v, token)
		if !ok {
			return
		}
		p.Error, p.Passport.ErrorFor = msg, first
		p.Passport.Liked, p.Passport.Important, p.Passport.Support = liked, important, support
		h.render(w, status, "passport", p)
	}
	switch {
	case liked == "" || important == "" || support == "":
		shown(http.StatusUnprocessableEntity, l.T("passport_empty"))
		return
	case utf8.RuneCountInString(liked) > actions.PassportMax ||
		utf8.RuneCountInString(important) > actions.PassportMax ||
		utf8.RuneCountInString(support) > actions.PassportMax:
		shown(http.StatusUnprocessableEntity, l.T("passport_too_long", actions.PassportMax))
		return
	}
	// The save's id: this session, this child, the version the form was filled from and the words
	// sent. The same form sent again is the same save; other words from the same form are another.
	what := strings.Join([]string{"passport", pupilID, base, liked, important, support}, "\x00")
	id := uuid.NewSHA1(linkIDs, []byte(derivedNonce(what, v.home.Nonce))).String()
	_, _, err := h.d.Actions.SavePassport(r.Context(), v.actor, actions.PassportSave{ID: id, PupilID: pupilID,
		Liked: liked, Important: important, Support: support})
	var (
		notFound *actions.NotFound
		bad      *actions.Invalid
	)
	switch {
	case errors.As(err, &notFound):
		h.problem(w, r, http.StatusNotFound, l, v.sc, "notfound", nil)
		return
	case errors.As(err, &bad):
		shown(http.StatusUnprocessableEntity, l.T("passport_invalid"))
		return
	case err != nil:
		h.unavailable(w, r, l, v.sc, err)
		return
	}
	p, ok := h.passportData(w, r, v, token)
	if !ok {
		return
	}
	p.Passport.Saved = true
	p.Done = l.T("passport_done", p.Passport.Name)
	h.render(w, http.StatusOK, "passport", p)
}
