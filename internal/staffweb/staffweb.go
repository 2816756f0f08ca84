// Package staffweb serves the pages staff work in: teachers, SENDCos, heads, trust admins, LA
// officers and agency practitioners sign in with the school's identity provider and do their part
// of the pathway in a browser. The pages are another surface over the service layer (package
// actions) and the read model, like the JSON API: every action goes through actions (authorize,
// check, propose, the workflow, audit) and every read of a pupil is authorized and audited the
// way the API's are. They are server-rendered GOV.UK Frontend pages (without GOV.UK branding)
// that work without JavaScript and on a phone; the style sheet and script are in the binary.
//
// Sessions are kept in PostgreSQL (alexedwards/scs): the cookie is HttpOnly, Secure and
// SameSite=Lax, sessions end after a time without use and after a longest time, and a form sent
// after its session ended is kept to be sent again after signing in. Forms are protected from
// other sites by net/http's CrossOriginProtection. Each form carries the id of its action, so a
// double click or a form sent again is recorded once.
package staffweb

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
)

// Deps are what the pages need.
type Deps struct {
	Store   *store.Store
	DB      *pgxpool.Pool
	Actions *actions.Service
	Authz   *policies.Authorizer
	// SignIn is the school's identity provider; nil when none is configured (the sign-in page
	// then says so).
	SignIn *auth.CodeFlow
	// DevSignIn says the identity provider is the one `sendflow dev` runs.
	DevSignIn bool
	PublicURL string
	// SessionIdle and SessionMax end sessions after a time without use and after a longest time.
	SessionIdle, SessionMax time.Duration
	Logger                  *slog.Logger
}

// Handler serves the staff pages, their assets and the sign-in.
type Handler struct {
	d        Deps
	sessions *scs.SessionManager
	store    *sessionStore
	mux      *http.ServeMux
	csrf     *http.CrossOriginProtection
	pages    map[string]*template.Template
	csp      string
	now      func() time.Time
	docs     *docsData
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets/*.css assets/*.js assets/*.mjs assets/VERSION
var assetFiles embed.FS

// New builds the staff pages.
func New(d Deps) (*Handler, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.SessionIdle == 0 {
		d.SessionIdle = time.Hour
	}
	if d.SessionMax == 0 {
		d.SessionMax = 12 * time.Hour
	}
	h := &Handler{d: d, now: time.Now}
	h.store = newSessionStore(d.DB, d.Logger)
	h.sessions = scs.New()
	h.sessions.Store = h.store
	h.sessions.IdleTimeout = d.SessionIdle
	h.sessions.Lifetime = d.SessionMax
	h.sessions.Cookie.Name = sessionCookie
	h.sessions.Cookie.HttpOnly = true
	h.sessions.Cookie.Secure = true
	// Lax, not Strict: a link in a staff email opens the page signed in; forms are protected
	// from other sites by CrossOriginProtection.
	h.sessions.Cookie.SameSite = http.SameSiteLaxMode
	h.sessions.Cookie.Persist = false
	h.sessions.Cookie.Path = "/"
	h.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.d.Logger.Error("staff pages: session store", "error", err)
		h.problem(
			w,
			r,
			http.StatusServiceUnavailable,
			"Sorry, sendflow cannot reach its database just now",
			"Try again in a minute. Nothing you sent has been lost if you send it again.",
		)
	}

	h.csrf = http.NewCrossOriginProtection()
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.d.Logger.Warn("staff pages: cross-origin form refused", "path", r.URL.Path)
		h.problem(
			w,
			r,
			http.StatusForbidden,
			"This form was sent from another website",
			"sendflow only takes forms sent from its own pages, so another site cannot act in your name. Nothing was changed. Open the page in sendflow and send the form from there.",
		)
	}))
	formAction := "'self'"
	if d.SignIn != nil {
		if u, err := url.Parse(d.SignIn.Issuer); err == nil && u.Host != "" {
			formAction += " " + u.Scheme + "://" + u.Host // the sign-in form's redirect goes there
		}
	}
	h.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action " + formAction +
		"; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

	if err := h.parseTemplates(); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

// Close stops the session store's cleanup.
func (h *Handler) Close() { h.store.close() }

func (h *Handler) routes() {
	m := http.NewServeMux()
	// Forms and pages for a signed-in person.
	m.HandleFunc("GET /{$}", h.staff(h.home))
	m.HandleFunc("GET /pupils", h.staff(h.pupilList))
	m.HandleFunc("GET /pupils/{pupil}", h.staff(h.pupilPage))
	m.HandleFunc("GET /pupils/{pupil}/records", h.staff(h.recordsPage))
	h.pupilForms(m)
	h.referralPages(m)
	h.statutoryPages(m)
	h.transferPages(m)
	h.passportPages(m)
	h.bundlePages(m)
	h.registerPages(m)
	h.provisionPages(m)
	h.ehcProvisionForms(m)
	h.termPages(m)
	// Signing in and out.
	m.HandleFunc("GET /sign-in", h.signInPage)
	m.HandleFunc("POST /sign-in", h.signInStart)
	m.HandleFunc("GET /sign-in/callback", h.signInCallback)
	m.HandleFunc("POST /sign-out", h.signOut)
	m.HandleFunc("GET /signed-out", h.signedOut)
	m.HandleFunc("GET /docs", h.docsPage)
	m.HandleFunc("/", h.notFound)
	h.mux = m
}

const sessionCookie = "sendflow_session"

// ServeHTTP serves a staff page or asset. Assets need no session; every page gets its content
// security policy, the session and (for anything but GET and HEAD) the cross-origin
// check.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/assets/") || r.URL.Path == "/favicon.ico" {
		h.asset(w, r)
		return
	}
	// The security headers and the request id come from the middleware every surface sits behind
	// (internal/httpmw); the pages add their own policy, for their style sheet and scripts.
	w.Header().Set("Content-Security-Policy", h.csp)
	switch {
	case isUpload(r): // a record file from another school
		r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
	case r.Method == http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	}
	h.sessions.LoadAndSave(h.csrf.Handler(h.mux)).ServeHTTP(w, r)
}

// asset serves the embedded style sheet and scripts. Their addresses carry the GOV.UK Frontend
// version and a build number, so browsers may keep them.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/favicon.ico" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/assets/")
	b, err := fs.ReadFile(assetFiles, "assets/"+name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"), strings.HasSuffix(name, ".mjs"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == assetVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(b)
}

// assetVersion names this build's assets: a new build of the style sheet or scripts gets a
// new address, so a cached old one is never used.
var assetVersion = func() string {
	v, _ := fs.ReadFile(assetFiles, "assets/VERSION")
	return strings.TrimSpace(string(v)) + "-1"
}()

// visit is a signed-in person's request.
type visit struct {
	p     *store.Principal
	actor actions.Actor
	r     *http.Request
}

func (v *visit) ctx() context.Context { return v.r.Context() }

// staff wraps a page that needs a signed-in member of staff. Someone not signed in is sent to
// sign in and brought back; a form they sent is kept for them to send again.
func (h *Handler) staff(page func(w http.ResponseWriter, v *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		uid := h.sessions.GetString(ctx, keyUser)
		if uid == "" {
			h.needSignIn(w, r)
			return
		}
		u, err := h.d.Store.UserByID(ctx, uid)
		if errors.Is(err, store.ErrNotFound) {
			_ = h.sessions.Destroy(ctx)
			h.needSignIn(w, r)
			return
		}
		if err != nil {
			h.unavailable(w, r, err)
			return
		}
		p, err := h.d.Store.LoadPrincipal(ctx, u)
		if err != nil {
			h.unavailable(w, r, err)
			return
		}
		if !isStaff(p) {
			_ = h.sessions.Destroy(ctx)
			h.needSignIn(w, r)
			return
		}
		// Every form handler reads r.PostForm, which only ParseForm fills.
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				h.problem(w, r, http.StatusBadRequest, "This form could not be read",
					"Nothing was changed. Go back to the page, check what you entered and send it again.")
				return
			}
		}
		page(w, &visit{p: p, actor: actions.Actor{Principal: p, RequestID: httpmw.RequestID(ctx)}, r: r})
	}
}

// isStaff says whether someone works with pupils in a role the staff pages serve: parents use
// their own pages, from the links in their emails.
func isStaff(p *store.Principal) bool {
	if p.SystemAdmin || len(p.TrustSchools) > 0 || len(p.AgencyServices) > 0 || len(p.LACodes) > 0 {
		return true
	}
	for _, m := range p.Memberships {
		if m.Role != "parent" {
			return true
		}
	}
	return false
}

// needSignIn sends someone who is not signed in to the sign-in page, to come back here after.
// A form they sent is kept in their (new) session for the page to offer again.
func (h *Handler) needSignIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil && len(r.PostForm) > 0 {
			h.sessions.Put(ctx, keyDraftPath, r.URL.Path)
			h.sessions.Put(ctx, keyDraft, r.PostForm.Encode())
		}
	}
	q := url.Values{"next": {next}}
	if _, err := r.Cookie(sessionCookie); err == nil {
		q.Set("ended", "1") // a session cookie without a session: it timed out
	}
	http.Redirect(w, r, "/sign-in?"+q.Encode(), http.StatusSeeOther)
}

// problem shows a page saying what went wrong and what to do.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, status int, title, body string) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", fmt.Sprint(int(actions.RetryAfter.Seconds())))
	}
	pg := &page{Title: title, Data: problemData{Body: body}}
	if uid := h.sessionUser(r); uid != "" {
		pg.Nav = []navItem{{Href: "/", Text: "Home"}}
	}
	h.render(w, r, status, "problem", pg)
}

type problemData struct{ Body string }

func (h *Handler) sessionUser(r *http.Request) string {
	return h.sessions.GetString(r.Context(), keyUser)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.problem(
		w,
		r,
		http.StatusNotFound,
		"Page not found",
		"If you typed the web address, check it is correct. If you followed a link, the record may not be one you can see: ask your SENDCo. Go to your home page to find what you need.",
	)
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	h.d.Logger.Error("staff pages: dependency failed", "path", r.URL.Path, "error", err)
	h.problem(w, r, http.StatusServiceUnavailable, "Sorry, sendflow is not answering just now",
		"Try again in a minute. If you were sending a form, go back and send it again: it will not be recorded twice.")
}
