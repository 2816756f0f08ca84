package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/onetap"
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
	t.Parallel() // its own stack and database; most of its time is spent waiting
	node, dir := browserTools(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	now := time.Now()

	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	review := now.UTC().AddDate(0, 0, 21).Truncate(24 * time.Hour)
	j.post(
		sendco,
		p+"/cycles",
		fmt.Sprintf(
			`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"},{"text":"Asks for help when stuck"}],
		"provision":[{"text":"Small group sessions with a teaching assistant","frequency":"3 times a week"}]}`,
			review.Format(time.DateOnly),
		),
		201,
	)
	start := time.Date(review.Year(), review.Month(), review.Day(), 15, 30, 0, 0, ukTime)
	j.post(
		sendco,
		p+"/meetings",
		fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"the school library"}`, start.Format(time.RFC3339)),
		201,
	)
	meetingLink := linkIn(t, j.delivered("review_meeting_invitation", parent).Text, "meeting")

	// A used link: a second meeting, answered already.
	j.post(sendco, p+"/meetings", fmt.Sprintf(`{"kind":"expectation","startsAt":%q,"location":"the school office"}`,
		start.AddDate(0, 1, 0).Format(time.RFC3339)), 201)
	usedLink := linkIn(t, j.delivered("meeting_invitation", parent).Text, "meeting")
	if status, body := page(t, "POST", usedLink, url.Values{"response": {"declined"}}); status != 200 {
		t.Fatalf("answering the second meeting = %d\n%s", status, body)
	}

	viewsLink, _ := links.Views(amaraParentID, amara, 1, now)
	ref := j.post(
		sendco,
		p+"/referrals",
		`{"service":"educational_psychology","reason":"Advice on language support"}`,
		201,
	)
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
	old, _ := signer.Sign(
		onetap.Claim{Action: onetap.ActionViewPlan, Parent: amaraParentID, Pupil: amara, Expires: now.Add(-time.Hour)},
	)
	home, _ := signer.Sign(onetap.Claim{Action: onetap.ActionHome, Parent: amaraParentID, Pupil: onetap.AllChildren,
		Expires: now.Add(time.Hour)})
	passportLink := j.api.base + "/parent/passport?t=" + url.QueryEscape(home) + "&pupil=" + amara
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
		"passport="+passportLink, "used="+usedLink, "tampered="+tampered, "expired="+j.api.base+"/parent/plan?t="+old, "signin="+signIn)
	cmd.Dir = dir
	report, err := cmd.CombinedOutput()
	t.Logf("browser checks (screenshots in %s):\n%s", out, report)
	if err != nil {
		t.Fatalf("browser checks failed: %v", err)
	}
}

// journeyParent is one parent of TestBrowserParentJourney as journey.mjs reads them.
type journeyParent struct {
	Flow        string            `json:"flow"`
	Email       string            `json:"email"`
	Lang        string            `json:"lang"`
	Locale      string            `json:"locale"`
	Child       string            `json:"child"`
	WordingLang string            `json:"wordingLang"`
	SwitchTo    string            `json:"switchTo"`
	Text        map[string]string `json:"text"`
	Views       map[string]string `json:"views"`
	Links       map[string]string `json:"links"`
}

// TestBrowserParentJourney is issue 15's "done when": two parents, one reading English and one
// Polish, walk four weeks of their child's journey in headless Chromium on a phone with
// JavaScript off, and axe-core finds no violation on any page state. The school plays its side
// through the API between the weeks (SEN support, a plan reviewed four weeks on, the review
// meeting, a referral, the review); the links the parents use from emails of earlier weeks are
// made as those emails made them, more than 7 days before: a status link that has expired (the
// parent gets a new link from its page and signs in), an invitation from 10 days before, and a
// views link from 9 days before that closes once the review is held. Sign-in links come from the
// mailbox. The parents answer the invitation and see their answer, consent from their home page
// (the Polish parent to the approved Polish wording), give their views, read what was agreed and
// change their language. Screenshots of every step are left in $TMPDIR/sendflow-journey/.
func TestBrowserParentJourney(t *testing.T) {
	t.Parallel()
	node, dir := browserTools(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIMINGS_FILE", quickReviews(t)))
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	now := time.Now()
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	review := now.UTC().AddDate(0, 0, 27).Truncate(24 * time.Hour) // the review, four weeks on
	// The Polish family's language, set by the SENDCo after the pupil was added (item 10).
	j.put(sendco, "/v1/pupils/"+seed.PupilLeoID+"/parents/"+leoParentID+"/language", `{"language":"pl"}`, 200)

	type family struct {
		pupil, parentID string
		p               journeyParent
	}
	families := []*family{
		{
			pupil:    seed.PupilAmaraID,
			parentID: amaraParentID,
			p: journeyParent{Flow: "en", Email: parent, Lang: "en", Locale: "en-GB",
				Child: "Amara", WordingLang: "en", SwitchTo: "pl",
				Text: map[string]string{
					"expired":        "This link has expired",
					"stage":          "SEN support",
					"answered":       "You told the school: Yes, I can come",
					"consentGiven":   "You have given consent.",
					"viewsDone":      "The school will read your views",
					"reviewHappened": "The review has taken place",
					"achieved":       "Follows two-step instructions: achieved",
				},
				Views: map[string]string{
					"goingWell": "Reading together at bedtime.",
					"hard":      "Getting ready in the morning.",
					"wouldHelp": "A picture timetable at home.",
				}},
		},
		{
			pupil:    seed.PupilLeoID,
			parentID: leoParentID,
			p: journeyParent{Flow: "pl", Email: other, Lang: "pl", Locale: "pl-PL",
				Child: "Leo", WordingLang: "pl", SwitchTo: "en",
				Text: map[string]string{
					"expired":        "Ten link wygasł",
					"stage":          "Wsparcie SEN",
					"answered":       "Twoja odpowiedź: Tak, przyjdę.",
					"consentGiven":   "Wyrażono zgodę.",
					"viewsDone":      "Szkoła przeczyta Twoje zdanie",
					"reviewHappened": "Przegląd już się odbył",
					"achieved":       "Follows two-step instructions: osiągnięto",
				},
				Views: map[string]string{
					"goingWell": "Czytamy razem przed snem.",
					"hard":      "Poranki są trudne.",
					"wouldHelp": "Plan dnia z obrazkami.",
				}},
		},
	}
	var outcomes []string
	for _, f := range families {
		p := "/v1/pupils/" + f.pupil
		j.onSENSupport(f.pupil)
		out := j.post(
			sendco,
			p+"/cycles",
			fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],
			"provision":[{"text":"Small group sessions","frequency":"3 times a week"}]}`, review.Format(time.DateOnly)),
			201,
		)
		outcomes = append(outcomes, out["outcomes"].([]any)[0].(map[string]any)["id"].(string))
		start := time.Date(review.Year(), review.Month(), review.Day(), 15, 30, 0, 0, ukTime)
		m := j.post(
			sendco,
			p+"/meetings",
			fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"the school library"}`, start.Format(time.RFC3339)),
			201,
		)
		meetingID := m["meeting"].(map[string]any)["meetingId"].(string)
		f.p.Links = map[string]string{}
		f.p.Links["expiredPlan"], _ = links.Plan(f.parentID, f.pupil, days(8))
		f.p.Links["oldMeeting"], _ = links.Meeting(f.parentID, f.pupil, meetingID, 0, days(10))
		f.p.Links["oldViews"], _ = links.Views(f.parentID, f.pupil, 1, days(9))
	}
	out := filepath.Join(os.TempDir(), "sendflow-journey")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	walk := func(week string) {
		t.Helper()
		spec := map[string]any{"base": j.api.base}
		var ps []journeyParent
		for _, f := range families {
			ps = append(ps, f.p)
		}
		spec["parents"] = ps
		b, _ := json.Marshal(spec)
		file := filepath.Join(t.TempDir(), week+".json")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "journey.mjs", out, week, file)
		cmd.Dir = dir
		report, err := cmd.CombinedOutput()
		t.Logf("%s (screenshots in %s):\n%s", week, out, report)
		if err != nil {
			t.Fatalf("%s: browser walk failed: %v", week, err)
		}
	}

	// Week 1: a status link has expired; a new link, the home page, the invitation answered.
	walk("week1")
	// Week 2: the school asks for consent to a referral to the educational psychologist.
	for _, f := range families {
		ref := j.post(
			sendco,
			"/v1/pupils/"+f.pupil+"/referrals",
			`{"service":"educational_psychology","reason":"Advice on how to help with listening in class."}`,
			201,
		)
		j.post(
			sendco,
			"/v1/referrals/"+ref["referralId"].(string)+"/decision",
			`{"approve":true,"overrideReason":"Needed before the review"}`,
			201,
		)
	}
	walk("week2")
	if n := j.scalar(`SELECT count(*) FROM consent_records c JOIN referrals r ON r.id = c.referral_id
		WHERE r.pupil_id = $1 AND c.wording_language = 'pl' AND c.accepted_at IS NOT NULL`, seed.PupilLeoID); n != 1 {
		t.Errorf("the Polish parent's consent to the Polish wording: %d records", n)
	}
	// Week 3: the parents' views before the review; the SENDCo is told of each.
	walk("week3")
	for _, f := range families {
		j.delivered("parent_views_received", sendco)
		if views, _ := j.pathway(f.pupil)["parentViews"].([]any); len(views) != 1 {
			t.Errorf("%s: the pathway shows %d parent views, want 1", f.p.Child, len(views))
		}
	}
	// Week 4: the review is held and recorded; the outcome email links to what was agreed.
	for i, f := range families {
		j.post(
			sendco,
			"/v1/pupils/"+f.pupil+"/cycles/1/review",
			fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"nextStep":"continue"}`, outcomes[i]),
			201,
		)
		f.p.Links["outcomePlan"] = linkIn(t, j.delivered("review_outcome", f.p.Email).Text, "plan")
	}
	walk("week4")
	if n := j.scalar(`SELECT count(*) FROM pupil_parents WHERE (user_id = $1 AND preferred_language = 'pl') OR (user_id = $2 AND preferred_language = 'en')`,
		amaraParentID, leoParentID); n != 2 {
		t.Errorf("the parents' own choice of language was not kept (%d of 2)", n)
	}
}
