package app

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
)

// TestStaffPagesIssue14 reproduces what a new member of staff met (issue 14): nothing to open at
// /, an email link that a browser shows as a 401 JSON error, and API docs that need the internet.
func TestStaffPagesIssue14(t *testing.T) {
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	j.post(teacher, "/v1/pupils/"+amara+"/concerns", `{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`, 201)
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
	wantPage(t, "email link after sign-in", status, body, 200, "Amara Okafor", "Finds it hard to follow spoken instructions.")

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
