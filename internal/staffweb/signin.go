package staffweb

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/store"
)

type signInData struct {
	Next       string
	Ended      bool // the session ended (timed out)
	Kept       bool // a form sent after it ended is kept
	Configured bool
	Dev        bool
	Problem    string
}

// localPath accepts only a path on this site to return to after signing in, so a link cannot
// send someone elsewhere once they have signed in.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// signInPage says what signing in is and offers the button. Someone signed in goes on.
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if h.sessionUser(r) != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d := signInData{
		Next:       next,
		Ended:      r.URL.Query().Get("ended") == "1",
		Configured: h.d.SignIn != nil,
		Dev:        h.d.DevSignIn,
		Kept:       h.sessions.GetString(r.Context(), keyDraft) != "",
	}
	status := http.StatusOK
	if !d.Configured {
		status = http.StatusServiceUnavailable
	}
	h.render(w, r, status, "signin", &page{Title: "Sign in to sendflow", Data: d})
}

// signInStart sends the browser to the identity provider, keeping in the session what it must
// send back.
func (h *Handler) signInStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	next := localPath(r.PostFormValue("next"))
	if h.d.SignIn == nil {
		h.signInPage(w, r)
		return
	}
	s, err := h.d.SignIn.Begin(ctx)
	if err != nil {
		h.d.Logger.Error("staff sign-in: identity provider", "error", err)
		h.render(
			w,
			r,
			http.StatusServiceUnavailable,
			"signin",
			&page{Title: "Sign in to sendflow", Data: signInData{Next: next, Configured: true, Dev: h.d.DevSignIn,
				Problem: "Your school's sign-in service is not answering just now. Try again in a minute; if it keeps happening, tell your IT support."}},
		)
		return
	}
	h.sessions.Put(ctx, keyState, s.State)
	h.sessions.Put(ctx, keyNonce, s.Nonce)
	h.sessions.Put(ctx, keyVerifier, s.Verifier)
	h.sessions.Put(ctx, keyNext, next)
	http.Redirect(w, r, s.URL, http.StatusSeeOther)
}

// signInCallback finishes signing in when the provider sends the browser back: the state must
// match this browser's sign-in, the code is exchanged with its PKCE verifier, and the ID token
// must carry its nonce. The person must be a sendflow user with a staff role.
func (h *Handler) signInCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	start := &auth.Start{State: h.sessions.PopString(ctx, keyState), Nonce: h.sessions.PopString(ctx, keyNonce),
		Verifier: h.sessions.PopString(ctx, keyVerifier)}
	next := localPath(h.sessions.PopString(ctx, keyNext))
	again := func(status int, problem string) {
		h.render(
			w,
			r,
			status,
			"signin",
			&page{
				Title: "Sign in to sendflow",
				Data:  signInData{Next: next, Configured: h.d.SignIn != nil, Dev: h.d.DevSignIn, Problem: problem},
			},
		)
	}
	if h.d.SignIn == nil {
		again(http.StatusServiceUnavailable, "")
		return
	}
	if e := q.Get("error"); e != "" {
		h.audit(r, nil, "session:create", "refused")
		again(
			http.StatusUnauthorized,
			"Your school's sign-in service did not sign you in. Try again; if it keeps happening, tell your IT support.",
		)
		return
	}
	if start.State == "" || q.Get("state") != start.State || q.Get("code") == "" {
		// An old or copied link, another tab's sign-in, or a forgery: start again.
		again(http.StatusBadRequest, "This sign-in was started in another tab or took too long. Sign in again.")
		return
	}
	email, err := h.d.SignIn.Finish(ctx, start, q.Get("code"))
	switch {
	case errors.Is(err, auth.ErrProviderUnavailable):
		h.d.Logger.Error("staff sign-in: identity provider", "error", err)
		again(
			http.StatusServiceUnavailable,
			"Your school's sign-in service is not answering just now. Try again in a minute.",
		)
		return
	case err != nil:
		h.d.Logger.Warn("staff sign-in refused", "error", err)
		h.audit(r, nil, "session:create", "refused")
		again(http.StatusUnauthorized, "Your school's sign-in could not be checked. Sign in again.")
		return
	}
	u, err := h.d.Store.UserByEmail(ctx, email)
	var p *store.Principal
	if err == nil {
		p, err = h.d.Store.LoadPrincipal(ctx, u)
	}
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && !isStaff(p)):
		h.audit(r, p, "session:create", "denied")
		again(
			http.StatusForbidden,
			"Your account is not set up in sendflow for staff. Ask your SENDCo or school administrator to add you. Parents and carers use the link in their email.",
		)
		return
	case err != nil:
		h.unavailable(w, r, err)
		return
	}
	// A new session token on signing in, so a token planted before cannot be used after.
	if err := h.sessions.RenewToken(ctx); err != nil {
		h.unavailable(w, r, err)
		return
	}
	h.sessions.Put(ctx, keyUser, p.ID)
	h.sessions.Put(ctx, keySignedIn, h.now().Unix())
	h.audit(r, p, "session:create", "ok")
	h.d.Logger.Info("staff signed in", "user_id", p.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut ends the session.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if uid := h.sessionUser(r); uid != "" {
		h.audit(r, &store.Principal{User: store.User{ID: uid}}, "session:delete", "ok")
	}
	if err := h.sessions.Destroy(ctx); err != nil {
		h.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}

func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signedout", &page{Title: "You have signed out"})
}

// audit records signing in and out (no pupil).
func (h *Handler) audit(r *http.Request, p *store.Principal, action, outcome string) {
	role := "staff"
	if p == nil {
		role = "unknown"
	}
	h.d.Actions.Audit(
		r.Context(),
		actions.Actor{Principal: p, RequestID: httpmw.RequestID(r.Context())},
		role,
		action,
		"",
		"",
		outcome,
	)
}
