package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// dayScale makes one calendar day pass in a tenth of a second of real time.
const dayScale = "864000"

// roomyTimings gives compressed-time journeys room: parents have 60 days (not the legal minimum
// of 15) to comment on a draft EHC plan, so the check that a final plan is refused during the
// comment period has six seconds of real time to run in, however busy the machine.
func roomyTimings(t testing.TB) string {
	return timingsFile(t, "ehc:\n  draft_comment_period: 60d\n")
}

// timingsFile writes a local authority's timings file (the keys it changes) for one test.
func timingsFile(t testing.TB, yaml string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "timings.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

type journey struct {
	t     *testing.T
	d     *Dev
	api   apiClient
	token map[string]string
	logs  *logBuffer // everything the stack logged
}

// newJourney is a journey on compressed time. Its tests take every date from the pathway's own
// calendar with margins of seconds of real time before anything must have happened, so a slow
// request on a busy machine does not change what they see.
func newJourney(t *testing.T) *journey {
	return journeyOn(
		t,
		devConfig(
			t,
			t.TempDir(),
			testenv.DatabaseURL(t),
			"SENDFLOW_TIME_SCALE",
			dayScale,
			"SENDFLOW_TIMINGS_FILE",
			roomyTimings(t),
		),
	)
}

// post sends an action and expects the status; it returns the body.
func (j *journey) post(who, path, body string, want int) map[string]any {
	j.t.Helper()
	status, out := j.api.do(
		"POST",
		path,
		j.token[who],
		map[string]string{"Idempotency-Key": fmt.Sprint(time.Now().UnixNano())},
		body,
	)
	if status != want {
		j.t.Fatalf("POST %s as %s = %d, want %d: %v", path, who, status, want, out)
	}
	return out
}

func (j *journey) pathway(pupil string) map[string]any {
	j.t.Helper()
	status, out := j.api.do("GET", "/v1/pupils/"+pupil+"/pathway", j.token["sendco@oakfield.example"], nil, "")
	if status != 200 {
		j.t.Fatalf("pathway = %d %v", status, out)
	}
	return out
}

// today is the pathway calendar's date.
func (j *journey) today(pupil string) time.Time {
	j.t.Helper()
	d, err := time.Parse(time.DateOnly, j.pathway(pupil)["today"].(string))
	if err != nil {
		j.t.Fatal(err)
	}
	return d
}

// waitUntil waits for the pathway's calendar to reach a date.
func (j *journey) waitUntil(pupil string, day time.Time) {
	j.t.Helper()
	testenv.Eventually(j.t, 60*time.Second, "calendar to reach "+day.Format(time.DateOnly), func() bool {
		return !j.today(pupil).Before(day)
	})
}

// sent waits for an email of a template to a person to be delivered, and returns its text.
func (j *journey) sent(template, to string) string {
	j.t.Helper()
	var text string
	testenv.Eventually(j.t, 60*time.Second, template+" to "+to, func() bool {
		err := j.d.DB.QueryRow(context.Background(), `SELECT text_body FROM email_outbox
			WHERE template = $1 AND to_address = $2 AND status = 'sent' ORDER BY created_at DESC LIMIT 1`, template, to).Scan(&text)
		return err == nil
	})
	return text
}

// raw fetches a non-JSON document and returns it; a status other than 200 fails the test, except
// that a parent asking for an evidence pack must get 404.
func (j *journey) raw(method, path, who string) string {
	j.t.Helper()
	req, _ := http.NewRequest(method, j.api.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+j.token[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	want := 200
	if who == parent {
		want = 404
	}
	if resp.StatusCode != want {
		j.t.Fatalf("%s %s as %s = %d, want %d: %.300s", method, path, who, resp.StatusCode, want, b)
	}
	return string(b)
}

func (j *journey) stage(pupil string) string { return j.pathway(pupil)["stage"].(string) }

func (j *journey) item(pupil, prefix string) map[string]any {
	j.t.Helper()
	for _, it := range j.pathway(pupil)["items"].([]any) {
		m := it.(map[string]any)
		if strings.HasPrefix(m["id"].(string), prefix) {
			return m
		}
	}
	j.t.Fatalf("no item %s in the pathway", prefix)
	return nil
}

const (
	sendco  = "sendco@oakfield.example"
	teacher = "teacher.oak@oakfield.example"
	parent  = "parent.amara@example.org"
	other   = "parent.leo@example.org"
)

// TestWholeJourney drives one pupil through the API from a concern to an EHC plan and its annual
// review, on the real stack with compressed time, checking each email goes out and each
// out-of-order action is refused with a reason.
func TestWholeJourney(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := newJourney(t)
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara

	// Concern with two strategies being tried → awaiting triage, the SENDCo told.
	concern := j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions.",
		"indicators":["ci.i.misses-instructions"],
		"strategies":[{"strategyId":"ci.s.visual-timetable","startedOn":"2026-11-02"},{"strategyId":"ci.s.chunked-instructions","startedOn":"2026-11-02"},
			{"strategyId":"ci.s.now-and-next","startedOn":"2026-11-09","frequency":"daily"}]}`,
		201,
	)
	concernID := concern["concernId"].(string)
	if out := j.post(teacher, p+"/concerns", `{"areas":["communication_and_interaction"],"observed":"x","strategies":[{"strategyId":"made-up","startedOn":"2026-11-02"}]}`, 422); !strings.Contains(
		fmt.Sprint(out),
		"strategies[0].strategyId",
	) {
		t.Errorf("an unknown strategy id is not named: %v", out)
	}
	j.sent("concern_raised", sendco)
	if out := j.post(sendco, p+"/cycles", `{"reviewDate":"2030-01-01","outcomes":[{"text":"x"}],"provision":[]}`, 409); !strings.Contains(
		fmt.Sprint(out["detail"]),
		"SEN support",
	) {
		t.Errorf("planning before SEN support: %v", out["detail"])
	}
	// Triage → SEN support: the parents are told, the SENDCo asked to agree a plan.
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	j.sent("sen_support_started", parent)
	j.sent("plan_needed", sendco)
	if j.stage(amara) != "sen_support" {
		t.Fatalf("stage = %s", j.stage(amara))
	}
	j.post(sendco, p+"/pathway/triage", `{"decision":"monitor"}`, 409) // nothing waiting for triage

	// Readiness for an educational psychologist: strategies are there, but not their impact, a
	// reviewed plan or consent — and the check says so, criterion by criterion.
	status, ready := j.api.do("GET", p+"/referral-readiness?service=educational_psychology", j.token[sendco], nil, "")
	if status != 200 || ready["ready"] != false {
		t.Fatalf("readiness before a review = %d %v", status, ready)
	}
	missing := fmt.Sprint(ready["criteria"])
	for _, want := range []string{"impact", "support plan", "consent"} {
		if !strings.Contains(missing, want) {
			t.Errorf("readiness does not say %q is missing: %s", want, missing)
		}
	}

	// Plan cycle 1 with a review two months away: the early review below is refused for 53 days
	// of the calendar, five seconds of real time.
	review := j.today(amara).AddDate(0, 0, 60)
	plan := j.post(
		sendco,
		p+"/cycles",
		fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"},{"text":"Asks for help"}],
		"provision":[{"text":"Small group language sessions","frequency":"3 times a week"}],"parentViews":"Happy with the plan","pupilViews":"Likes the group"}`,
			review.Format(time.DateOnly)),
		201,
	)
	if w := fmt.Sprint(plan["pathway"].(map[string]any)["warnings"]); !strings.Contains(
		w,
		"meetings with the parents",
	) {
		t.Errorf("with two parent meetings planned this year the pathway should warn; warnings: %s", w)
	}
	outcomes := plan["outcomes"].([]any)
	ratings := fmt.Sprintf(`[{"outcomeId":%q,"rating":"achieved"},{"outcomeId":%q,"rating":"partly_achieved"}]`,
		outcomes[0].(map[string]any)["id"], outcomes[1].(map[string]any)["id"])
	reviewBody := fmt.Sprintf(
		`{"ratings":%s,"parentViews":"Going well at home","pupilViews":"I like it","nextStep":"refer"}`,
		ratings,
	)
	if out := j.post(teacher, p+"/cycles/1/review", reviewBody, 409); !strings.Contains(
		fmt.Sprint(out["detail"]),
		"not due",
	) {
		t.Errorf("early review refused with %v", out["detail"])
	}
	j.post(
		teacher,
		p+"/cycles/1/provision",
		fmt.Sprintf(`{"description":"Language group","givenOn":%q}`, j.today(amara).Format(time.DateOnly)),
		201,
	)
	// The parents are invited two weeks before; staff reminded a week before.
	if text := j.sent("review_invitation", parent); !strings.Contains(text, review.Format("2 January 2006")) {
		t.Errorf("invitation does not give the review date %s:\n%s", review.Format("2 January 2006"), text)
	}
	j.sent("review_reminder", teacher)
	j.sent("review_reminder_parent", parent)
	j.waitUntil(amara, review.AddDate(0, 0, -7))
	j.post(teacher, p+"/cycles/1/review", reviewBody, 201)
	j.sent("review_outcome", parent)
	j.post(teacher, p+"/cycles/1/review", reviewBody, 409) // already reviewed

	// The teacher records how the strategies worked.
	j.post(
		teacher,
		p+"/concerns/"+concernID+"/impact",
		`{"impacts":[{"strategyId":"ci.s.visual-timetable","impact":"helping"},
		{"strategyId":"ci.s.chunked-instructions","impact":"some_change"},{"strategyId":"ci.s.now-and-next","impact":"no_change"}]}`,
		201,
	)

	// Referral: the parents consent, the check is met, and the SENDCo approves with no override.
	ref := j.post(
		sendco,
		p+"/referrals",
		`{"service":"educational_psychology","reason":"Advice on language support"}`,
		201,
	)
	refID := ref["referralId"].(string)
	j.sent("referral_decision_needed", sendco)
	status, body := page(t, "GET", linkIn(t, j.sent("consent_request", parent), "consent"), nil)
	wantPage(t, "consent page from the email", status, body, 200, "I give consent")
	if out := j.post(sendco, "/v1/referrals/"+refID+"/decision", `{"approve":true}`, 409); !strings.Contains(
		fmt.Sprint(out["detail"]),
		"consent",
	) {
		t.Errorf("approval without consent refused with %v", out["detail"])
	}
	j.post(other, "/v1/referrals/"+refID+"/consent", `{"action":"give"}`, 404) // not their child
	j.post(sendco, "/v1/referrals/"+refID+"/response", `{"kind":"advice","summary":"Too early"}`, 409)
	j.post(parent, "/v1/referrals/"+refID+"/consent", `{"action":"give"}`, 201)
	testenv.Eventually(t, 10*time.Second, "readiness met", func() bool {
		_, r := j.api.do("GET", p+"/referral-readiness?service=educational_psychology", j.token[sendco], nil, "")
		return r["ready"] == true
	})
	j.post(sendco, "/v1/referrals/"+refID+"/decision", `{"approve":true}`, 201)
	j.sent("referral_submitted", "ep.referrals@demoshire.example")
	j.post(sendco, "/v1/referrals/"+refID+"/response", `{"kind":"acknowledged"}`, 201)
	j.post(
		sendco,
		"/v1/referrals/"+refID+"/response",
		`{"kind":"advice","summary":"Use visual supports throughout the day."}`,
		201,
	)
	j.sent("advice_received_parent", parent)
	testenv.Eventually(
		t,
		10*time.Second,
		"referral advice received",
		func() bool { return j.item(amara, "referral/")["status"] == "advice_received" },
	)

	// The evidence pack shows all of it, as printable HTML and as PDF.
	html := j.raw("GET", p+"/evidence-pack?for=educational_psychology", sendco)
	for _, want := range []string{"Visual timetable", "Helping", "Going well at home", "I like it", "Use visual supports throughout the day.", "Follows two-step instructions", "misses or mixes up spoken instructions"} {
		if !strings.Contains(strings.ToLower(html), strings.ToLower(want)) {
			t.Errorf("the evidence pack does not show %q", want)
		}
	}
	if pdf := j.raw("GET", p+"/evidence-pack?for=educational_psychology&format=pdf", sendco); !strings.HasPrefix(
		pdf,
		"%PDF",
	) {
		t.Errorf("the PDF pack is not a PDF: %.20q", pdf)
	}
	j.raw("GET", p+"/evidence-pack?for=educational_psychology", parent) // parents do not fetch packs: 404 below

	// EHC needs assessment: statutory steps in order, the final plan not before parents could comment.
	req := j.post(sendco, p+"/ehc-requests", `{"requestedBy":"school"}`, 201)
	reqID := req["requestId"].(string)
	j.sent("ehc_request_received", parent)
	if j.stage(amara) != "ehc_assessment" {
		t.Fatalf("stage = %s", j.stage(amara))
	}
	ev := func(body string, want int) map[string]any {
		return j.post(sendco, "/v1/ehc-requests/"+reqID+"/events", body, want)
	}
	ev(`{"type":"draft_issued"}`, 409)
	ev(`{"type":"decision_to_assess"}`, 201)
	j.sent("ehc_will_assess", parent)
	ev(`{"type":"advice_received"}`, 409)
	ev(`{"type":"advice_requested"}`, 201)
	ev(`{"type":"advice_received"}`, 201)
	ev(`{"type":"draft_issued"}`, 201)
	j.sent("ehc_draft_issued", parent)
	if out := ev(`{"type":"final_plan_issued"}`, 409); !strings.Contains(fmt.Sprint(out["detail"]), "comment") {
		t.Errorf("final plan during the comment period refused with %v", out["detail"])
	}
	j.waitUntil(amara, j.today(amara).AddDate(0, 0, 61))
	ev(`{"type":"final_plan_issued"}`, 201)
	letter := j.sent("ehc_plan_issued", parent)
	for _, want := range []string{"Tribunal", "Demoshire Mediation Service", "Demoshire SENDIASS"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the plan letter does not state the parents' rights (%q missing):\n%s", want, letter)
		}
	}
	// The letter's link shows the parent what has happened and what comes next.
	status, body = page(t, "GET", linkIn(t, letter, "plan"), nil)
	wantPage(t, "plan page from the plan letter", status, body, 200, "EHC needs assessment and plan",
		"A request was made for an EHC needs assessment.", "The final EHC plan was issued")
	testenv.Eventually(t, 10*time.Second, "stage ehc_plan", func() bool { return j.stage(amara) == "ehc_plan" })

	// Annual review 1: book, invite, hold, report, decide; the next review starts.
	testenv.Eventually(t, 10*time.Second, "annual review 1", func() bool {
		for _, it := range j.pathway(amara)["items"].([]any) {
			if it.(map[string]any)["id"] == "annual-review/1" {
				return true
			}
		}
		return false
	})
	ar := func(body string, want int) { j.post(sendco, p+"/annual-reviews/1/events", body, want) }
	ar(`{"type":"meeting_held"}`, 409) // not booked
	meeting := j.today(amara).AddDate(0, 0, 60)
	ar(fmt.Sprintf(`{"type":"meeting_scheduled","meetingOn":%q}`, meeting.Format(time.DateOnly)), 201)
	if text := j.sent("annual_review_invitation", parent); !strings.Contains(text, meeting.Format("2 January 2006")) {
		t.Errorf("annual review invitation lacks the meeting date:\n%s", text)
	}
	j.waitUntil(amara, meeting)
	ar(`{"type":"meeting_held"}`, 201)
	ar(`{"type":"la_decision","decision":"keep"}`, 409) // report first
	ar(`{"type":"report_sent"}`, 201)
	ar(`{"type":"la_decision","decision":"keep"}`, 201)
	j.sent("annual_review_decision", parent)
	testenv.Eventually(t, 10*time.Second, "annual review 2", func() bool {
		for _, it := range j.pathway(amara)["items"].([]any) {
			if it.(map[string]any)["id"] == "annual-review/2" {
				return true
			}
		}
		return false
	})

	// The story reads as plain words, and every deadline left open is dated.
	pw := j.pathway(amara)
	for _, e := range pw["timeline"].([]any) {
		t.Logf("%s  %s", e.(map[string]any)["at"].(string)[:10], e.(map[string]any)["summary"])
	}
	for _, d := range pw["deadlines"].([]any) {
		t.Logf("due %s: %s", d.(map[string]any)["due"], d.(map[string]any)["what"])
	}
	if n := len(pw["timeline"].([]any)); n < 25 {
		t.Errorf("timeline has %d entries", n)
	}
	for _, d := range pw["deadlines"].([]any) {
		if d.(map[string]any)["what"] == "" || d.(map[string]any)["due"] == "" {
			t.Errorf("deadline without words or date: %v", d)
		}
	}
	recordHistories(t, j.d, "journey", workflows.PathwayWorkflowID(amara), workflows.CycleWorkflowID(amara, 1),
		workflows.ReferralWorkflowID(amara, refID), workflows.EHCWorkflowID(amara, reqID),
		workflows.AnnualReviewWorkflowID(amara, 1), workflows.AnnualReviewWorkflowID(amara, 2))
	var audits int
	_ = j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND outcome = 'refused'`, amara).
		Scan(&audits)
	if audits == 0 {
		t.Error("refused actions were not audited")
	}
}

// TestStatutoryAlertsAndConsentExpiry: with nothing recorded, staff are alerted before the
// six-week decision limit and told when it is missed; a consent request nobody answers is
// reminded after a week and stops after four.
func TestStatutoryAlertsAndConsentExpiry(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := newJourney(t)
	leo := seed.PupilLeoID
	p := "/v1/pupils/" + leo
	j.post(other, p+"/ehc-requests", `{"requestedBy":"parent"}`, 201) // a parent may ask at any time
	text := j.sent("ehc_deadline_at_risk", sendco)
	if !strings.Contains(text, "the decision whether to assess") {
		t.Errorf("alert does not name the milestone:\n%s", text)
	}
	j.sent("ehc_deadline_missed", sendco)

	zain := seed.PupilZainID
	z := "/v1/pupils/" + zain
	j.post(
		"teacher.beech@oakfield.example",
		z+"/concerns",
		`{"areas":["sensory_physical"],"observed":"Squints at the board."}`,
		201,
	)
	j.post(sendco, z+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	ref := j.post(sendco, z+"/referrals", `{"service":"sensory_support","reason":"Vision check"}`, 201)
	refID := ref["referralId"].(string)
	out := j.post(sendco, "/v1/referrals/"+refID+"/decision", `{"approve":true}`, 409)
	if !strings.Contains(fmt.Sprint(out["detail"]), "readiness check is not met") {
		t.Errorf("approval of an unmet check refused with %v", out["detail"])
	}
	j.post(
		sendco,
		"/v1/referrals/"+refID+"/decision",
		`{"approve":true,"overrideReason":"Sight loss suspected: urgent"}`,
		201,
	)
	j.sent("consent_request", "parent.zain@example.org")
	j.sent("consent_reminder", "parent.zain@example.org")
	j.sent("consent_expired", sendco)
	testenv.Eventually(
		t,
		10*time.Second,
		"referral stopped",
		func() bool { return j.item(zain, "referral/")["status"] == "consent_expired" },
	)
	j.post("parent.zain@example.org", "/v1/referrals/"+refID+"/consent", `{"action":"give"}`, 409)
}
