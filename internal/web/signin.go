package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/sendflow/sendflow/internal/store"
)

// The parent's sign-in link (sent by POST /v1/auth/magic-link) lands on /parent/sign-in. Opening
// the link only shows a button — mail scanners open links, and must not use up the secret — and
// pressing it (a POST, no JavaScript) uses the link once and lists the parent's children, each
// with a plan link.

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	token := r.URL.Query().Get("token")
	if len(token) < 20 || len(token) > 200 {
		h.audit(r.Context(), "", "parent_sign_in:open", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "signin_failed", nil)
		return
	}
	h.render(w, http.StatusOK, "signin", &page{L: l, Title: l.T("signin_title"), Token: token})
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	token := formValue(r, "token")
	if len(token) < 20 || len(token) > 200 {
		h.audit(ctx, "", "parent_sign_in:create", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "signin_failed", nil)
		return
	}
	sum := sha256.Sum256([]byte(token)) // stored as in api/magiclink.go: a hash, never the secret
	userID, err := h.d.Store.UseMagicLink(ctx, hex.EncodeToString(sum[:]))
	if errors.Is(err, store.ErrNotFound) {
		h.audit(ctx, "", "parent_sign_in:create", "", "", "used_or_expired")
		h.problem(w, r, http.StatusGone, l, nil, "signin_failed", nil)
		return
	}
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	children, err := h.d.Store.ChildrenOf(ctx, userID)
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	p := &page{L: l, SignedIn: true}
	for i, c := range children {
		if i == 0 {
			if parent, err := h.d.Store.ParentOf(ctx, userID, c.PupilID); err == nil {
				p.L = localeFor(parent.Language)
			}
			p.School = c.SchoolName
		} else if c.SchoolName != p.School {
			p.School = ""
		}
		link, err := h.links.Plan(userID, c.PupilID, h.now())
		if err != nil {
			h.unavailable(w, r, l, nil, err)
			return
		}
		p.Children = append(p.Children, childLink{Link: link})
		h.audit(ctx, userID, "parent_sign_in:create", c.PupilID, c.SchoolID, "ok")
	}
	for i, c := range children {
		p.Children[i].Label = p.L.T("signed_in_plan", c.FirstName)
	}
	p.Title = p.L.T("signed_in_title")
	if len(children) == 0 {
		h.audit(ctx, userID, "parent_sign_in:create", "", "", "ok")
	}
	h.render(w, http.StatusOK, "signin", p)
}
