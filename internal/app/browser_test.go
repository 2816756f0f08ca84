package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
	"github.com/sendflow/sendflow/internal/web"
)

// browserTools finds node, the node modules of tests/browser and Chromium, or says what is
// missing (tests/browser/install.sh installs the modules; Debian's chromium package the browser).
func browserTools(t *testing.T) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser checks skipped: node is not installed (apt-get install -y nodejs npm)")
	}
	dir, err = filepath.Abs(filepath.Join("..", "..", "tests", "browser"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", mod, "package.json")); err != nil {
			t.Skipf("browser checks skipped: %s is not installed (run tests/browser/install.sh)", mod)
		}
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser checks skipped: no Chromium at %s (apt-get install -y chromium, or set CHROMIUM)", chromium)
	}
	return node, dir
}

// TestBrowserParentPages opens the parent pages in headless Chromium at phone size with
// JavaScript off, goes through each flow (answer a meeting, give views, give consent, read the
// plan, sign in; used, altered and expired links) and runs axe-core on every state: any failed
// step or accessibility violation fails the test. Screenshots are left in the temp directory.
func TestBrowserParentPages(t *testing.T) {
	node, dir := browserTools(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	now := time.Now()

	j.post(teacher, p+"/concerns", `{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`, 201)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	review := now.UTC().AddDate(0, 0, 21).Truncate(24 * time.Hour)
	j.post(sendco, p+"/cycles", fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"},{"text":"Asks for help when stuck"}],
		"provision":[{"text":"Small group sessions with a teaching assistant","frequency":"3 times a week"}]}`, review.Format(time.DateOnly)), 201)
	start := time.Date(review.Year(), review.Month(), review.Day(), 15, 30, 0, 0, ukTime)
	j.post(sendco, p+"/meetings", fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"the school library"}`, start.Format(time.RFC3339)), 201)
	meetingLink := linkIn(t, j.delivered("review_meeting_invitation", parent).Text, "meeting")

	// A used link: a second meeting, answered already.
	j.post(sendco, p+"/meetings", fmt.Sprintf(`{"kind":"expectation","startsAt":%q,"location":"the school office"}`,
		start.AddDate(0, 1, 0).Format(time.RFC3339)), 201)
	usedLink := linkIn(t, j.delivered("meeting_invitation", parent).Text, "meeting")
	if status, body := page(t, "POST", usedLink, url.Values{"response": {"declined"}}); status != 200 {
		t.Fatalf("answering the second meeting = %d\n%s", status, body)
	}

	viewsLink, _ := links.Views(amaraParentID, amara, 1, now)
	ref := j.post(sendco, p+"/referrals", `{"service":"educational_psychology","reason":"Advice on language support"}`, 201)
	consentLink, _ := links.Consent(amaraParentID, amara, ref["referralId"].(string), now)
	planLink, _ := links.Plan(amaraParentID, amara, now)
	if _, err := j.d.DB.Exec(context.Background(), `UPDATE pupil_parents SET preferred_language = 'pl' WHERE pupil_id = $1`, seed.PupilLeoID); err != nil {
		t.Fatal(err)
	}
	polishPlan, _ := links.Plan("5c0f0000-0000-4000-8000-000000000202", seed.PupilLeoID, now)
	u, _ := url.Parse(planLink)
	tok := u.Query().Get("t")
	tampered := strings.Replace(planLink, tok, tok[:8]+"Zz"+tok[10:], 1)
	signer, _ := onetap.NewSigner(web.LinkKey(j.d.Key))
	old, _ := signer.Sign(onetap.Claim{Action: onetap.ActionViewPlan, Parent: amaraParentID, Pupil: amara, Expires: now.Add(-time.Hour)})
	j.api.do("POST", "/v1/auth/magic-link", "", nil, `{"email":"parent.amara@example.org"}`)
	signIn := linkIn(t, j.delivered("sign_in_link", parent).Text, "sign-in")

	out := filepath.Join(os.TempDir(), "sendflow-browser")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", out,
		"meeting="+meetingLink, "views="+viewsLink, "consent="+consentLink, "plan="+planLink, "plan-pl="+polishPlan,
		"used="+usedLink, "tampered="+tampered, "expired="+j.api.base+"/parent/plan?t="+old, "signin="+signIn)
	cmd.Dir = dir
	report, err := cmd.CombinedOutput()
	t.Logf("browser checks (screenshots in %s):\n%s", out, report)
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}
}
