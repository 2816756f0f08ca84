package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// Issue 10: a record becomes part of a child's history only when the pathway accepts it. These
// tests drive the real dev stack the way a user (or an attacker, or a double click) would.

// reply is one answer of the API, safe to collect from many goroutines.
type reply struct {
	status int
	body   map[string]any
	took   time.Duration
	err    error
}

// call sends one request without touching testing.T, so goroutines may use it.
func (j *journey) call(method, path, who, key, body string) reply {
	req, err := http.NewRequest(method, j.api.base+path, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+j.token[who])
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, took: time.Since(start)}
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/") {
		_ = json.Unmarshal(b, &r.body)
	}
	return r
}

// parallel runs n copies of f at once and returns their answers.
func parallel[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// evidence is the evidence pack's HTML, as an agency or the local authority would receive it.
func (j *journey) evidence(pupil, service string) string {
	j.t.Helper()
	return j.raw("GET", "/v1/pupils/"+pupil+"/evidence-pack?for="+service, sendco)
}

// readiness is the readiness check's criteria as the SENDCo sees them.
func (j *journey) readiness(pupil, service string) string {
	j.t.Helper()
	status, out := j.api.do("GET", "/v1/pupils/"+pupil+"/referral-readiness?service="+service, j.token[sendco], nil, "")
	if status != 200 {
		j.t.Fatalf("readiness = %d %v", status, out)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// rows counts the rows of a record table that belong to a pupil (directly or through a referral).
func (j *journey) rows(table, pupil string) int {
	j.t.Helper()
	switch table {
	case "consent_records", "agency_responses":
		return j.scalar(
			`SELECT count(*) FROM `+table+` x JOIN referrals r ON r.id = x.referral_id WHERE r.pupil_id = $1`,
			pupil,
		)
	}
	return j.scalar(`SELECT count(*) FROM `+table+` WHERE pupil_id = $1`, pupil)
}

// workflowStage is the stage the pupil's pathway workflow itself holds (by query), to compare
// with the read model.
func (j *journey) workflowStage(pupil string) string {
	j.t.Helper()
	v, err := j.d.Temporal.QueryWorkflow(
		context.Background(),
		workflows.PathwayWorkflowID(pupil),
		"",
		workflows.QueryState,
	)
	if err != nil {
		j.t.Fatalf("query pathway: %v", err)
	}
	var st workflows.PathwayState
	if err := v.Get(&st); err != nil {
		j.t.Fatal(err)
	}
	return string(st.Stage)
}

// TestRefusedActionsLeaveNoRecord: every action the pathway refuses answers 409 (or 404 for
// something that was never there) and leaves nothing any reader shows: no row, nothing in the
// evidence pack an agency or the council receives, nothing counted by the readiness check.
func TestRefusedActionsLeaveNoRecord(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: nothing here waits for the calendar
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions.",
		"strategies":[{"strategyId":"ci.s.visual-timetable","startedOn":"2026-11-02"}]}`,
		201,
	)

	// A referral before SEN support is refused; consent and advice to it then find no referral.
	ref := j.call(
		"POST",
		p+"/referrals",
		sendco,
		"r1",
		`{"service":"educational_psychology","reason":"REFUSED-REFERRAL"}`,
	)
	if ref.status != 409 {
		t.Fatalf("referral before SEN support = %d %v, want 409", ref.status, ref.body)
	}
	if n := j.rows("referrals", amara); n != 0 {
		t.Errorf("a refused referral left %d referral rows", n)
	}

	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	review := j.today(amara).AddDate(0, 0, 40)
	plan := j.post(
		sendco,
		p+"/cycles",
		fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],
		"provision":[{"text":"Language group","frequency":"weekly"}]}`, review.Format(time.DateOnly)),
		201,
	)
	outcome := plan["outcomes"].([]any)[0].(map[string]any)["id"]

	// A second plan while cycle 1 is open.
	second := j.call(
		"POST",
		p+"/cycles",
		sendco,
		"plan2",
		fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"REFUSED-PLAN-OUTCOME"}],"provision":[],
		"parentViews":"REFUSED-PLAN-VIEWS"}`, review.AddDate(0, 1, 0).Format(time.DateOnly)),
	)
	if second.status != 409 {
		t.Fatalf("second plan = %d %v, want 409", second.status, second.body)
	}
	// A review before it is due.
	early := j.call("POST", p+"/cycles/1/review", teacher, "rev1", fmt.Sprintf(
		`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"parentViews":"REFUSED-REVIEW-VIEWS","nextStep":"refer"}`,
		outcome,
	))
	if early.status != 409 {
		t.Fatalf("early review = %d %v, want 409", early.status, early.body)
	}
	// Provision for a cycle that does not exist.
	ghost := j.call(
		"POST",
		p+"/cycles/7/provision",
		teacher,
		"prov7",
		fmt.Sprintf(`{"description":"REFUSED-PROVISION","givenOn":%q}`, j.today(amara).Format(time.DateOnly)),
	)
	if ghost.status != 409 && ghost.status != 404 {
		t.Fatalf("provision for cycle 7 = %d %v, want 409 or 404", ghost.status, ghost.body)
	}

	// A referral that is open but not sent: advice on it is refused; so is a second EHC request.
	open := j.post(sendco, p+"/referrals", `{"service":"educational_psychology","reason":"Advice on language"}`, 201)
	refID := open["referralId"].(string)
	advice := j.call(
		"POST",
		"/v1/referrals/"+refID+"/response",
		sendco,
		"adv1",
		`{"kind":"advice","summary":"REFUSED-ADVICE"}`,
	)
	if advice.status != 409 {
		t.Fatalf("advice on a referral never sent = %d %v, want 409", advice.status, advice.body)
	}
	if ref.body != nil && ref.body["referralId"] != nil { // only if the refused referral said its id
		t.Errorf("a refused referral answered with an id: %v", ref.body)
	}
	j.post(sendco, p+"/ehc-requests", `{"requestedBy":"school"}`, 201)
	if again := j.call("POST", p+"/ehc-requests", sendco, "ehc2", `{"requestedBy":"school"}`); again.status != 409 {
		t.Fatalf("second EHC request = %d %v, want 409", again.status, again.body)
	}

	for table, want := range map[string]int{"cycle_plans": 1, "cycle_reviews": 0, "provision_log": 0, "agency_responses": 0,
		"consent_records": 0, "ehc_requests": 1, "referrals": 1} {
		if n := j.rows(table, amara); n != want {
			t.Errorf("%s has %d rows for the pupil, want %d: a refused action left its record", table, n, want)
		}
	}
	pack := j.evidence(amara, "educational_psychology")
	for _, refused := range []string{"REFUSED-PLAN-OUTCOME", "REFUSED-PLAN-VIEWS", "REFUSED-REVIEW-VIEWS", "REFUSED-PROVISION", "REFUSED-ADVICE", "reviewed on",
		"Advice from professionals and services"} {
		if strings.Contains(pack, refused) {
			t.Errorf("the evidence pack shows %q from a refused action", refused)
		}
	}
	if r := j.readiness(amara, "educational_psychology"); strings.Contains(r, "advice received") {
		t.Errorf("readiness counts refused advice: %s", r)
	}
}

// TestTwoConcernsWithStrategies: a second concern with strategies in another area is taken like
// the first, and the pupil's pathway goes on working (it once hit the deadlines key and wedged).
func TestTwoConcernsWithStrategies(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: nothing here waits for the calendar
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions.",
		"strategies":[{"strategyId":"ci.s.visual-timetable","startedOn":"2026-11-02"}]}`,
		201,
	)
	second := j.call(
		"POST",
		p+"/concerns",
		teacher,
		"c2",
		`{"areas":["cognition_and_learning"],"observed":"Reading is behind.",
		"strategies":[{"strategyId":"cl.s.worked-examples","startedOn":"2026-11-09"}]}`,
	)
	if second.status != 201 || second.took > 10*time.Second {
		t.Fatalf("second concern = %d after %s: %v", second.status, second.took, second.body)
	}
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	if got, want := j.stage(amara), j.workflowStage(amara); got != "sen_support" || got != want {
		t.Errorf("read model says %s, the workflow %s; want sen_support in both", got, want)
	}
	n := 0
	for _, d := range j.pathway(amara)["deadlines"].([]any) {
		if strings.Contains(fmt.Sprint(d), "classroom strategies") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the pathway shows %d trial-window deadlines, want one per concern (2)", n)
	}
}

// consentLink walks a pupil to an open referral and returns the parent's consent link.
func (j *journey) consentLink(pupil string) (referralID, link string) {
	j.t.Helper()
	p := "/v1/pupils/" + pupil
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	ref := j.post(sendco, p+"/referrals", `{"service":"educational_psychology","reason":"Advice on language"}`, 201)
	return ref["referralId"].(string), linkIn(j.t, j.sent("consent_request", parent), "consent")
}

// tap posts a one-tap form without touching testing.T.
func tap(link string, form url.Values) reply {
	u, err := url.Parse(link)
	if err != nil {
		return reply{err: err}
	}
	form.Set("t", u.Query().Get("t"))
	u.RawQuery = ""
	start := time.Now()
	resp, err := http.PostForm(u.String(), form)
	if err != nil {
		return reply{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return reply{status: resp.StatusCode, took: time.Since(start)}
}

// TestParallelTapsOnOneConsentLink: a parent tapping "I give consent" eight times at once gets
// one answer recorded: one tap succeeds, the others are told the link was used, within seconds;
// the consent row, the referral workflow and the read model agree; other readers stay fast.
func TestParallelTapsOnOneConsentLink(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: nothing here waits for the calendar
	amara := seed.PupilAmaraID
	refID, link := j.consentLink(amara)
	var slowRead time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // an unrelated read while the taps land
		defer wg.Done()
		time.Sleep(100 * time.Millisecond)
		slowRead = j.call("GET", "/v1/pupils/"+seed.PupilLeoID+"/pathway", sendco, "", "").took
	}()
	taps := parallel(8, func(int) reply {
		return tap(link, url.Values{"action": {"give"}, "version": {"consent-v1"}})
	})
	wg.Wait()
	ok := 0
	for i, r := range taps {
		switch {
		case r.err != nil:
			t.Errorf("tap %d: %v", i, r.err)
		case r.status == 200:
			ok++
		case r.status != 410 && r.status != 409:
			t.Errorf("tap %d answered %d; want 200 for one and 410 (used) for the others", i, r.status)
		}
		if r.took > 10*time.Second {
			t.Errorf("tap %d took %s", i, r.took)
		}
	}
	if ok != 1 {
		t.Errorf("%d taps succeeded, want exactly 1", ok)
	}
	if slowRead > 5*time.Second {
		t.Errorf("an unrelated read took %s while the taps landed", slowRead)
	}
	if n := j.scalar(`SELECT count(*) FROM consent_records WHERE referral_id = $1`, refID); n != 1 {
		t.Errorf("%d consent rows, want 1", n)
	}
	v, err := j.d.Temporal.QueryWorkflow(
		context.Background(),
		workflows.ReferralWorkflowID(amara, refID),
		"",
		workflows.QueryState,
	)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.ReferralState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	if !st.ConsentGiven {
		t.Errorf("the referral workflow does not hold the consent that was recorded")
	}
	if status := tap(link, url.Values{"action": {"give"}, "version": {"consent-v1"}}).status; status != 410 {
		t.Errorf("the used link answered %d afterwards, want 410", status)
	}
}

// TestInputsTheCoreCannotCarryAreRefused: what the edge accepts the whole pathway can carry; the
// rest is refused with 422 naming the field, and changes nothing.
func TestInputsTheCoreCannotCarryAreRefused(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: nothing here waits for the calendar
	school := seed.DemoSchoolID
	before := j.pupilCount()
	pupil := func(first, email string) string {
		b, _ := json.Marshal(
			map[string]any{"upn": newUPN(), "firstName": first, "lastName": "Example", "dateOfBirth": "2018-05-01",
				"parents": []map[string]string{{"name": "Jo Example", "email": email}}},
		)
		return string(b)
	}
	for name, body := range map[string]string{
		"first name with a line break": pupil("Amy\r\nBcc: x@y.org", "jo@example.org"),
		"parent email with a name":     pupil("Amy", `"Mallory" <m@x.org>`),
		"first name with a NUL":        pupil("Amy\u0000", "jo2@example.org"),
	} {
		if r := j.call("POST", "/v1/schools/"+school+"/pupils", sendco, "", body); r.status != 422 {
			t.Errorf("%s: %d %v, want 422", name, r.status, r.body)
		}
	}
	if n := j.pupilCount(); n != before {
		t.Errorf("refused pupils were stored: %d pupils, had %d", n, before)
	}
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	if r := j.call("POST", p+"/concerns", teacher, "", `{"areas":["sensory_physical"],"observed":"Seen\u0000 in class"}`); r.status != 422 {
		t.Errorf("a NUL byte in what was seen: %d %v, want 422", r.status, r.body)
	}
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	if r := j.call("POST", p+"/meetings", sendco, "", `{"kind":"expectation","startsAt":"9999-01-12T10:00:00Z","location":"The library"}`); r.status != 422 {
		t.Errorf("a meeting in 9999: %d %v, want 422", r.status, r.body)
	}
	if n := j.scalar(`SELECT count(*) FROM meetings WHERE pupil_id = $1`, amara); n != 0 {
		t.Errorf("a refused meeting left %d rows", n)
	}
}

// TestOneIdempotencyKeyManyBodies: ten requests at once with one key and ten different bodies:
// one runs; the others get its answer back (same body) or 422 (different body); one concern.
func TestOneIdempotencyKeyManyBodies(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: nothing here waits for the calendar
	amara := seed.PupilAmaraID
	answers := parallel(10, func(i int) reply {
		return j.call("POST", "/v1/pupils/"+amara+"/concerns", teacher, "same-key",
			fmt.Sprintf(`{"areas":["communication_and_interaction"],"observed":"Body %d"}`, i))
	})
	created := 0
	for i, a := range answers {
		switch a.status {
		case 201:
			created++
		case 422:
		default:
			t.Errorf("request %d: %d %v", i, a.status, a.body)
		}
	}
	if created != 1 {
		t.Errorf("%d of 10 different bodies with one key were answered 201, want 1", created)
	}
	if n := concernCount(t, j.d, amara); n != 1 {
		t.Errorf("%d concerns stored, want 1", n)
	}
}
