package app

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestStaffPagesIssue14 reproduces what a new member of staff met (issue 14): nothing to open at
// /, an email link that a browser shows as a 401 JSON error, and API docs that need the internet.
func TestStaffPagesIssue14(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	link := staffLinkIn(t, j.sent("concern_raised", sendco))

	// Opening sendflow in a browser leads to a sign-in page, not a 404.
	b := testenv.NewBrowser(t, j.api.base)
	status, body := b.Get("/")
	wantPage(t, "/ signed out", status, body, 200, "Sign in")

	// The SENDCo's email link opens the pupil's page once they have signed in, back at the page
	// the link named.
	status, body = b.Get(link)
	wantPage(t, "email link signed out", status, body, 200, "Sign in")
	status, body = b.SignInFrom(body, sendco)
	wantPage(
		t,
		"email link after sign-in",
		status,
		body,
		200,
		"Amara Okafor",
		"Finds it hard to follow spoken instructions.",
	)

	// A pupil out of someone's reach is "not found" on the pages as on the API: the educational
	// psychologist before any referral, the council's officer before any EHC request.
	for _, who := range []string{"ep@demoshire.example", "ehc.officer@demoshire.example"} {
		other := testenv.NewBrowser(t, j.api.base)
		other.SignIn(who)
		status, body := other.Get("/pupils/" + amara)
		wantPage(t, who+": Amara's page", status, body, 404, "Page not found")
		if strings.Contains(body, "Amara") {
			t.Errorf("%s: the page's 404 names the pupil", who)
		}
		if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[who], nil, ""); status != 404 {
			t.Errorf("%s: the API answers %d for Amara's pathway, want 404 as on the pages", who, status)
		}
	}

	// A parent signed in from the link in their email has the parents' pages only, even one who
	// also teaches: the staff pages ask them to sign in with the school's identity provider.
	j.api.do("POST", "/v1/auth/magic-link", "", nil, `{"email":"parent.amara@example.org"}`)
	pb := testenv.NewBrowser(t, j.api.base)
	_, body = pb.Get(linkIn(t, j.delivered("sign_in_link", parent).Text, "sign-in"))
	status, body = pb.Submit(body, "Sign in", nil)
	wantPage(t, "the parent signed in by email", status, body, 200, "Amara")
	for _, path := range []string{"/", "/pupils/" + amara} {
		status, body = pb.Get(path)
		wantPage(t, "the parent's session on "+path, status, body, 200, "Sign in to sendflow")
		if pb.Last.Path != "/sign-in" || strings.Contains(body, "Finds it hard to follow") {
			t.Errorf("a parent's session reached the staff page %s (at %s)", path, pb.Last)
		}
	}

	// Once a referral to their service is open with the parents' consent, the educational
	// psychologist reads the evidence pack as their service receives it, and as no other, on the
	// pages as on the API.
	j.post(sendco, "/v1/pupils/"+amara+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	j.post(
		sendco,
		"/v1/pupils/"+amara+"/cycles",
		`{"reviewDate":"2031-01-15","outcomes":[{"text":"Follows two-step instructions"}],"provision":[]}`,
		201,
	)
	ref := j.post(sendco, "/v1/pupils/"+amara+"/referrals", `{"service":"educational_psychology","reason":"Advice on language support."}`, 201)["referralId"].(string)
	j.referralStarted(amara, ref)
	j.post(
		sendco,
		"/v1/referrals/"+ref+"/decision",
		`{"approve":true,"overrideReason":"Needed before the review"}`,
		201,
	)
	j.post(parent, "/v1/referrals/"+ref+"/consent", `{"action":"give"}`, 201)
	ep := testenv.NewBrowser(t, j.api.base)
	ep.SignIn("ep@demoshire.example")
	for _, c := range []struct {
		service string
		want    int
	}{{"educational_psychology", 200}, {"ehcna", 404}, {"speech_and_language", 404}} {
		status, body := ep.Get("/pupils/" + amara + "/evidence-pack?for=" + c.service)
		if status != c.want {
			t.Errorf(
				"the psychologist's evidence pack for %s on the pages = %d, want %d\n%.300s",
				c.service,
				status,
				c.want,
				body,
			)
		}
		if got := j.call("GET", "/v1/pupils/"+amara+"/evidence-pack?for="+c.service, "ep@demoshire.example", "", "").status; got != c.want {
			t.Errorf(
				"the psychologist's evidence pack for %s on the API = %d, want %d as on the pages",
				c.service,
				got,
				c.want,
			)
		}
	}

	// The API reference works without the internet: every script and style sheet is sendflow's.
	status, body = b.Get("/docs")
	wantPage(t, "/docs", status, body, 200)
	for _, m := range regexp.MustCompile(`(?i)(?:src|href)="(https?:)?//[^"]+"`).FindAllString(body, -1) {
		if strings.Contains(strings.ToLower(m), "<script") || !strings.Contains(m, "127.0.0.1") {
			t.Errorf("/docs loads %s from another site", m)
		}
	}
}

// staffLinkIn finds the link a staff email gives.
func staffLinkIn(t *testing.T, text string) string {
	t.Helper()
	m := regexp.MustCompile(`https?://[^\s"<>]+`).FindString(text)
	if m == "" {
		t.Fatalf("no link in:\n%s", text)
	}
	return m
}

// A staff form sent twice at once (a double click, a resent page) is one action: the form
// carries its action's id, so the pathway takes it once and the parents are told once.
func TestStaffFormSentTwiceAtOnce(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	status, form := b.Get("/pupils/" + amara + "/triage")
	wantPage(t, "the triage form", status, form, 200, "Record the decision")
	statuses := make(chan int, 2)
	for range 2 {
		go func() {
			status, _ := b.Submit(form, "Record the decision", url.Values{"decision": {"sen_support"}})
			statuses <- status
		}()
	}
	for range 2 {
		if s := <-statuses; s >= 400 {
			t.Errorf("a copy of the form answered %d; both should show the one decision taken", s)
		}
	}
	j.delivered("sen_support_started", parent)
	var n int
	if err := j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM email_outbox
		WHERE template = 'sen_support_started' AND to_address = $1`, parent).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("the parents were told %d times that SEN support started, want once", n)
	}
	if status, out := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[sendco], nil, ""); status != 200 ||
		out["stage"] != "sen_support" {
		t.Errorf("pathway after the form sent twice: %d %v", status, out["stage"])
	}
}
