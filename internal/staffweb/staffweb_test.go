package staffweb_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/devidp"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/staffweb"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
)

// site is the staff pages with the dev identity provider and PostgreSQL, without Temporal: for
// what reading and signing in do. Actions are tested on the whole stack (internal/app).
type site struct {
	URL string
	st  *store.Store
}

type directory struct{ st *store.Store }

func (d directory) People(ctx context.Context) ([]devidp.Person, error) {
	ps, err := d.st.StaffPeople(ctx)
	var out []devidp.Person
	for _, p := range ps {
		out = append(out, devidp.Person{ID: p.ID, Email: p.Email, Name: p.Name, Roles: p.Roles})
	}
	return out, err
}

func (d directory) Person(ctx context.Context, id string) (*devidp.Person, error) {
	u, err := d.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &devidp.Person{ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

func newSite(t *testing.T, idle time.Duration) *site {
	t.Helper()
	pool := testenv.Pool(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, pool); err != nil {
		t.Fatal(err)
	}
	st := &store.Store{DB: pool}
	authz, err := policies.New(st)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	var handler http.Handler
	srv := httptest.NewServer(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }),
	)
	t.Cleanup(srv.Close)
	key := []byte("0123456789abcdef0123456789abcdef")
	idp, err := devidp.New(srv.URL+"/dev/oidc", srv.URL+"/sign-in/callback", key, directory{st}, logger)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := staffweb.New(staffweb.Deps{Store: st, DB: pool, Authz: authz, Logger: logger, PublicURL: srv.URL,
		Actions: &actions.Service{Store: st, Authz: authz, Logger: logger},
		SignIn: &auth.CodeFlow{
			Issuer:       idp.Issuer,
			ClientID:     devidp.ClientID,
			ClientSecret: idp.ClientSecret,
			RedirectURL:  srv.URL + "/sign-in/callback",
		},
		DevSignIn:   true,
		SessionIdle: idle, SessionMax: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pages.Close)
	mux := http.NewServeMux()
	mux.Handle("/dev/oidc/", idp)
	mux.Handle("/", pages)
	handler = staffweb.OldLinks(mux)
	return &site{URL: srv.URL, st: st}
}

func want(t *testing.T, what string, status int, body string, wantStatus int, wants ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d\n%.3000s", what, status, wantStatus, body)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: page lacks %q\n%.3000s", what, w, body)
		}
	}
}

// Staff sign in with the identity provider and land where they were going; each role starts
// from its own home page; a pupil out of reach is "not found".
func TestSignInHomePagesAndReach(t *testing.T) {
	s := newSite(t, time.Hour)
	b := testenv.NewBrowser(t, s.URL)

	status, body := b.Get("/")
	want(t, "signed out", status, body, 200, "Sign in to sendflow", "demo accounts")
	if b.Last.Path != "/sign-in" || b.Last.Query().Get("next") != "/" {
		t.Errorf("signed out, / went to %s, want the sign-in page coming back to /", b.Last)
	}
	status, body = b.SignInFrom(body, "sendco@oakfield.example")
	want(
		t,
		"SENDCo's home",
		status,
		body,
		200,
		"Signed in as Sam Patel",
		"Caseload: Oakfield Primary (demo)",
		"Concerns waiting for triage",
	)

	var session *http.Cookie
	for _, c := range b.Cookies() {
		if c.Name == "sendflow_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	var raw string
	if err := s.st.DB.QueryRow(context.Background(), `SELECT token FROM sessions LIMIT 1`).Scan(&raw); err != nil ||
		raw == session.Value {
		t.Errorf("the sessions table holds %q (err %v): want a hash of the cookie's token, never the token", raw, err)
	}

	status, body = b.Get("/pupils/" + seed.PupilAmaraID)
	want(
		t,
		"Amara's page",
		status,
		body,
		200,
		"Amara Okafor",
		"No concern has been raised.",
		"Raise a concern",
		"Refer to a specialist service",
	)
	status, body = b.Get("/pupils/" + seed.PupilRubyID)
	want(t, "a pupil at another school", status, body, 404, "Page not found")
	if strings.Contains(body, "Ruby") {
		t.Error("the 404 names the pupil")
	}

	teacher := testenv.NewBrowser(t, s.URL)
	status, body = teacher.SignIn("teacher.oak@oakfield.example")
	want(t, "teacher's home", status, body, 200, "My class: Oak", "Amara Okafor", "Leo Fischer")
	if strings.Contains(body, "Zain") || strings.Contains(body, "Caseload") {
		t.Errorf("a class teacher sees another class or the caseload:\n%s", body)
	}
	status, body = teacher.Get("/pupils/" + seed.PupilZainID)
	want(t, "teacher, a pupil in another class", status, body, 404)

	officer := testenv.NewBrowser(t, s.URL)
	status, body = officer.SignIn("ehc.officer@demoshire.example")
	want(t, "LA officer's home", status, body, 200, "EHC requests")
	status, body = officer.Get("/pupils/" + seed.PupilAmaraID)
	want(t, "LA officer, a pupil with no EHC request", status, body, 404)

	parent := testenv.NewBrowser(t, s.URL)
	_, body = parent.Get("/sign-in")
	_, body = parent.Submit(body, "Sign in", nil)
	if strings.Contains(body, "parent.amara@example.org") {
		t.Error("the dev identity provider offers a parent's account")
	}
}

// A session ends after a time without use: the next page asks to sign in again and says why,
// and a form sent then is kept to send again after signing in. The idle time is what the
// session's row in PostgreSQL lives for; the test ends it by moving that time into the past, as
// the clock would, rather than by waiting.
func TestSessionEndsAndKeepsTheForm(t *testing.T) {
	idle := 30 * time.Minute
	s := newSite(t, idle)
	b := testenv.NewBrowser(t, s.URL)
	b.SignIn("sendco@oakfield.example")
	status, body := b.Get("/pupils/" + seed.PupilAmaraID + "/referrals/new?service=educational_psychology")
	want(t, "referral form", status, body, 200, "help with?")
	ctx := context.Background()
	var late bool
	if err := s.st.DB.QueryRow(ctx, `SELECT bool_or(expiry > $1) FROM sessions`, time.Now().Add(idle+time.Minute)).Scan(&late); err != nil ||
		late {
		t.Errorf("a session outlives its idle time of %s (err %v)", idle, err)
	}
	if _, err := s.st.DB.Exec(ctx, `UPDATE sessions SET expiry = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	status, body = b.Submit(
		body,
		"Open the referral",
		url.Values{"reason": {"Advice on language support, written before the session ended."}},
	)
	want(
		t,
		"form sent after the session ended",
		status,
		body,
		200,
		"You were signed out",
		"The form you were sending has been kept",
	)
	status, body = b.SignInFrom(body, "sendco@oakfield.example")
	want(
		t,
		"the form again after signing in",
		status,
		body,
		200,
		"What you wrote has been kept",
		"Advice on language support, written before the session ended.",
	)
}

// Forms sent from another site are refused and change nothing.
func TestCrossOriginFormRefused(t *testing.T) {
	s := newSite(t, time.Hour)
	b := testenv.NewBrowser(t, s.URL)
	b.SignIn("sendco@oakfield.example")
	req, _ := http.NewRequest("POST", s.URL+"/sign-out", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	for _, c := range b.Cookies() {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want(t, "cross-site sign-out", resp.StatusCode, string(page), 403, "This form was sent from another website")
	status, body := b.Get("/")
	want(t, "still signed in", status, body, 200, "Signed in as Sam Patel")
}
