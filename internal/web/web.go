// Package web serves the small pages parents reach from their email, without an account: answer
// a meeting invitation, give views before a review, give or refuse consent to a referral, read
// the current plan, and land from a sign-in link. Each page is server-rendered HTML that works on
// a phone without JavaScript, cookies or images, in the parent's preferred language.
//
// Links are signed, single-purpose and expiring (internal/onetap, with a key derived from the
// signing key). Reading a page never changes anything — mail scanners open links — and every
// action is a POST that records the link's nonce in the same transaction as the action, so a
// link acts once. A used, expired or altered link gets a page that says what happened and what
// to do, with a matching HTTP status, and changes nothing. Every read and write is audited with
// the role "parent".
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Deps are what the pages need.
type Deps struct {
	Store      *store.Store
	Temporal   client.Client
	SigningKey []byte // the deployment's signing key; links use a key derived from it
	PublicURL  string
	Logger     *slog.Logger
}

// Handler serves /parent/.
type Handler struct {
	d     Deps
	links *Links
	pages map[string]*template.Template
	now   func() time.Time
}

//go:embed templates/*.html
var templateFiles embed.FS

var pageNames = []string{"problem", "meeting", "views", "consent", "plan", "signin"}

// New builds the handler for the /parent/ pages.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{d: d, links: NewLinks(d.SigningKey, d.PublicURL), pages: map[string]*template.Template{}, now: time.Now}
	for _, name := range pageNames {
		h.pages[name] = template.Must(template.New(name).Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	return h
}

// ServeHTTP routes a parent's request. Only GET (and HEAD) read; only POST acts.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer") // the links carry their token
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	rid := r.Header.Get("X-Request-Id")
	if rid == "" || len(rid) > 100 {
		rid = uuid.NewString()
	}
	hd.Set("X-Request-Id", rid)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, rid))

	type route struct{ get, post http.HandlerFunc }
	routes := map[string]route{
		"/parent/meeting": {h.meetingPage, h.meetingAnswer},
		"/parent/views":   {h.viewsPage, h.viewsAnswer},
		"/parent/consent": {h.consentPage, h.consentAnswer},
		"/parent/plan":    {h.planPage, nil},
		"/parent/sign-in": {h.signInPage, h.signIn},
	}
	rt, ok := routes[r.URL.Path]
	switch {
	case !ok:
		h.problem(w, r, http.StatusNotFound, localeFromHeader(r.Header.Get("Accept-Language")), "", "notfound", nil)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && rt.get != nil:
		rt.get(w, r)
	case r.Method == http.MethodPost && rt.post != nil:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		rt.post(w, r)
	default:
		allow := "GET, HEAD"
		if rt.post != nil {
			allow += ", POST"
		}
		hd.Set("Allow", allow)
		h.problem(w, r, http.StatusMethodNotAllowed, localeFromHeader(r.Header.Get("Accept-Language")), "", "bad_form", nil)
	}
}

type requestIDKey struct{}

// page is what every template sees; each page uses the fields it needs.
type page struct {
	L      *locale
	Title  string
	School string
	// problem pages
	Lines []string
	Quote string
	Hint  string
	// forms
	Token string
	Done  string
	Error string
	// meeting
	When, Where, ViewsLink string
	// views
	GoingWell, Hard, WouldHelp string
	MaxLen                     int
	// consent
	Pupil, Service, Wording, Version string
	// plan
	Plan   *store.PlanSummary
	Review *reviewView
	Dates  []string
	// Statutory is what has happened in an EHC needs assessment or plan, oldest first.
	Statutory []string
	Until     string
	// sign-in
	Children []childLink
	SignedIn bool
}

type reviewView struct {
	Cycle    int
	On       string
	Outcomes []store.PlanItem
	Agreed   string
}

type childLink struct{ Link, Label string }

func (h *Handler) render(w http.ResponseWriter, status int, name string, p *page) {
	var b strings.Builder
	if err := h.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		h.d.Logger.Error("render parent page", "page", name, "error", err)
		http.Error(w, "Sorry, this page could not be shown. Please try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.L.Tag)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// problem shows what went wrong and what to do. kind names the message keys: kind_title,
// kind_body and kind_hint (ask_new_link when there is no hint of its own).
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, status int, l *locale, school, kind string, extra []string, quote ...string) {
	p := &page{L: l, School: school, Title: l.T(kind + "_title"), Lines: append([]string{l.T(kind + "_body")}, extra...)}
	if len(quote) > 0 {
		p.Quote = quote[0]
	}
	p.Hint = l.T(kind + "_hint")
	if p.Hint == kind+"_hint" {
		p.Hint = l.T("ask_new_link")
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "60")
	}
	h.render(w, status, "problem", p)
}

// visit is a request made with a valid one-tap link: who, about which child, in which language.
type visit struct {
	claim  onetap.Claim
	parent *store.ParentOfPupil
	pupil  *store.Pupil
	school string
	l      *locale
}

// open checks a link for action and loads who it is for. When it returns false the answer
// (a problem page) has been written and audited.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, token, action string, singleUse bool) (*visit, bool) {
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	c, err := h.links.signer.VerifyAction(token, action, h.now())
	if errors.Is(err, onetap.ErrTampered) || errors.Is(err, onetap.ErrWrongAction) {
		h.audit(ctx, "", action+":open", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, "", "invalid", nil)
		return nil, false
	}
	// Authentic: the claim names the parent and the child, so the page can speak their language.
	v := &visit{claim: c, l: l}
	parent, perr := h.d.Store.ParentOf(ctx, c.Parent, c.Pupil)
	switch {
	case errors.Is(perr, store.ErrNotFound):
		h.audit(ctx, c.Parent, action+":open", c.Pupil, "", "denied")
		h.problem(w, r, http.StatusForbidden, l, "", "invalid", []string{l.T("not_yours_body")})
		return nil, false
	case perr != nil:
		h.unavailable(w, r, l, "", perr)
		return nil, false
	}
	v.parent, v.l = parent, localeFor(parent.Language)
	if v.pupil, perr = h.d.Store.PupilByID(ctx, c.Pupil); perr == nil {
		v.school, perr = h.d.Store.SchoolName(ctx, v.pupil.SchoolID)
	}
	if perr != nil {
		h.unavailable(w, r, v.l, "", perr)
		return nil, false
	}
	if errors.Is(err, onetap.ErrExpired) {
		h.audit(ctx, c.Parent, action+":open", c.Pupil, v.pupil.SchoolID, "expired")
		h.render(w, http.StatusGone, "problem", &page{L: v.l, School: v.school, Title: v.l.T("expired_title"),
			Lines: []string{v.l.T("expired_body", v.l.ShortDate(c.Expires))}, Hint: v.l.T("ask_new_link")})
		return nil, false
	}
	if singleUse {
		used, err := h.d.Store.LinkUsed(ctx, c.Nonce)
		if err != nil {
			h.unavailable(w, r, v.l, v.school, err)
			return nil, false
		}
		if used {
			h.audit(ctx, c.Parent, action+":open", c.Pupil, v.pupil.SchoolID, "used")
			h.usedPage(w, r, v)
			return nil, false
		}
	}
	return v, true
}

func (h *Handler) usedPage(w http.ResponseWriter, r *http.Request, v *visit) {
	p := &page{L: v.l, School: v.school, Title: v.l.T("used_title"), Lines: []string{v.l.T("used_body")}, Hint: v.l.T("used_hint")}
	h.render(w, http.StatusGone, "problem", p)
}

// act runs what a link does, once: the nonce is recorded with the change in one transaction, and
// the workflow update (named by the nonce, so a retry is not applied twice) must succeed for
// anything to be kept. It writes the problem page and returns false when it did not act.
func (h *Handler) act(w http.ResponseWriter, r *http.Request, v *visit, auditAction string, do func(ctx context.Context, tx store.LinkTx) error) bool {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	err := h.d.Store.UseLink(ctx, store.UsedLink{Nonce: v.claim.Nonce, Action: v.claim.Action, ParentID: v.claim.Parent, PupilID: v.claim.Pupil},
		func(tx store.LinkTx) error { return do(ctx, tx) })
	var refusal *workflows.Refusal
	switch {
	case err == nil:
		h.audit(r.Context(), v.claim.Parent, auditAction, v.claim.Pupil, v.pupil.SchoolID, "ok")
		return true
	case errors.Is(err, store.ErrLinkUsed):
		h.audit(r.Context(), v.claim.Parent, auditAction, v.claim.Pupil, v.pupil.SchoolID, "used")
		h.usedPage(w, r, v)
	case errors.As(err, &refusal):
		h.audit(r.Context(), v.claim.Parent, auditAction, v.claim.Pupil, v.pupil.SchoolID, "refused")
		h.problem(w, r, http.StatusConflict, v.l, v.school, "refused", nil, refusal.Reason)
	case errors.Is(err, workflows.ErrNoWorkflow):
		h.audit(r.Context(), v.claim.Parent, auditAction, v.claim.Pupil, v.pupil.SchoolID, "refused")
		h.problem(w, r, http.StatusConflict, v.l, v.school, "refused", nil, "This has finished: there is nothing open for this answer.")
	default:
		h.unavailable(w, r, v.l, v.school, err)
	}
	return false
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, l *locale, school string, err error) {
	h.d.Logger.Error("parent page: dependency failed", "path", r.URL.Path, "error", err)
	h.problem(w, r, http.StatusServiceUnavailable, l, school, "unavailable", nil)
}

// audit appends to the audit trail as the parent; a failure is logged, never shown.
func (h *Handler) audit(ctx context.Context, parentID, action, pupilID, schoolID, outcome string) {
	rid, _ := ctx.Value(requestIDKey{}).(string)
	role := "parent"
	if parentID == "" {
		role = "unknown"
	}
	err := h.d.Store.Audit(ctx, store.AuditEntry{ActorID: parentID, ActorRole: role, Action: action, PupilID: pupilID,
		SchoolID: schoolID, RequestID: rid, Outcome: outcome})
	if err != nil {
		h.d.Logger.Error("audit record not written", "action", action, "pupil_id", pupilID, "error", err)
	}
}

// formValue reads a POST field; a body too large or malformed reads as empty.
func formValue(r *http.Request, key string) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get(key)
}
