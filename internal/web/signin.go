package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
)

// Getting in. A parent reaches their home page (/parent) with an emailed sign-in link: /parent
// asks for their email address and sends one (the same answer for every address); the link
// lands on /parent/sign-in, which only shows a button — mail scanners open links, and must not
// use up the secret — and pressing it (a POST, no JavaScript) uses the link once and sends the
// browser to their home page. An expired link of any kind offers to email a new sign-in link to
// the parent it was for.

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

// signIn uses a sign-in link (token) or, from the /parent form, asks for one (email).
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if formValue(r, "token") == "" && r.PostForm.Has("email") {
		h.askForLink(w, r)
		return
	}
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	token := formValue(r, "token")
	if len(token) < 20 || len(token) > 200 {
		h.audit(ctx, "", "parent_sign_in:create", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "signin_failed", nil)
		return
	}
	userID, err := h.d.Store.UseMagicLink(ctx, store.MagicLinkHash(token)) // a hash is stored, never the secret
	if errors.Is(err, store.ErrNotFound) {
		h.audit(ctx, "", "parent_sign_in:create", "", "", "used_or_expired")
		h.problem(w, r, http.StatusGone, l, nil, "signin_failed", nil)
		return
	}
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	home, err := h.links.home(userID, h.now())
	if err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	h.audit(ctx, userID, "parent_sign_in:create", "", "", "ok")
	// See Other: the home page is fetched with GET, so reloading it never reposts the link.
	http.Redirect(w, r, "/parent?t="+url.QueryEscape(home), http.StatusSeeOther)
}

// askForLink sends a sign-in link to the address typed, if it is a parent's, and answers the
// same whether or not it is.
func (h *Handler) askForLink(w http.ResponseWriter, r *http.Request) {
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	addr := strings.TrimSpace(formValue(r, "email"))
	if _, err := input.Email(addr); err != nil {
		h.render(
			w,
			http.StatusUnprocessableEntity,
			"signin",
			&page{L: l, Title: l.T("home_title"), Asking: true, Email: addr,
				Error: l.T("email_invalid")},
		)
		return
	}
	// Only queued, as the API does: the worker looks the address up after this answer, so the
	// page answers alike, and as fast, for every address (internal/signin).
	if err := h.d.Store.QueueSignIn(r.Context(), addr); err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	h.audit(r.Context(), "", "parent_sign_in:request", "", "", "ok")
	h.render(
		w,
		http.StatusOK,
		"signin",
		&page{L: l, Title: l.T("home_title"), Asking: true, Done: l.T("link_on_its_way")},
	)
}

// newLink emails a fresh sign-in link to the parent an expired (or any authentic) link was for.
func (h *Handler) newLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	c, err := h.links.signer.Verify(formValue(r, "t"), h.now())
	if err != nil && !errors.Is(err, onetap.ErrExpired) {
		h.audit(ctx, "", "parent_sign_in:request", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "invalid", nil)
		return
	}
	if children, err := h.d.Store.ChildrenOf(ctx, c.Parent); err == nil && len(children) > 0 {
		if parent, err := h.d.Store.ParentOf(ctx, c.Parent, children[0].PupilID); err == nil {
			l = localeFor(parent.Language)
		}
	}
	if err := h.signIns.ToParent(ctx, c.Parent); err != nil {
		h.unavailable(w, r, l, nil, err)
		return
	}
	h.audit(ctx, c.Parent, "parent_sign_in:request", "", "", "ok")
	h.render(
		w,
		http.StatusOK,
		"signin",
		&page{L: l, Title: l.T("new_link_title"), Asking: true, Done: l.T("new_link_sent")},
	)
}
