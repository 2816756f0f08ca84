// Package model drives the real dev stack with random sequences of actions — valid, out of turn,
// repeated, sent twice at once, malformed, out of reach — for several pupils, and checks after
// each step against a simple model of the pathway: every answer is the one the model expects,
// every 2xx shows once in the read model, every 4xx changes nothing any reader shows (pathway,
// evidence pack, readiness, caseload, messages), the read model agrees with the workflows, and
// no pathway is left unable to take its next valid action.
//
// It lives in its own package so `go test ./...` runs it beside internal/app's tests. Set
// SENDFLOW_MODEL_SEED to replay a run (the seed is printed) and SENDFLOW_MODEL_STEPS to change
// its length (2,000 by default).
package model

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/app"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/upn"
	"github.com/sendflow/sendflow/workflows"
)

const (
	teacher = "teacher.oak@oakfield.example"
	beech   = "teacher.beech@oakfield.example" // teaches another class: every pupil here is out of reach
	sendco  = "sendco@oakfield.example"
)

// The model of one pupil: what the pathway should show.
type pupil struct {
	id, parent, parentEmail string
	stage                   workflows.Stage
	concerns                []string // ids
	cycles                  []*cycle
	referrals               []*referral
	ehc                     *ehc
	meetings                []*meeting
}

type cycle struct {
	n        int
	reviewed bool
	outcome  string
}

type referral struct {
	id, service  string
	status       workflows.ReferralStatus
	consentGiven bool
}

type ehc struct {
	id                              string
	status                          workflows.EHCStatus
	adviceRequested, adviceReceived bool
	paused                          bool
	before                          workflows.Stage // the stage the request interrupted
}

type meeting struct {
	id        string
	at        time.Time
	cancelled bool
}

// openCycle is the cycle not yet reviewed, if any.
func (p *pupil) openCycle() *cycle {
	for _, c := range p.cycles {
		if !c.reviewed {
			return c
		}
	}
	return nil
}

func (p *pupil) onSupport() bool {
	return p.stage == workflows.StageSENSupport || p.stage == workflows.StageEHCAssessment || p.stage == workflows.StageEHCPlan
}

// step is one request the model chose, with what it expects.
type step struct {
	name      string
	who       string
	method    string
	path      string
	body      string
	key       string
	want      int    // expected status
	exclusive bool   // sent twice at once with two keys, only one can be taken
	apply     func() // the model's change when the action is taken
	answer    func(map[string]any)
}

type run struct {
	t      *testing.T
	rng    *rand.Rand
	seed   uint64
	d      *app.Dev
	base   string
	tokens map[string]string
	pupils []*pupil
	keys   int
	last   *step // the last request taken, to send again
	lastAt map[string]any
	n      int
	stats  map[string]int // what the run tried, for the log
}

func TestModel(t *testing.T) {
	if testing.Short() {
		t.Skip("model-based run")
	}
	steps := 2000
	if v := os.Getenv("SENDFLOW_MODEL_STEPS"); v != "" {
		steps, _ = strconv.Atoi(v)
	}
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv("SENDFLOW_MODEL_SEED"); v != "" {
		s, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (replay with SENDFLOW_MODEL_SEED=%d)", s, s)
	r := &run{t: t, seed: s, rng: rand.New(rand.NewPCG(s, s^0x5eed)), tokens: map[string]string{}, lastAt: map[string]any{}, stats: map[string]int{}}
	r.start()
	for range 8 {
		r.pupils = append(r.pupils, r.newPupil())
	}
	for r.n = 1; r.n <= steps; r.n++ {
		p := r.pupils[r.rng.IntN(len(r.pupils))]
		r.take(p)
		if r.n%25 == 0 {
			for _, q := range r.pupils {
				r.agreesWithWorkflows(q)
			}
		}
		if t.Failed() {
			t.Fatalf("stopped at step %d; replay with SENDFLOW_MODEL_SEED=%d", r.n, r.seed)
		}
	}
	// Every pathway still takes its next valid action.
	for _, p := range r.pupils {
		r.do(p, r.concern(p), false)
		r.agreesWithWorkflows(p)
	}
	if t.Failed() {
		t.Fatalf("replay with SENDFLOW_MODEL_SEED=%d", r.seed)
	}
	t.Logf("%d steps: %v", steps, r.stats)
}

// quickTimings lets a plan be reviewed as soon as it is agreed, in real time.
func quickTimings(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "timings.yaml")
	if err := os.WriteFile(f, []byte("cycle:\n  review_reminder_before: 60d\n  parent_invite_before: 1d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (r *run) start() {
	t := r.t
	env := map[string]string{
		"DATABASE_URL":           testenv.DatabaseURL(t),
		"SENDFLOW_DATA_DIR":      t.TempDir(),
		"SENDFLOW_HTTP_ADDR":     fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		"SENDFLOW_SMTP_PORT":     fmt.Sprint(testenv.FreePort(t)),
		"SENDFLOW_TEMPORAL_PORT": fmt.Sprint(testenv.FreePortRun(t, 4)),
		"SENDFLOW_TASK_QUEUE":    "sendflow-model",
		"SENDFLOW_RATE_LIMIT":    "1000000",
		"SENDFLOW_TIMINGS_FILE":  quickTimings(t),
	}
	cfg, err := config.Parse("dev", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := app.StartDev(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start dev stack: %v", err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	r.d, r.base = d, "http://"+d.HTTP.Addr.String()
	tokens, err := d.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tokens {
		r.tokens[tk.Email] = tk.Token
	}
}

// newPupil adds a pupil with one parent to the Oak class.
func (r *run) newPupil() *pupil {
	n := len(r.pupils) + 1
	email := fmt.Sprintf("parent.model%d@example.org", n)
	status, out := r.call("POST", "/v1/schools/"+seed.DemoSchoolID+"/pupils", sendco, "", fmt.Sprintf(`{"upn":%q,"firstName":"Pupil%d",
		"lastName":"Model","dateOfBirth":"2018-05-01","class":"Oak","parents":[{"name":"Parent %d","email":%q}]}`, upnFor(r.t, n), n, n, email))
	if status != 201 {
		r.t.Fatalf("create pupil: %d %v", status, out)
	}
	p := &pupil{id: out["id"].(string), parentEmail: email, stage: workflows.StageNone}
	if err := r.d.DB.QueryRow(context.Background(), `SELECT user_id::text FROM pupil_parents WHERE pupil_id = $1`, p.id).Scan(&p.parent); err != nil {
		r.t.Fatal(err)
	}
	tok, err := auth.Issue(r.d.Key, p.parent, email, 24*time.Hour, time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	r.tokens[email] = tok
	return p
}

// upnFor makes a valid UPN for the nth pupil.
func upnFor(t *testing.T, n int) string {
	u, err := upn.Make(fmt.Sprintf("8%011d", n))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (r *run) call(method, path, who, key, body string) (int, map[string]any) {
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.tokens[who])
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Errorf("%s %s: %v", method, path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		_ = json.Unmarshal(b, &out)
	}
	if out == nil {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

func (r *run) key() string {
	r.keys++
	return fmt.Sprintf("model-%d-%d", r.seed, r.keys)
}

func (r *run) pick(n int) int { return r.rng.IntN(n) }

// take chooses an action for a pupil, sometimes in an awkward form, and checks it.
func (r *run) take(p *pupil) {
	st := r.choose(p)
	switch x := r.pick(20); {
	case x == 0 && r.last != nil: // the last request again, same key and body: the same answer, nothing new
		r.repeatLast()
	case x == 1 && r.last != nil && variant(r.last.body) != "": // the last key with another request: refused, nothing changes
		r.snapshotAround(p, step{name: "key reused for another request", who: r.last.who, method: r.last.method, path: r.last.path,
			body: variant(r.last.body), key: r.last.key, want: 422}, nil)
	case x == 2:
		r.invalidInput(p)
	case x == 3:
		r.outOfReach(p)
	case x <= 6 && st.exclusive:
		r.doTwice(p, st, true)
	case x == 7:
		r.doTwice(p, st, false) // the same key twice at once
	default:
		r.do(p, st, false)
	}
}

// choose picks one of the pupil's actions, valid or not; the model says which.
func (r *run) choose(p *pupil) step {
	options := []func(*pupil) step{r.concern, r.triage, r.plan, r.review, r.provision, r.openReferral, r.decision,
		r.consent, r.response, r.requestEHC, r.ehcStep, r.arrange, r.move, r.cancel}
	return options[r.pick(len(options))](p)
}

func (r *run) concern(p *pupil) step {
	id := ""
	return step{name: "concern", who: teacher, method: "POST", path: "/v1/pupils/" + p.id + "/concerns",
		body: `{"areas":["communication_and_interaction"],"observed":"Finds spoken instructions hard."}`, want: 201,
		answer: func(out map[string]any) { id, _ = out["concernId"].(string) },
		apply: func() {
			p.concerns = append(p.concerns, id)
			switch p.stage {
			case workflows.StageNone, workflows.StageMonitoring, workflows.StageClosed:
				p.stage = workflows.StageAwaitingTriage
			}
		}}
}

func (r *run) triage(p *pupil) step {
	decisions := []workflows.TriageDecision{workflows.TriageMonitor, workflows.TriageMoreEvidence, workflows.TriageSENSupport, workflows.TriageNoFurtherAction}
	d := decisions[r.pick(len(decisions))]
	if r.pick(2) == 0 {
		d = workflows.TriageSENSupport // the road to everything else
	}
	// Watching (monitor, more evidence) leaves the concern open to triage again: only a decision
	// that closes it is taken once when sent twice.
	st := step{name: "triage " + string(d), who: sendco, method: "POST", path: "/v1/pupils/" + p.id + "/pathway/triage",
		body: fmt.Sprintf(`{"decision":%q}`, d), want: 409, exclusive: d == workflows.TriageSENSupport || d == workflows.TriageNoFurtherAction}
	if p.stage == workflows.StageAwaitingTriage || p.stage == workflows.StageMonitoring {
		st.want = 201
		st.apply = func() {
			switch d {
			case workflows.TriageMonitor, workflows.TriageMoreEvidence:
				p.stage = workflows.StageMonitoring
			case workflows.TriageSENSupport:
				p.stage = workflows.StageSENSupport
			default:
				p.stage = workflows.StageClosed
			}
		}
	}
	return st
}

func (r *run) plan(p *pupil) step {
	review := time.Now().UTC().AddDate(0, 0, 10+r.pick(20)).Format(time.DateOnly)
	st := step{name: "plan", who: sendco, method: "POST", path: "/v1/pupils/" + p.id + "/cycles", want: 409, exclusive: true,
		body: fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],"provision":[{"text":"Language group"}]}`, review)}
	if p.onSupport() && p.openCycle() == nil {
		var c cycle
		st.want = 201
		st.answer = func(out map[string]any) {
			c.n = int(out["cycle"].(float64))
			c.outcome = out["outcomes"].([]any)[0].(map[string]any)["id"].(string)
		}
		st.apply = func() {
			if c.n != len(p.cycles)+1 {
				r.t.Errorf("step %d: the plan opened cycle %d, want %d", r.n, c.n, len(p.cycles)+1)
			}
			p.cycles = append(p.cycles, &c)
		}
	}
	return st
}

// cycleToUse is an existing cycle, or now and then one that does not exist.
func (r *run) cycleToUse(p *pupil) (int, *cycle) {
	if len(p.cycles) == 0 || r.pick(6) == 0 {
		return len(p.cycles) + 1 + r.pick(2), nil
	}
	if c := p.openCycle(); c != nil && r.pick(3) > 0 {
		return c.n, c
	}
	c := p.cycles[r.pick(len(p.cycles))]
	return c.n, c
}

func (r *run) review(p *pupil) step {
	n, c := r.cycleToUse(p)
	outcome := "00000000-0000-4000-8000-000000000000"
	if c != nil {
		outcome = c.outcome
	}
	next := []workflows.NextStep{workflows.NextContinue, workflows.NextRefer, workflows.NextRequestEHCNA, workflows.NextStepDown}[r.pick(4)]
	st := step{name: fmt.Sprintf("review %d (%s)", n, next), who: teacher, method: "POST", path: fmt.Sprintf("/v1/pupils/%s/cycles/%d/review", p.id, n),
		body: fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"partly_achieved"}],"parentViews":"Some progress","nextStep":%q}`, outcome, next),
		want: 409, exclusive: true}
	if c != nil && !c.reviewed {
		st.want = 201
		st.apply = func() {
			c.reviewed = true
			if next == workflows.NextStepDown && p.stage == workflows.StageSENSupport {
				p.stage = workflows.StageMonitoring
			}
		}
	}
	return st
}

func (r *run) provision(p *pupil) step {
	n, c := r.cycleToUse(p)
	st := step{name: fmt.Sprintf("provision %d", n), who: teacher, method: "POST", path: fmt.Sprintf("/v1/pupils/%s/cycles/%d/provision", p.id, n),
		body: fmt.Sprintf(`{"description":"Language group session","givenOn":%q}`, time.Now().UTC().Format(time.DateOnly)), want: 409}
	if c != nil && !c.reviewed {
		st.want, st.apply = 201, func() {}
	}
	return st
}

var services = []string{"educational_psychology", "speech_and_language"}

func (r *run) openReferral(p *pupil) step {
	service := services[r.pick(len(services))]
	st := step{name: "referral to " + service, who: sendco, method: "POST", path: "/v1/pupils/" + p.id + "/referrals",
		body: fmt.Sprintf(`{"service":%q,"reason":"Advice on language support"}`, service), want: 409, exclusive: true}
	open := slices.ContainsFunc(p.referrals, func(x *referral) bool { return x.service == service && !x.status.Finished() })
	if p.onSupport() && !open {
		ref := &referral{service: service, status: workflows.ReferralAwaitingDecision}
		st.want = 201
		st.answer = func(out map[string]any) { ref.id = out["referralId"].(string) }
		st.apply = func() { p.referrals = append(p.referrals, ref) }
	}
	return st
}

// referralToUse is one of the pupil's referrals, or nil when there is none.
func (r *run) referralToUse(p *pupil) *referral {
	if len(p.referrals) == 0 {
		return nil
	}
	return p.referrals[r.pick(len(p.referrals))]
}

// unknownReferral is a referral id no one has: 404 like one out of reach.
const unknownReferral = "7e000000-0000-4000-8000-000000000000"

func (r *run) decision(p *pupil) step {
	ref := r.referralToUse(p)
	approve := r.pick(3) > 0
	body := `{"approve":false}`
	if approve {
		body = `{"approve":true,"overrideReason":"The family asked for it"}`
	}
	if ref == nil {
		return step{name: "decision on no referral", who: sendco, method: "POST", path: "/v1/referrals/" + unknownReferral + "/decision", body: body, want: 404}
	}
	st := step{name: fmt.Sprintf("decision (approve %v)", approve), who: sendco, method: "POST", path: "/v1/referrals/" + ref.id + "/decision",
		body: body, want: 409, exclusive: true}
	if ref.status == workflows.ReferralAwaitingDecision {
		st.want = 201
		st.apply = func() {
			switch {
			case !approve:
				ref.status = workflows.ReferralDeclined
			case ref.consentGiven:
				ref.status = workflows.ReferralSubmitted
			default:
				ref.status = workflows.ReferralAwaitingConsent
			}
		}
	}
	return st
}

func (r *run) consent(p *pupil) step {
	ref := r.referralToUse(p)
	action := []workflows.ConsentAction{workflows.ConsentGive, workflows.ConsentGive, workflows.ConsentRefuse, workflows.ConsentWithdraw}[r.pick(4)]
	body := fmt.Sprintf(`{"action":%q}`, action)
	if ref == nil {
		return step{name: "consent to no referral", who: p.parentEmail, method: "POST", path: "/v1/referrals/" + unknownReferral + "/consent", body: body, want: 404}
	}
	st := step{name: "consent " + string(action), who: p.parentEmail, method: "POST", path: "/v1/referrals/" + ref.id + "/consent",
		body: body, want: 409, exclusive: true}
	asked := ref.status == workflows.ReferralAwaitingConsent || ref.status == workflows.ReferralAwaitingDecision
	switch {
	case (action == workflows.ConsentGive || action == workflows.ConsentRefuse) && asked && !ref.consentGiven:
		st.want = 201
		st.apply = func() {
			switch {
			case action == workflows.ConsentRefuse:
				ref.status = workflows.ReferralConsentRefused
			case ref.status == workflows.ReferralAwaitingConsent:
				ref.consentGiven, ref.status = true, workflows.ReferralSubmitted
			default:
				ref.consentGiven = true
			}
		}
	case action == workflows.ConsentWithdraw && (ref.consentGiven && !ref.status.Finished() || ref.status == workflows.ReferralAwaitingConsent):
		st.want = 201
		st.apply = func() { ref.status = workflows.ReferralWithdrawn }
	}
	return st
}

func (r *run) response(p *pupil) step {
	ref := r.referralToUse(p)
	kind := []workflows.AgencyResponseKind{workflows.AgencyAcknowledged, workflows.AgencyAdvice, workflows.AgencyRejected}[r.pick(3)]
	body := fmt.Sprintf(`{"kind":%q,"summary":"Use visual supports"}`, kind)
	if ref == nil {
		return step{name: "reply to no referral", who: sendco, method: "POST", path: "/v1/referrals/" + unknownReferral + "/response", body: body, want: 404}
	}
	st := step{name: "agency " + string(kind), who: sendco, method: "POST", path: "/v1/referrals/" + ref.id + "/response", body: body, want: 409, exclusive: true}
	sent := ref.status == workflows.ReferralSubmitted || ref.status == workflows.ReferralAcknowledged
	switch {
	case kind == workflows.AgencyAcknowledged && ref.status == workflows.ReferralSubmitted:
		st.want, st.apply = 201, func() { ref.status = workflows.ReferralAcknowledged }
	case kind == workflows.AgencyAdvice && sent:
		st.want, st.apply = 201, func() { ref.status = workflows.ReferralAdviceReceived }
	case kind == workflows.AgencyRejected && sent:
		st.want, st.apply = 201, func() { ref.status = workflows.ReferralRejected }
	}
	return st
}

func (r *run) requestEHC(p *pupil) step {
	st := step{name: "EHC request", who: sendco, method: "POST", path: "/v1/pupils/" + p.id + "/ehc-requests",
		body: `{"requestedBy":"school"}`, want: 409, exclusive: true}
	if p.stage != workflows.StageEHCAssessment && p.stage != workflows.StageEHCPlan {
		e := &ehc{status: workflows.EHCRequested, before: p.stage}
		st.want = 201
		st.answer = func(out map[string]any) { e.id = out["requestId"].(string) }
		st.apply = func() { p.ehc, p.stage = e, workflows.StageEHCAssessment }
	}
	return st
}

func (r *run) ehcStep(p *pupil) step {
	types := []workflows.EHCEventType{workflows.EHCDecidedToAssess, workflows.EHCDecidedNotToAssess, workflows.EHCAdviceRequested,
		workflows.EHCAdviceReceived, workflows.EHCExceptionStarted, workflows.EHCExceptionEnded, workflows.EHCDraftIssued,
		workflows.EHCDecidedNotToIssue, workflows.EHCFinalPlanIssued}
	typ := types[r.pick(len(types))]
	if typ == workflows.EHCDecidedNotToAssess && r.pick(2) == 0 {
		typ = workflows.EHCDecidedToAssess // keep assessments going long enough to see their steps
	}
	body := fmt.Sprintf(`{"type":%q}`, typ)
	if typ == workflows.EHCExceptionStarted {
		body = fmt.Sprintf(`{"type":%q,"reason":"exceptional_personal_circumstances"}`, typ)
	}
	e := p.ehc
	if e == nil {
		return step{name: "EHC step on no request", who: sendco, method: "POST", path: "/v1/ehc-requests/" + unknownReferral + "/events", body: body, want: 404}
	}
	st := step{name: "EHC " + string(typ), who: sendco, method: "POST", path: "/v1/ehc-requests/" + e.id + "/events", body: body, want: 409, exclusive: true}
	finish := func() {
		e.status = workflows.EHCDone
		p.stage = e.before
		switch p.stage {
		case workflows.StageNone, workflows.StageClosed, workflows.StageAwaitingTriage, workflows.StageMonitoring:
			p.stage = workflows.StageSENSupport
		}
	}
	if e.status == workflows.EHCDone {
		return st
	}
	switch typ {
	case workflows.EHCDecidedToAssess:
		if e.status == workflows.EHCRequested {
			st.want, st.apply = 201, func() { e.status = workflows.EHCAssessing }
		}
	case workflows.EHCDecidedNotToAssess:
		if e.status == workflows.EHCRequested {
			st.want, st.apply = 201, finish
		}
	case workflows.EHCAdviceRequested:
		if e.status == workflows.EHCAssessing && !e.adviceRequested {
			st.want, st.apply = 201, func() { e.adviceRequested = true }
		}
	case workflows.EHCAdviceReceived:
		if e.adviceRequested && !e.adviceReceived {
			st.want, st.apply = 201, func() { e.adviceReceived = true }
		}
	case workflows.EHCExceptionStarted:
		if !e.paused {
			st.want, st.apply = 201, func() { e.paused = true }
		}
	case workflows.EHCExceptionEnded:
		if e.paused {
			st.want, st.apply = 201, func() { e.paused = false }
		}
	case workflows.EHCDraftIssued:
		if e.status == workflows.EHCAssessing {
			st.want, st.apply = 201, func() { e.status = workflows.EHCDraft }
		}
	case workflows.EHCDecidedNotToIssue:
		if e.status == workflows.EHCAssessing {
			st.want, st.apply = 201, finish
		}
	}
	// A final plan is refused: parents have 15 days to comment on a draft, and this runs in minutes.
	return st
}

func (r *run) arrange(p *pupil) step {
	at := time.Now().UTC().AddDate(0, 0, 2+r.pick(20)).Truncate(24 * time.Hour).Add(10 * time.Hour)
	st := step{name: "arrange a meeting", who: sendco, method: "POST", path: "/v1/pupils/" + p.id + "/meetings",
		body: fmt.Sprintf(`{"kind":"expectation","startsAt":%q,"location":"The library"}`, at.Format(time.RFC3339)), want: 409}
	if p.stage != workflows.StageNone && p.stage != workflows.StageClosed {
		m := &meeting{at: at}
		st.want = 201
		st.answer = func(out map[string]any) { m.id = out["meeting"].(map[string]any)["meetingId"].(string) }
		st.apply = func() { p.meetings = append(p.meetings, m) }
	}
	return st
}

func (r *run) meetingToUse(p *pupil) *meeting {
	if len(p.meetings) == 0 {
		return nil
	}
	return p.meetings[r.pick(len(p.meetings))]
}

func (r *run) move(p *pupil) step {
	m := r.meetingToUse(p)
	if m == nil {
		return step{name: "move no meeting", who: sendco, method: "POST", path: "/v1/meetings/" + unknownReferral + "/reschedule",
			body: `{"startsAt":"2030-01-01T10:00:00Z"}`, want: 404}
	}
	to := m.at.AddDate(0, 0, 1)
	if r.pick(4) == 0 {
		to = m.at // to the time it is already at: refused
	}
	st := step{name: "move a meeting", who: sendco, method: "POST", path: "/v1/meetings/" + m.id + "/reschedule",
		body: fmt.Sprintf(`{"startsAt":%q}`, to.Format(time.RFC3339)), want: 409, exclusive: true}
	if !m.cancelled && !to.Equal(m.at) && p.stage != workflows.StageNone && p.stage != workflows.StageClosed {
		st.want, st.apply = 201, func() { m.at = to }
	}
	return st
}

func (r *run) cancel(p *pupil) step {
	m := r.meetingToUse(p)
	if m == nil {
		return step{name: "cancel no meeting", who: sendco, method: "POST", path: "/v1/meetings/" + unknownReferral + "/cancel", want: 404}
	}
	st := step{name: "cancel a meeting", who: sendco, method: "POST", path: "/v1/meetings/" + m.id + "/cancel", want: 409, exclusive: true}
	if !m.cancelled && p.stage != workflows.StageNone && p.stage != workflows.StageClosed {
		st.want, st.apply = 201, func() { m.cancelled = true }
	}
	return st
}

// do sends a step once and checks it.
func (r *run) do(p *pupil, st step, quiet bool) {
	if st.want >= 400 {
		r.snapshotAround(p, st, nil)
		return
	}
	st.key = r.key()
	status, out := r.call(st.method, st.path, st.who, st.key, st.body)
	r.taken(p, st, status, out)
}

// taken checks a step expected to be taken and applies it to the model.
func (r *run) taken(p *pupil, st step, status int, out map[string]any) {
	if status != st.want {
		r.t.Errorf("step %d (%s, pupil %s at %s): %d %v, want %d", r.n, st.name, p.id, p.stage, status, out, st.want)
		return
	}
	if st.answer != nil {
		st.answer(out)
	}
	if st.apply != nil {
		st.apply()
	}
	r.last, r.lastAt = &st, out
	r.stats["taken"]++
	r.settled(p)
}

// doTwice sends a step twice at once: with two keys (a double click: an exclusive action is
// taken once), or with one key (a retry racing the first: one answer, taken once).
func (r *run) doTwice(p *pupil, st step, twoKeys bool) {
	if st.want >= 400 {
		r.snapshotAround(p, st, nil)
		return
	}
	keys := []string{r.key(), ""}
	if twoKeys {
		keys[1] = r.key()
	} else {
		keys[1] = keys[0]
	}
	r.stats[fmt.Sprint("sent twice at once, two keys ", twoKeys)]++
	var wg sync.WaitGroup
	statuses, outs := make([]int, 2), make([]map[string]any, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], outs[i] = r.call(st.method, st.path, st.who, keys[i], st.body)
		}()
	}
	wg.Wait()
	ok := 0
	for i := range 2 {
		if statuses[i] == st.want {
			ok++
		} else if !twoKeys || statuses[i] != 409 {
			r.t.Errorf("step %d (%s sent twice at once, two keys %v): %d %v", r.n, st.name, twoKeys, statuses[i], outs[i])
		}
	}
	first := 0
	if statuses[0] != st.want {
		first = 1
	}
	switch {
	case twoKeys && ok != 1:
		r.t.Errorf("step %d (%s sent twice at once): %d taken, want 1", r.n, st.name, ok)
	case !twoKeys && ok != 2:
		r.t.Errorf("step %d (%s sent twice with one key): %d answered, want both with the first's answer", r.n, st.name, ok)
	case !twoKeys && fmt.Sprint(strip(outs[0])) != fmt.Sprint(strip(outs[1])):
		r.t.Errorf("step %d (%s sent twice with one key): two different answers:\n%v\n%v", r.n, st.name, outs[0], outs[1])
	}
	st.key = keys[first]
	r.taken(p, st, statuses[first], outs[first])
}

// repeatLast sends the last request taken again with its key: the first answer comes back.
func (r *run) repeatLast() {
	r.stats["sent again with its key"]++
	st := *r.last
	status, out := r.call(st.method, st.path, st.who, st.key, st.body)
	if status != st.want || fmt.Sprint(strip(out)) != fmt.Sprint(strip(r.lastAt)) {
		r.t.Errorf("step %d (%s sent again with its key): %d %v; want the first answer %v", r.n, st.name, status, out, r.lastAt)
	}
}

// variant is another valid request like body (different words or a day later), or "".
func variant(body string) string {
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) != nil {
		return ""
	}
	for _, k := range []string{"observed", "reason", "summary", "description", "location", "overrideReason", "parentViews"} {
		if v, ok := m[k].(string); ok {
			m[k] = v + " (changed)"
			b, _ := json.Marshal(m)
			return string(b)
		}
	}
	for _, k := range []string{"reviewDate", "startsAt"} {
		if v, ok := m[k].(string); ok {
			m[k] = strings.Replace(v, "T10:", "T11:", 1)
			if k == "reviewDate" {
				d, _ := time.Parse(time.DateOnly, v)
				m[k] = d.AddDate(0, 0, 1).Format(time.DateOnly)
			}
			b, _ := json.Marshal(m)
			return string(b)
		}
	}
	return ""
}

// strip removes what may differ between two copies of one answer.
func strip(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != "$schema" {
			out[k] = v
		}
	}
	return out
}

// invalidInput sends a malformed action: 422, nothing changes.
func (r *run) invalidInput(p *pupil) {
	bad := []step{
		{name: "NUL in what was seen", path: "/v1/pupils/" + p.id + "/concerns", body: `{"areas":["sensory_physical"],"observed":"Seen\u0000 in class"}`},
		{name: "an unknown strategy", path: "/v1/pupils/" + p.id + "/concerns", body: `{"areas":["sensory_physical"],"observed":"x","strategies":[{"strategyId":"made-up","startedOn":"2026-11-02"}]}`},
		{name: "a review date in 9999", path: "/v1/pupils/" + p.id + "/cycles", body: `{"reviewDate":"9999-01-01","outcomes":[{"text":"x"}],"provision":[]}`},
		{name: "a meeting place on two lines", path: "/v1/pupils/" + p.id + "/meetings", body: `{"kind":"expectation","startsAt":"2030-01-01T10:00:00Z","location":"The\nlibrary"}`},
	}
	st := bad[r.pick(len(bad))]
	st.who, st.method, st.want = sendco, "POST", 422
	if strings.HasSuffix(st.path, "/concerns") {
		st.who = teacher
	}
	r.snapshotAround(p, st, nil)
}

// outOfReach sends an action as a teacher of another class: 404, nothing changes.
func (r *run) outOfReach(p *pupil) {
	r.snapshotAround(p, step{name: "a teacher of another class", who: beech, method: "POST", path: "/v1/pupils/" + p.id + "/concerns",
		body: `{"areas":["sensory_physical"],"observed":"Seen in class"}`, want: 404}, nil)
}

// snapshotAround sends a step that must be refused and checks no reader shows any change.
func (r *run) snapshotAround(p *pupil, st step, check func(int, map[string]any)) {
	r.stats[fmt.Sprint("refused ", st.want)]++
	before := r.readers(p)
	if st.key == "" {
		st.key = r.key()
	}
	status, out := r.call(st.method, st.path, st.who, st.key, st.body)
	if check != nil {
		check(status, out)
	} else if status != st.want {
		r.t.Errorf("step %d (%s, pupil %s at %s): %d %v, want %d", r.n, st.name, p.id, p.stage, status, out, st.want)
	}
	if after := r.readers(p); after != before {
		r.t.Errorf("step %d (%s, refused %d) changed what readers show:\n%s", r.n, st.name, status, diff(before, after))
	}
}

var generated = regexp.MustCompile(`Generated on [^<]*`)

// readers is everything a reader of the pupil's record sees, as text.
func (r *run) readers(p *pupil) string {
	var b strings.Builder
	for _, path := range []string{
		"/v1/pupils/" + p.id + "/pathway",
		"/v1/pupils/" + p.id + "/referral-readiness?service=educational_psychology",
		"/v1/schools/" + seed.DemoSchoolID + "/caseload",
	} {
		_, out := r.call("GET", path, sendco, "", "")
		delete(out, "$schema")
		j, _ := json.MarshalIndent(out, "", " ")
		fmt.Fprintf(&b, "%s\n%s\n", path, j)
	}
	_, msgs := r.call("GET", "/v1/pupils/"+p.id+"/messages", sendco, "", "")
	var ids []string // which emails exist; their delivery status moves on by itself
	if list, ok := msgs["messages"].([]any); ok {
		for _, m := range list {
			mm := m.(map[string]any)
			ids = append(ids, fmt.Sprint(mm["template"], " to ", mm["to"]))
		}
	}
	slices.Sort(ids)
	fmt.Fprintf(&b, "messages %v\n", ids)
	_, pack := r.call("GET", "/v1/pupils/"+p.id+"/evidence-pack?for=educational_psychology", sendco, "", "")
	b.WriteString(generated.ReplaceAllString(fmt.Sprint(pack["raw"]), ""))
	return b.String()
}

func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}

// pathwayRead is the read model's pathway of a pupil.
func (r *run) pathwayRead(p *pupil) (workflows.PathwayState, map[string]map[string]any) {
	var st workflows.PathwayState
	var raw []byte
	if err := r.d.DB.QueryRow(context.Background(), `SELECT state FROM pathways WHERE pupil_id = $1`, p.id).Scan(&raw); err == nil {
		_ = json.Unmarshal(raw, &st)
	} else {
		st.Stage = workflows.StageNone
	}
	items := map[string]map[string]any{}
	rows, err := r.d.DB.Query(context.Background(), `SELECT item_id, status, version, coalesce((state ->> 'ReminderSent')::boolean, false)
		FROM pathway_items WHERE pupil_id = $1`, p.id)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var version int64
		var reminded bool
		_ = rows.Scan(&id, &status, &version, &reminded)
		items[id] = map[string]any{"status": status, "version": version, "reminded": reminded}
	}
	return st, items
}

// settled waits until the read model shows the model (children tell the pathway by signal, a
// moment after the action is answered) and the pupil's workflows have finished saving (a change's
// emails are queued just after its state is written), and checks the rows of what was taken.
func (r *run) settled(p *pupil) {
	var last string
	deadline := time.Now().Add(20 * time.Second)
	for {
		last = r.mismatch(p)
		if last == "" {
			last = r.busy(p)
		}
		if last == "" {
			return
		}
		if time.Now().After(deadline) {
			r.t.Errorf("step %d: the read model does not show the model for pupil %s: %s", r.n, p.id, last)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// busy names a workflow of the pupil that is still doing something (a task to run, or an
// activity such as a Commit queuing the emails of a change whose state is already shown), or "".
func (r *run) busy(p *pupil) string {
	ids := []string{workflows.PathwayWorkflowID(p.id)}
	for _, c := range p.cycles {
		ids = append(ids, workflows.CycleWorkflowID(p.id, c.n))
	}
	for _, ref := range p.referrals {
		ids = append(ids, workflows.ReferralWorkflowID(p.id, ref.id))
	}
	if p.ehc != nil {
		ids = append(ids, workflows.EHCWorkflowID(p.id, p.ehc.id))
	}
	for _, id := range ids {
		d, err := r.d.Temporal.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			continue // not started yet, or gone: the read model's check covers what it shows
		}
		if d.GetPendingWorkflowTask() != nil || len(d.GetPendingActivities()) > 0 {
			return id + " is still saving"
		}
	}
	return ""
}

// mismatch says how the read model differs from the model, or "".
func (r *run) mismatch(p *pupil) string {
	st, items := r.pathwayRead(p)
	if st.Stage != p.stage {
		return fmt.Sprintf("stage %s, model %s", st.Stage, p.stage)
	}
	if len(st.Concerns) != len(p.concerns) {
		return fmt.Sprintf("%d concerns, model %d", len(st.Concerns), len(p.concerns))
	}
	if len(st.Cycles) != len(p.cycles) {
		return fmt.Sprintf("%d cycles, model %d", len(st.Cycles), len(p.cycles))
	}
	for i, c := range p.cycles {
		if st.Cycles[i].Reviewed != c.reviewed {
			return fmt.Sprintf("cycle %d reviewed %v, model %v", c.n, st.Cycles[i].Reviewed, c.reviewed)
		}
		want := "active"
		if c.reviewed {
			want = "reviewed"
		}
		if it := items[fmt.Sprintf("cycle/%d", c.n)]; it == nil || it["status"] != want && !(want == "active" && it["status"] == "overdue") {
			return fmt.Sprintf("cycle/%d item %v, model %s", c.n, it, want)
		} else if !c.reviewed && it["reminded"] != true {
			// Here reviews open at once, so the staff reminder is due the moment a cycle starts.
			return fmt.Sprintf("cycle/%d has not sent its reminder yet", c.n)
		}
	}
	if len(st.Referrals) != len(p.referrals) {
		return fmt.Sprintf("%d referrals, model %d", len(st.Referrals), len(p.referrals))
	}
	for i, ref := range p.referrals {
		if st.Referrals[i].ReferralID != ref.id || st.Referrals[i].Status != ref.status {
			return fmt.Sprintf("referral %s on the pathway %s, model %s", ref.id, st.Referrals[i].Status, ref.status)
		}
		if it := items["referral/"+ref.id]; it == nil || it["status"] != string(ref.status) {
			return fmt.Sprintf("referral item %s %v, model %s", ref.id, it, ref.status)
		}
	}
	if e := p.ehc; e != nil {
		if st.EHC == nil || st.EHC.RequestID != e.id {
			return fmt.Sprintf("EHC request %v, model %s", st.EHC, e.id)
		}
		want := string(e.status)
		if e.paused && e.status != workflows.EHCDone {
			want = "paused"
		}
		if it := items["ehc/"+e.id]; it == nil || it["status"] != want {
			return fmt.Sprintf("ehc item %v, model %s", it, want)
		}
	}
	held := 0
	for _, m := range p.meetings {
		held++
		i := slices.IndexFunc(st.MeetingsHeld, func(x workflows.MeetingRef) bool { return x.MeetingID == m.id })
		if i < 0 || st.MeetingsHeld[i].Cancelled != m.cancelled || !st.MeetingsHeld[i].At.Equal(m.at) {
			return fmt.Sprintf("meeting %s on the pathway %+v, model %+v", m.id, st.MeetingsHeld, *m)
		}
	}
	if held != len(st.MeetingsHeld) {
		return fmt.Sprintf("%d meetings, model %d", len(st.MeetingsHeld), held)
	}
	// The rows behind them: one accepted row per record taken, and none refused.
	for table, want := range map[string]int{"concerns": len(p.concerns), "cycle_plans": len(p.cycles), "ehc_requests": b2i(p.ehc != nil)} {
		if got := r.count(`SELECT count(*) FROM `+table+` WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, p.id); got < want || table != "ehc_requests" && got != want {
			return fmt.Sprintf("%d accepted rows in %s, model %d", got, table, want)
		}
	}
	if got := r.count(`SELECT count(*) FROM referrals WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, p.id); got != len(p.referrals) {
		return fmt.Sprintf("%d accepted referrals, model %d", got, len(p.referrals))
	}
	return ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *run) count(sql string, args ...any) int {
	var n int
	if err := r.d.DB.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// agreesWithWorkflows checks the read model against each workflow's own state, by query.
func (r *run) agreesWithWorkflows(p *pupil) {
	if p.stage == workflows.StageNone {
		return
	}
	ctx := context.Background()
	query := func(id string, into any) {
		v, err := r.d.Temporal.QueryWorkflow(ctx, id, "", workflows.QueryState)
		if err == nil {
			err = v.Get(into)
		}
		if err != nil {
			r.t.Errorf("step %d: query %s: %v", r.n, id, err)
		}
	}
	var deadline = time.Now().Add(20 * time.Second)
	for {
		var wf workflows.PathwayState
		query(workflows.PathwayWorkflowID(p.id), &wf)
		read, items := r.pathwayRead(p)
		problem := ""
		if wf.Version != read.Version || wf.Stage != read.Stage {
			problem = fmt.Sprintf("pathway: workflow version %d stage %s, read model version %d stage %s", wf.Version, wf.Stage, read.Version, read.Stage)
		}
		for _, c := range wf.Cycles {
			var cs workflows.CycleState
			query(workflows.CycleWorkflowID(p.id, c.Number), &cs)
			if it := items[fmt.Sprintf("cycle/%d", c.Number)]; it == nil || it["version"] != cs.Version || it["status"] != cs.Status {
				problem = fmt.Sprintf("cycle %d: workflow version %d %s, read model %v", c.Number, cs.Version, cs.Status, it)
			}
		}
		for _, ref := range wf.Referrals {
			var rs workflows.ReferralState
			query(workflows.ReferralWorkflowID(p.id, ref.ReferralID), &rs)
			if it := items["referral/"+ref.ReferralID]; it == nil || it["version"] != rs.Version || it["status"] != string(rs.Status) {
				problem = fmt.Sprintf("referral %s: workflow version %d %s, read model %v", ref.ReferralID, rs.Version, rs.Status, it)
			}
		}
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			r.t.Errorf("step %d: pupil %s: %s", r.n, p.id, problem)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
