// Package web serves the small pages parents reach from their email, without an account: answer
// a meeting invitation, give views before a review, give or refuse consent to a referral, read
// the current plan, and land from a sign-in link. Each page is server-rendered HTML that works on
// a phone without JavaScript, cookies or images, in the parent's preferred language.
//
// Links are signed, single-purpose and expiring (internal/onetap, with a key derived from the
// signing key). Reading a page never changes anything — mail scanners open links — and every
// action is a POST carried out by the service layer (package actions), named by the link, so
// however often a link is tapped its action is recorded once; the link is spent when the pupil's
// workflow accepts the action. A used, expired or altered link gets a page that says what
// happened and what to do, with a matching HTTP status, and changes nothing. Every read and write
// is audited with the role "parent".
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
)

// Deps are what the pages need.
type Deps struct {
	Store      *store.Store
	Actions    *actions.Service
	SigningKey []byte // the deployment's signing key; links use a key derived from it
	PublicURL  string
	// Outbox queues the sign-in links parents ask for on these pages.
	Outbox *email.Outbox
	Logger *slog.Logger
}

// Handler serves /parent/.
type Handler struct {
	d       Deps
	links   *Links
	signIns *SignInLinks
	pages   map[string]*template.Template
	now     func() time.Time
}

//go:embed templates/*.html
var templateFiles embed.FS

var pageNames = []string{"problem", "meeting", "views", "consent", "plan", "signin", "home", "passport"}

// New builds the handler for the /parent/ pages.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{
		d:       d,
		links:   NewLinks(d.SigningKey, d.PublicURL),
		pages:   map[string]*template.Template{},
		now:     time.Now,
		signIns: &SignInLinks{Store: d.Store, Outbox: d.Outbox, PublicURL: d.PublicURL},
	}
	for _, name := range pageNames {
		h.pages[name] = template.Must(template.New(name).Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	return h
}

// ServeHTTP routes a parent's request. Only GET (and HEAD) read; only POST acts.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Security headers (no caching, no framing, no referrer: the links carry their token) and the
	// request id come from the middleware every surface sits behind (internal/httpmw).
	type route struct{ get, post http.HandlerFunc }
	routes := map[string]route{
		"/parent":                  {h.homePage, nil},
		"/parent/":                 {h.homePage, nil},
		"/parent/language":         {nil, h.changeLanguage},
		"/parent/meeting":          {h.meetingPage, h.meetingAnswer},
		"/parent/views":            {h.viewsPage, h.viewsAnswer},
		"/parent/consent":          {h.consentPage, h.consentAnswer},
		"/parent/plan":             {h.planPage, nil},
		"/parent/passport":         {h.passportPage, h.passportSave},
		"/parent/sign-in":          {h.signInPage, h.signIn},
		"/parent/sign-in/new-link": {nil, h.newLink},
	}
	rt, ok := routes[r.URL.Path]
	switch {
	case !ok:
		h.problem(w, r, http.StatusNotFound, localeFromHeader(r.Header.Get("Accept-Language")), nil, "notfound", nil)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && rt.get != nil:
		rt.get(w, r)
	case r.Method == http.MethodPost && rt.post != nil:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		rt.post(w, r)
	default:
		var allow []string
		if rt.get != nil {
			allow = append(allow, "GET", "HEAD")
		}
		if rt.post != nil {
			allow = append(allow, "POST")
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.problem(
			w,
			r,
			http.StatusMethodNotAllowed,
			localeFromHeader(r.Header.Get("Accept-Language")),
			nil,
			"bad_form",
			nil,
		)
	}
}

// page is what every template sees; each page uses the fields it needs.
type page struct {
	L       *words
	Title   string
	School  string
	Contact *contactView // how to reach the school, in the footer
	// problem pages
	Lines []string
	Quote string
	Hint  string
	// forms
	Token string
	Done  string
	Error string
	// meeting: the answer buttons; Answered, once this link has answered, says what, and
	// ChangeToken (while the meeting is ahead) changes it; UsedNotice when a spent link was tapped
	When, Where, ViewsLink string
	Choices                []choice
	Answered, ChangeToken  string
	SoFar                  string // the answer given from another link, above this one's buttons
	UsedNotice             bool
	// views; Closed says the review has taken place (the form is closed), PlanLink what was agreed
	GoingWell, Hard, WouldHelp string
	MaxLen                     int
	Closed, PlanLink           string
	// consent: the wording shown, its version and language; NoTranslation when the parent's
	// language has no approved wording and the English is shown
	Pupil, Service, Reason, Wording, Version, WordingLang string
	NoTranslation                                         bool
	// plan
	Plan       *store.PlanSummary
	PlanReview string // when the plan is reviewed, in the right tense
	Review     *reviewView
	Dates      []string
	// Statutory is what has happened in an EHC needs assessment or plan, oldest first.
	Statutory []string
	Until     string
	// sign-in and home: Asking is the form that asks for an email address (Email as typed)
	Asking    bool
	Email     string
	SignedIn  bool
	Home      []childHome
	Languages []language
	// NewLinkToken, on an expired link's page, is the link's token: the page offers to email a
	// new sign-in link to the parent it was for. HomeURL is where they can ask for one anyway.
	NewLinkToken string
	HomeURL      string
	// passport: the child's profile, "All about me", and the form to add to it
	Passport *passportView
}

// contactView is the school's contact as a page shows it: the number and address tappable.
type contactView struct {
	Name, Phone, Tel, Email string
}

// newPage is a page about a pupil at a school (nil when not known yet), in language l.
func newPage(l *words, sc *store.School, p page) *page {
	p.L = l
	if sc != nil {
		p.School = sc.Name
		if sc.Contact.IsSet() {
			c := &contactView{Name: sc.Contact.Name, Phone: sc.Contact.Phone, Email: sc.Contact.Email}
			if _, dial, err := input.Phone(c.Phone); err == nil {
				c.Tel = dial
			}
			p.Contact = c
		}
	}
	return &p
}

type reviewView struct {
	Cycle    int
	On       string
	Outcomes []store.PlanItem
	Agreed   string
}

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
func (h *Handler) problem(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	l *words,
	sc *store.School,
	kind string,
	extra []string,
	quote ...string,
) {
	p := newPage(l, sc, page{Title: l.T(kind + "_title"), Lines: append([]string{l.T(kind + "_body")}, extra...)})
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
	sc     *store.School
	l      *words
	used   bool // the link has acted (for a link opened with onceShowingAnswer)
}

// open checks a link for action and loads who it is for. When it returns false the answer
// (a problem page) has been written and audited.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, token, action string, use linkUse) (*visit, bool) {
	ctx := r.Context()
	l := localeFromHeader(r.Header.Get("Accept-Language"))
	c, err := h.links.signer.VerifyAction(token, action, h.now())
	if errors.Is(err, onetap.ErrTampered) || errors.Is(err, onetap.ErrWrongAction) {
		h.audit(ctx, "", action+":open", "", "", "tampered")
		h.problem(w, r, http.StatusBadRequest, l, nil, "invalid", nil)
		return nil, false
	}
	// Authentic: the claim names the parent and the child, so the page can speak their language.
	v := &visit{claim: c, l: l}
	parent, perr := h.d.Store.ParentOf(ctx, c.Parent, c.Pupil)
	switch {
	case errors.Is(perr, store.ErrNotFound):
		h.audit(ctx, c.Parent, action+":open", c.Pupil, "", "denied")
		h.problem(w, r, http.StatusForbidden, l, nil, "invalid", []string{l.T("not_yours_body")})
		return nil, false
	case perr != nil:
		h.unavailable(w, r, l, nil, perr)
		return nil, false
	}
	v.parent, v.l = parent, localeFor(parent.Language)
	if v.pupil, perr = h.d.Store.PupilByID(ctx, c.Pupil); perr == nil {
		v.sc, perr = h.d.Store.SchoolByID(ctx, v.pupil.SchoolID)
	}
	if perr != nil {
		h.unavailable(w, r, v.l, nil, perr)
		return nil, false
	}
	if errors.Is(err, onetap.ErrExpired) {
		h.audit(ctx, c.Parent, action+":open", c.Pupil, v.pupil.SchoolID, "expired")
		h.render(w, http.StatusGone, "problem", newPage(v.l, v.sc, page{Title: v.l.T("expired_title"),
			Lines: []string{v.l.T("expired_body", v.l.ShortDate(c.Expires))}, Hint: v.l.T("expired_hint"),
			NewLinkToken: token, HomeURL: strings.TrimRight(h.d.PublicURL, "/") + "/parent"}))
		return nil, false
	}
	if use != reusable {
		used, err := h.d.Store.LinkUsed(ctx, c.Nonce)
		if err != nil {
			h.unavailable(w, r, v.l, v.sc, err)
			return nil, false
		}
		if used && use == once {
			h.audit(ctx, c.Parent, action+":open", c.Pupil, v.pupil.SchoolID, "used")
			h.usedPage(w, r, v)
			return nil, false
		}
		v.used = used
	}
	return v, true
}

// linkUse is how often a kind of link may act.
type linkUse int

const (
	reusable linkUse = iota // reads only (the plan): opened as often as the parent likes
	once                    // acts once; a used link gets a page saying so
	// onceShowingAnswer acts once; a used link comes back marked used, for its page to show what
	// was answered (and how to change it).
	onceShowingAnswer
)

func (h *Handler) usedPage(w http.ResponseWriter, r *http.Request, v *visit) {
	p := newPage(
		v.l,
		v.sc,
		page{Title: v.l.T("used_title"), Lines: []string{v.l.T("used_body")}, Hint: v.l.T("used_hint")},
	)
	h.render(w, http.StatusGone, "problem", p)
}

// linkLease is how long a tap holds its link while the action is carried out; a tap that dies
// holding it is taken over after this.
const linkLease = 2 * time.Minute

// linkIDs names the action a link carries out: the same link always names the same action, so a
// second tap of it is a repeat, never a second answer.
var linkIDs = uuid.MustParse("6b2f1e0a-4c7d-4f7e-9a51-3f0c2d8e9b17")

// act carries out what a link does, once. The link is claimed while its action runs: a second tap
// meanwhile waits a moment for the first and is told the link was used. The action is named by
// the link and delivered by the service layer; the link is spent when the pupil's workflow
// accepts it and given back when it is refused or fails, so the parent can try again. It writes
// the problem page and returns false when it did not act.
func (h *Handler) act(
	w http.ResponseWriter,
	r *http.Request,
	v *visit,
	do func(ctx context.Context, a actions.Actor, id string) error,
) bool {
	ctx := r.Context()
	link := store.UsedLink{
		Nonce:    v.claim.Nonce,
		Action:   v.claim.Action,
		ParentID: v.claim.Parent,
		PupilID:  v.claim.Pupil,
	}
	if err := h.claim(ctx, link); err != nil {
		switch {
		case errors.Is(err, store.ErrLinkUsed):
			h.audit(ctx, v.claim.Parent, v.claim.Action+":create", v.claim.Pupil, v.pupil.SchoolID, "used")
			h.usedPage(w, r, v)
		case errors.Is(err, store.ErrLinkBusy):
			h.audit(ctx, v.claim.Parent, v.claim.Action+":create", v.claim.Pupil, v.pupil.SchoolID, "busy")
			h.problem(w, r, http.StatusConflict, v.l, v.sc, "busy", nil)
		default:
			h.unavailable(w, r, v.l, v.sc, err)
		}
		return false
	}
	err := do(
		ctx,
		actions.ParentActor(v.claim.Parent, v.pupil.SchoolID, httpmw.RequestID(ctx)),
		uuid.NewSHA1(linkIDs, []byte(v.claim.Nonce)).String(),
	)
	if err == nil {
		if err := h.d.Store.SpendLink(context.WithoutCancel(ctx), v.claim.Nonce); err != nil {
			h.d.Logger.Error(
				"parent page: link not marked used",
				"error",
				err,
			) // its action is recorded: a tap again repeats it
		}
		return true
	}
	if rerr := h.d.Store.ReleaseLink(context.WithoutCancel(ctx), v.claim.Nonce); rerr != nil {
		h.d.Logger.Error("parent page: link not given back", "error", rerr)
	}
	var (
		refused  *actions.Refused
		notFound *actions.NotFound
		bad      *actions.Invalid
	)
	switch {
	case errors.As(err, &refused):
		h.problem(w, r, http.StatusConflict, v.l, v.sc, "refused", nil, refused.Reason)
	case errors.As(err, &notFound):
		h.problem(w, r, http.StatusNotFound, v.l, v.sc, "invalid", nil)
	case errors.As(err, &bad):
		h.problem(w, r, http.StatusUnprocessableEntity, v.l, v.sc, "bad_form", nil)
	default:
		h.unavailable(w, r, v.l, v.sc, err)
	}
	return false
}

// claim claims a link for this tap. While another tap holds it, it waits a few seconds for that
// tap's outcome: spent (ErrLinkUsed), given back (claimed again here) or still running (ErrLinkBusy).
func (h *Handler) claim(ctx context.Context, link store.UsedLink) error {
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := h.d.Store.ClaimLink(ctx, link, linkLease)
		if !errors.Is(err, store.ErrLinkBusy) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, l *words, sc *store.School, err error) {
	h.d.Logger.Error("parent page: dependency failed", "path", r.URL.Path, "error", err)
	h.problem(w, r, http.StatusServiceUnavailable, l, sc, "unavailable", nil)
}

// audit appends to the audit trail as the parent (parentID "": someone whose link named nobody);
// a failure is logged, never shown.
func (h *Handler) audit(ctx context.Context, parentID, action, pupilID, schoolID, outcome string) {
	role := "parent"
	if parentID == "" {
		role = "" // recorded as "unknown"
	}
	h.d.Actions.Audit(
		ctx,
		actions.ParentActor(parentID, schoolID, httpmw.RequestID(ctx)),
		role,
		action,
		pupilID,
		schoolID,
		outcome,
	)
}

// formValue reads a POST field; a body too large or malformed reads as empty.
func formValue(r *http.Request, key string) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get(key)
}

func itoa(n int) string { return strconv.Itoa(n) }
