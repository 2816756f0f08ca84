package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// issueEHCPlan takes a pupil from a concern to an issued EHC plan (compressed time).
func (j *journey) issueEHCPlan(pupil string) {
	j.t.Helper()
	p := "/v1/pupils/" + pupil
	req := j.post(sendco, p+"/ehc-requests", `{"requestedBy":"school"}`, 201)
	ev := func(body string) { j.post(sendco, "/v1/ehc-requests/"+req["requestId"].(string)+"/events", body, 201) }
	for _, e := range []string{"decision_to_assess", "advice_requested", "advice_received", "draft_issued"} {
		ev(`{"type":"` + e + `"}`)
	}
	j.waitUntil(pupil, j.today(pupil).AddDate(0, 0, 61))
	ev(`{"type":"final_plan_issued"}`)
	testenv.Eventually(j.t, 20*time.Second, "the plan in the read model", func() bool { return j.stage(pupil) == "ehc_plan" })
}

// TestEHCPlanProvision is the first gap of costed provision: for a pupil with an EHC plan, the
// plan's section F provision is tracked as a support plan's is. Before a plan is issued nothing
// can be recorded; once it is, the SENDCo records items (from the catalogue or in the plan's
// words, with sessions a week), the same item saved 8 times at once is one item, bad input names
// its field and changes nothing, sessions are logged against the items, and the provision map,
// the pupil's page and the caseload show them — costed, marked as EHC plan provision, and a
// shortfall flagged as a statutory matter in words.
func TestEHCPlanProvision(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	nia, _ := j.newFamily("Nia")
	p := "/v1/pupils/" + nia
	j.onSENSupport(nia)
	items := func() int {
		return j.scalar(`SELECT count(*) FROM ehc_provision_items WHERE pupil_id = $1`, nia)
	}

	// No plan yet: refused with the reason, nothing recorded.
	if out := j.post(sendco, p+"/ehc-provision", `{"itemId":"talk-boost","sessionsPerWeek":2}`, 409); !strings.Contains(
		fmt.Sprint(out["detail"]), "no EHC plan") {
		t.Errorf("recording before the plan is issued: %v", out["detail"])
	}
	j.issueEHCPlan(nia)

	// The same item saved 8 times at once, each with its own key (a double click, a retry that
	// does not know the first got through): one item, one success, the others told it is there.
	answers, unrelated := j.burst(8, func(i int) reply {
		return j.call("POST", p+"/ehc-provision", sendco, fmt.Sprintf("ehc-item-%d", i),
			`{"itemId":"talk-boost","sessionsPerWeek":2}`)
	})
	exactlyOne(t, "the same item saved 8 times", answers, unrelated, 409)
	if n := items(); n != 1 {
		t.Fatalf("%d items after 8 saves of one, want 1", n)
	}
	var talk string
	for _, a := range answers {
		if a.status == 201 {
			talk, _ = a.body["id"].(string)
		} else if !strings.Contains(fmt.Sprint(a.body["detail"]), "already has") {
			t.Errorf("a repeat was answered %v", a.body)
		}
	}
	// The same save sent again with its key answers as the first did.
	if again := j.call("POST", p+"/ehc-provision", sendco, "ehc-item-0", `{"itemId":"talk-boost","sessionsPerWeek":2}`); again.status != answers[0].status {
		t.Errorf("the first save sent again = %d, first answered %d", again.status, answers[0].status)
	}
	slt := j.post(sendco, p+"/ehc-provision", `{"text":"Speech and language therapy from the NHS therapist","sessionsPerWeek":1}`, 201)["id"].(string)

	// Bad input names the field and changes nothing; a teacher cannot record the plan's provision.
	for body, field := range map[string]string{
		`{"itemId":"talk-boost","sessionsPerWeek":0}`:            "body.sessionsPerWeek",
		`{"sessionsPerWeek":1}`:                                  "body.text",
		`{"itemId":"no-such-thing","sessionsPerWeek":1}`:         "body.itemId",
		`{"itemId":"talk-boost","text":"x","sessionsPerWeek":1}`: "body.text",
	} {
		out := j.post(sendco, p+"/ehc-provision", body, 422)
		if !strings.Contains(fmt.Sprint(out), field) {
			t.Errorf("%s: problem %v does not name %s", body, out, field)
		}
	}
	j.post(teacher, p+"/ehc-provision", `{"text":"Something else","sessionsPerWeek":1}`, 404)
	if n := items(); n != 2 {
		t.Errorf("%d items, want 2", n)
	}

	// Sessions logged from the paper record: the language group, promised twice a week, given
	// once in each of the last two complete weeks (behind); therapy once a week (on track).
	// The last two school weeks on the demo's term dates (a holiday week is not judged).
	weeks := seed.SchoolWeeks(time.Now().UTC(), 2)
	log := func(item string, day time.Time) {
		j.post(teacher, p+"/ehc-provision/"+item+"/sessions", fmt.Sprintf(`{"givenOn":%q}`, day.Format(time.DateOnly)), 201)
	}
	log(talk, weeks[1])
	log(talk, weeks[0])
	log(slt, weeks[1].AddDate(0, 0, 1))
	log(slt, weeks[0].AddDate(0, 0, 1))
	j.post(teacher, p+"/ehc-provision/"+nia+"/sessions", `{"givenOn":"2026-01-05"}`, 404) // not an item

	// The pupil's provision: costed at section F's 2 a week (£175.50 a year), marked as EHC plan
	// provision, the shortfall a statutory matter.
	status, mine := j.api.do("GET", p+"/provision", j.token[sendco], nil, "")
	if status != 200 || mine["total"].(map[string]any)["costPerYear"] != "175.50" {
		t.Fatalf("pupil provision = %d %v", status, mine)
	}
	for _, l := range mine["lines"].([]any) {
		line := l.(map[string]any)
		behind := line["itemId"] == "talk-boost"
		if line["ehcPlan"] != true || line["behind"] != behind ||
			strings.Contains(line["deliveryNow"].(string), "statutory matter") != behind {
			t.Errorf("line %v: want EHC plan provision, behind %v", line, behind)
		}
	}
	status, m := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/provision-map", j.token[sendco], nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(m["behind"]), "Nia") || !strings.Contains(fmt.Sprint(m["behind"]), "ehcPlan:true") {
		t.Errorf("provision map = %d, behind %v", status, m["behind"])
	}

	// The pages: the caseload flag says it in words; the pupil's page marks the plan's provision.
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	status, body := b.Get("/")
	wantPage(t, "the caseload", status, body, 200, "EHC plan provision behind",
		"Language group (Talk Boost style): 2 sessions a week promised", "a shortfall is a statutory matter")
	status, body = b.Get("/pupils/" + nia)
	wantPage(t, "the pupil's page", status, body, 200, "EHC plan</strong>", "Speech and language therapy from the NHS therapist",
		"1 session a week", "£175.50")
	status, body = b.Get("/schools/" + seed.DemoSchoolID + "/provision")
	wantPage(t, "the provision map", status, body, 200, "EHC plan</strong>", "a shortfall is a statutory matter")

	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'ehc_provision:update' AND pupil_id = $1 AND outcome = 'ok'`, nia); n != 2 {
		t.Errorf("%d audited saves, want 2", n)
	}

	// The plan changes at its annual review: the language group ends from today (it stays on
	// record and is no longer judged, so no statutory shortfall is shown for it), and the plan's
	// new once-a-week group is recorded again. Ending it again keeps the first day; a teacher
	// cannot end it. Therapy ended two school weeks ago: a session given since is not logged
	// against it.
	today := time.Now().UTC().Format(time.DateOnly)
	j.post(teacher, p+"/ehc-provision/"+talk+"/end", fmt.Sprintf(`{"endedOn":%q}`, today), 404)
	// Ended eight times at once (a double click, two SENDCos): every copy is answered with the
	// one end; the item is ended once.
	ends, _ := j.burst(8, func(i int) reply {
		return j.call("POST", p+"/ehc-provision/"+talk+"/end", sendco, "", fmt.Sprintf(`{"endedOn":%q}`, today))
	})
	for _, a := range ends {
		if a.status != 200 || a.body["endedOn"] != today {
			t.Errorf("an end sent at once with others = %d %v, want 200 ended %s", a.status, a.body, today)
		}
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'ehc_provision:update' AND pupil_id = $1 AND outcome = 'ok'`, nia); n != 10 {
		t.Errorf("%d audited saves and ends, want 10 (2 saves, 8 ends answered)", n)
	}
	if again := j.post(sendco, p+"/ehc-provision/"+talk+"/end", `{"endedOn":"2026-01-05"}`, 200); again["endedOn"] != today {
		t.Errorf("ending again moved the end to %v", again["endedOn"])
	}
	j.post(sendco, p+"/ehc-provision/"+talk+"/end", `{"endedOn":"not a date"}`, 422)
	status, mine = j.api.do("GET", p+"/provision", j.token[sendco], nil, "")
	if status != 200 || strings.Contains(fmt.Sprint(mine["lines"]), "talk-boost") {
		t.Errorf("after the end the pupil's provision still judges the language group: %d %v", status, mine["lines"])
	}
	status, m = j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/provision-map", j.token[sendco], nil, "")
	if status != 200 || strings.Contains(fmt.Sprint(m["behind"]), "Nia") {
		t.Errorf("after the end the map still flags Nia: %d %v", status, m["behind"])
	}
	j.post(sendco, p+"/ehc-provision", `{"itemId":"talk-boost","sessionsPerWeek":1}`, 201)
	if n := j.scalar(`SELECT count(*) FROM ehc_provision_items WHERE pupil_id = $1 AND ended_on IS NULL`, nia); n != 2 {
		t.Errorf("%d items promised after the change, want 2 (therapy and the new group)", n)
	}
	ended2 := j.post(sendco, p+"/ehc-provision/"+slt+"/end", fmt.Sprintf(`{"endedOn":%q}`, weeks[1].Format(time.DateOnly)), 200)
	if ended2["endedOn"] != weeks[1].Format(time.DateOnly) {
		t.Fatalf("therapy ended = %v", ended2)
	}
	j.post(teacher, p+"/ehc-provision/"+slt+"/sessions", fmt.Sprintf(`{"givenOn":%q}`, weeks[0].Format(time.DateOnly)), 409)
}
