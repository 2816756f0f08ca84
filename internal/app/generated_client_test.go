package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/sendflow/sendflow/api"
	"github.com/sendflow/sendflow/internal/apiclient"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

const apiclientDir = "../apiclient"

// TestGeneratedClientIsCurrent: the committed OpenAPI 3.0 document is the one the API describes
// now, and the committed client is what oapi-codegen makes of it, so a client generated from
// `sendflow openapi --version 3.0` is the client TestGeneratedClientDrivesThePathway proves.
func TestGeneratedClientIsCurrent(t *testing.T) {
	t.Parallel()
	now, err := api.New(http.NewServeMux(), api.Deps{}).OpenAPI().Downgrade()
	if err != nil {
		t.Fatalf("downgrade the OpenAPI document to 3.0: %v", err)
	}
	committed, err := os.ReadFile(filepath.Join(apiclientDir, "openapi-3.0.json"))
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/apiclient", err)
	}
	var want, got any
	if err := json.Unmarshal(now, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(committed, &got); err != nil {
		t.Fatalf("internal/apiclient/openapi-3.0.json is not JSON (%v): run go generate ./internal/apiclient", err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("internal/apiclient/openapi-3.0.json differs from the API's OpenAPI document (first difference at %s): run go generate ./internal/apiclient",
			firstDifference("$", want, got))
	}

	// The client is oapi-codegen's output for that document with the committed configuration.
	if testing.Short() {
		return
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run oapi-codegen with")
	}
	cfg, err := os.ReadFile(filepath.Join(apiclientDir, "oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string // the configuration without its output file: oapi-codegen then prints the code
	for _, l := range strings.Split(string(cfg), "\n") {
		if !strings.HasPrefix(l, "output:") {
			lines = append(lines, l)
		}
	}
	tmp := filepath.Join(t.TempDir(), "oapi-codegen.yaml")
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	spec, err := filepath.Abs(filepath.Join(apiclientDir, "openapi-3.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "tool", "oapi-codegen", "-config", tmp, spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	code, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool oapi-codegen: %v\n%s", err, stderr.Bytes())
	}
	gen, err := os.ReadFile(filepath.Join(apiclientDir, "client.gen.go"))
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/apiclient", err)
	}
	if !bytes.Equal(bytes.TrimSpace(code), bytes.TrimSpace(gen)) {
		t.Fatal("internal/apiclient/client.gen.go is not oapi-codegen's output for openapi-3.0.json: run go generate ./internal/apiclient")
	}
}

// firstDifference names the first place two decoded JSON values differ.
func firstDifference(at string, a, b any) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return at
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok {
				return at + "." + k + " (missing from the file)"
			}
			if !reflect.DeepEqual(v, w) {
				return firstDifference(at+"."+k, v, w)
			}
		}
		for k := range bm {
			if _, ok := a[k]; !ok {
				return at + "." + k + " (no longer in the API)"
			}
		}
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return at
		}
		for i := range a {
			if !reflect.DeepEqual(a[i], bs[i]) {
				return firstDifference(fmt.Sprintf("%s[%d]", at, i), a[i], bs[i])
			}
		}
	}
	return at
}

// generatedClient is the client oapi-codegen made, signed in as one person. Every request carries
// the person's bearer token, and every action its own Idempotency-Key unless the call set one.
func generatedClient(t *testing.T, base, token string) *apiclient.ClientWithResponses {
	t.Helper()
	var n atomic.Int64
	c, err := apiclient.NewClientWithResponses(base, apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		if req.Method != http.MethodGet && req.Header.Get("Idempotency-Key") == "" {
			req.Header.Set("Idempotency-Key", fmt.Sprintf("generated-client-%d-%d", time.Now().UnixNano(), n.Add(1)))
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answer is what every generated response has.
type answer interface {
	StatusCode() int
	GetBody() []byte
}

// expect fails the test unless a call answered with the status; it returns the typed response.
func expect[R answer](t *testing.T, what string, want int, r R, err error) R {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if r.StatusCode() != want {
		t.Fatalf("%s = %d, want %d: %s", what, r.StatusCode(), want, r.GetBody())
	}
	return r
}

// refusal is a response that can carry the typed 409 problem.
type refusal interface {
	answer
	GetApplicationproblemJSON409() *apiclient.ErrorModel
}

// refused checks an out-of-order action is refused with the typed 409 problem, whose detail tells
// the person why in words that mention the phrase.
func refused[R refusal](t *testing.T, what, phrase string, r R, err error) {
	t.Helper()
	expect(t, what, http.StatusConflict, r, err)
	p := r.GetApplicationproblemJSON409()
	if p == nil || p.Detail == nil {
		t.Fatalf("%s: the 409 is not a typed problem: %s", what, r.GetBody())
	}
	if p.Status == nil || *p.Status != http.StatusConflict {
		t.Errorf("%s: problem status = %v, want 409", what, p.Status)
	}
	d := *p.Detail
	t.Logf("%s: 409 %q", what, d)
	if len(d) < 20 || !strings.Contains(strings.ToLower(d), strings.ToLower(phrase)) {
		t.Errorf("%s: detail %q does not explain the refusal (want it to mention %q)", what, d, phrase)
	}
	for _, jargon := range []string{"workflow", "temporal", "rpc error"} {
		if strings.Contains(strings.ToLower(d), jargon) {
			t.Errorf("%s: detail %q speaks of %q, which the person cannot act on", what, d, jargon)
		}
	}
}

func date(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

func ptr[T any](v T) *T { return &v }

// TestGeneratedClientDrivesThePathway is issue 4's "Done when": a client generated from the
// OpenAPI document with no hand edits drives one pupil from a concern to an EHC plan and its
// first annual review on the real stack, reading every answer as a typed value.
func TestGeneratedClientDrivesThePathway(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIME_SCALE", dayScale, "SENDFLOW_TIMINGS_FILE", roomyTimings(t)))
	ctx := context.Background()
	base := "http://" + j.d.HTTP.Addr.String()
	as := map[string]*apiclient.ClientWithResponses{}
	for _, who := range []string{teacher, sendco, parent} {
		as[who] = generatedClient(t, base, j.token[who])
	}
	amara := uuid.MustParse(seed.PupilAmaraID)

	pathway := func() *apiclient.PathwayView {
		t.Helper()
		r, err := as[sendco].GetPathwayWithResponse(ctx, amara)
		return expect(t, "get pathway", http.StatusOK, r, err).JSON200
	}
	today := func() time.Time { t.Helper(); return pathway().Today.Time }
	waitUntil := func(day time.Time) {
		t.Helper()
		testenv.Eventually(t, 60*time.Second, "calendar to reach "+day.Format(time.DateOnly), func() bool {
			return !today().Before(day)
		})
	}
	// item finds a part of the pathway in the read model, which follows the workflows a moment later.
	item := func(id string) *apiclient.ItemView { t.Helper(); return itemOf(pathway(), id) }
	wantStage := func(what string, got, want apiclient.PathwayViewStage) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: stage = %s, want %s", what, got, want)
		}
	}

	// The teacher picks three strategies from the OAG catalogue and raises a concern saying they
	// are being tried; a retry with the same Idempotency-Key, set through the generated
	// parameter, gets the first answer.
	sr, err := as[teacher].OagStrategiesWithResponse(ctx, &apiclient.OagStrategiesParams{Area: ptr(apiclient.OagStrategiesParamsAreaCommunicationAndInteraction)})
	catalogue := map[string]bool{}
	for _, s := range expect(t, "OAG strategies", http.StatusOK, sr, err).JSON200.Strategies {
		catalogue[s.Id] = s.Text != ""
	}
	strategies := []string{"ci.s.visual-timetable", "ci.s.chunked-instructions", "ci.s.now-and-next"}
	for _, id := range strategies {
		if !catalogue[id] {
			t.Fatalf("the OAG catalogue has no strategy %s: %s", id, sr.Body)
		}
	}
	started := date(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	raise := apiclient.RaiseConcernJSONRequestBody{
		Areas:    []apiclient.RaiseConcernInputBodyAreas{apiclient.RaiseConcernInputBodyAreasCommunicationAndInteraction},
		Observed: "Struggles to follow instructions.",
		Strategies: &[]apiclient.StrategyTried{
			{StrategyId: strategies[0], StartedOn: started},
			{StrategyId: strategies[1], StartedOn: started},
			{StrategyId: strategies[2], StartedOn: date(started.AddDate(0, 0, 7)), Frequency: ptr("daily")},
		},
	}
	key := &apiclient.RaiseConcernParams{IdempotencyKey: ptr("generated-client-first-concern")}
	rc, err := as[teacher].RaiseConcernWithResponse(ctx, amara, key, raise)
	concern := expect(t, "raise concern", http.StatusCreated, rc, err).JSON201
	if concern == nil || concern.ConcernId == uuid.Nil || concern.Pathway.PupilId != amara {
		t.Fatalf("raise concern answered %s", rc.Body)
	}
	wantStage("after the concern", concern.Pathway.Stage, apiclient.PathwayViewStageAwaitingTriage)
	rc, err = as[teacher].RaiseConcernWithResponse(ctx, amara, key, raise)
	if again := expect(t, "raise concern again", http.StatusCreated, rc, err).JSON201; again.ConcernId != concern.ConcernId {
		t.Errorf("retry with the same key made concern %s; the first was %s", again.ConcernId, concern.ConcernId)
	}
	if n := concernCount(t, j.d, seed.PupilAmaraID); n != 1 {
		t.Errorf("concerns stored = %d, want 1", n)
	}
	j.sent("concern_raised", sendco)

	// The SENDCo starts SEN support; triaging again is refused with a reason.
	tr, err := as[sendco].TriageWithResponse(ctx, amara, nil, apiclient.TriageJSONRequestBody{Decision: apiclient.TriageInputBodyDecisionSenSupport})
	wantStage("after triage", expect(t, "triage sen_support", http.StatusCreated, tr, err).JSON201.Stage, apiclient.PathwayViewStageSenSupport)
	tr, err = as[sendco].TriageWithResponse(ctx, amara, nil, apiclient.TriageJSONRequestBody{Decision: apiclient.TriageInputBodyDecisionMonitor})
	refused(t, "triage again", "triage", tr, err)
	j.sent("sen_support_started", parent)

	// Plan cycle 1 with two outcomes and a review two months away (room for a busy machine).
	review := today().AddDate(0, 0, 60)
	pc, err := as[sendco].PlanCycleWithResponse(ctx, amara, nil, apiclient.PlanCycleJSONRequestBody{
		ReviewDate:  date(review),
		Outcomes:    []apiclient.PlanOutcome{{Text: "Follows two-step instructions"}, {Text: "Asks for help"}},
		Provision:   []apiclient.PlanProvision{{Text: ptr("Small group language sessions"), Frequency: ptr("3 times a week")}},
		ParentViews: ptr("Happy with the plan"),
		PupilViews:  ptr("Likes the group"),
	})
	plan := expect(t, "plan cycle", http.StatusCreated, pc, err).JSON201
	outcomes := plan.Outcomes
	if plan.Cycle != 1 || plan.PlanId == uuid.Nil || len(outcomes) != 2 || outcomes[0].Id == uuid.Nil || outcomes[1].Id == uuid.Nil {
		t.Fatalf("plan cycle answered %s", pc.Body)
	}
	wantStage("after planning", plan.Pathway.Stage, apiclient.PathwayViewStageSenSupport)
	reviewBody := apiclient.ReviewCycleJSONRequestBody{
		Ratings: []apiclient.OutcomeRating{
			{OutcomeId: outcomes[0].Id, Rating: apiclient.OutcomeRatingRatingAchieved},
			{OutcomeId: outcomes[1].Id, Rating: apiclient.OutcomeRatingRatingPartlyAchieved},
		},
		ParentViews: ptr("Going well at home"),
		PupilViews:  ptr("I like it"),
		NextStep:    apiclient.ReviewCycleInputBodyNextStepRefer,
	}

	// The review, a week before its date.
	waitUntil(review.AddDate(0, 0, -7))
	rv, err := as[teacher].ReviewCycleWithResponse(ctx, amara, 1, nil, reviewBody)
	// The answer is the pathway as the workflow has it once the review is recorded.
	if it := itemOf(expect(t, "review cycle 1", http.StatusCreated, rv, err).JSON201, "cycle/1"); it == nil || it.Kind != apiclient.ItemViewKindCycle || it.Status != "reviewed" {
		t.Errorf("cycle/1 after the review: %+v", it)
	}
	j.sent("review_outcome", parent)

	// The teacher records how the strategies worked.
	ir, err := as[teacher].RecordImpactWithResponse(ctx, amara, concern.ConcernId, nil, apiclient.RecordImpactJSONRequestBody{
		Impacts: []apiclient.StrategyImpact{
			{StrategyId: strategies[0], Impact: apiclient.StrategyImpactImpactHelping},
			{StrategyId: strategies[1], Impact: apiclient.StrategyImpactImpactSomeChange},
			{StrategyId: strategies[2], Impact: apiclient.StrategyImpactImpactNoChange},
		},
	})
	expect(t, "record impact", http.StatusCreated, ir, err)

	// Referral to an educational psychologist: the readiness check says consent is missing, so
	// approval waits for the parents; once they consent it is met and the referral goes out.
	readiness := func() *apiclient.ReadinessOutputBody {
		t.Helper()
		r, err := as[sendco].ReferralReadinessWithResponse(ctx, amara, &apiclient.ReferralReadinessParams{Service: "educational_psychology"})
		return expect(t, "referral readiness", http.StatusOK, r, err).JSON200
	}
	rd := readiness()
	if rd.Service != "educational_psychology" || rd.Ready || len(rd.Criteria) == 0 {
		t.Fatalf("readiness before consent: %+v", rd)
	}
	for _, c := range rd.Criteria {
		if c.Rule == "" || !c.Met && (c.Missing == nil || *c.Missing == "") {
			t.Errorf("criterion %s does not say what it asks or what is missing: %+v", c.Id, c)
		}
	}
	or, err := as[sendco].OpenReferralWithResponse(ctx, amara, nil, apiclient.OpenReferralJSONRequestBody{
		Service: "educational_psychology", Reason: "Advice on language support",
	})
	ref := expect(t, "open referral", http.StatusCreated, or, err).JSON201
	if ref.ReferralId == uuid.Nil {
		t.Fatalf("open referral answered %s", or.Body)
	}
	refID := ref.ReferralId
	testenv.Eventually(t, 10*time.Second, "the referral in the pathway", func() bool {
		it := item("referral/" + refID.String())
		return it != nil && it.Kind == apiclient.ItemViewKindReferral
	})
	j.sent("referral_decision_needed", sendco)
	j.sent("consent_request", parent)
	dr, err := as[sendco].ReferralDecisionWithResponse(ctx, refID, nil, apiclient.ReferralDecisionJSONRequestBody{Approve: true})
	refused(t, "approval before consent", "consent", dr, err)
	cr, err := as[parent].ReferralConsentWithResponse(ctx, refID, nil, apiclient.ReferralConsentJSONRequestBody{Action: apiclient.ConsentInputBodyActionGive})
	expect(t, "parent consents", http.StatusCreated, cr, err)
	testenv.Eventually(t, 10*time.Second, "readiness met", func() bool { return readiness().Ready })
	dr, err = as[sendco].ReferralDecisionWithResponse(ctx, refID, nil, apiclient.ReferralDecisionJSONRequestBody{Approve: true})
	expect(t, "approve referral", http.StatusCreated, dr, err)
	j.sent("referral_submitted", "ep.referrals@demoshire.example")
	rr, err := as[sendco].ReferralResponseWithResponse(ctx, refID, nil, apiclient.ReferralResponseJSONRequestBody{Kind: apiclient.ResponseInputBodyKindAcknowledged})
	expect(t, "referral acknowledged", http.StatusCreated, rr, err)
	rr, err = as[sendco].ReferralResponseWithResponse(ctx, refID, nil, apiclient.ReferralResponseJSONRequestBody{
		Kind: apiclient.ResponseInputBodyKindAdvice, Summary: ptr("Use visual supports throughout the day."),
	})
	expect(t, "referral advice", http.StatusCreated, rr, err)
	testenv.Eventually(t, 10*time.Second, "referral advice received", func() bool {
		it := item("referral/" + refID.String())
		return it != nil && it.Status == "advice_received"
	})

	// EHC needs assessment, its statutory steps in order.
	er, err := as[sendco].RequestEhcnaWithResponse(ctx, amara, nil, apiclient.RequestEhcnaJSONRequestBody{})
	ehc := expect(t, "EHC request", http.StatusCreated, er, err).JSON201
	if ehc.RequestId == uuid.Nil {
		t.Fatalf("EHC request answered %s", er.Body)
	}
	reqID := ehc.RequestId
	testenv.Eventually(t, 10*time.Second, "stage ehc_assessment", func() bool {
		return pathway().Stage == apiclient.PathwayViewStageEhcAssessment
	})
	j.sent("ehc_request_received", parent)
	ev := func(typ apiclient.EHCEventInputBodyType) (*apiclient.EhcEventResponse, error) {
		return as[sendco].EhcEventWithResponse(ctx, reqID, nil, apiclient.EhcEventJSONRequestBody{Type: typ})
	}
	r, err := ev(apiclient.EHCEventInputBodyTypeDecisionToAssess)
	expect(t, "decision to assess", http.StatusCreated, r, err)
	j.sent("ehc_will_assess", parent)
	for _, typ := range []apiclient.EHCEventInputBodyType{
		apiclient.EHCEventInputBodyTypeAdviceRequested, apiclient.EHCEventInputBodyTypeAdviceReceived, apiclient.EHCEventInputBodyTypeDraftIssued,
	} {
		r, err := ev(typ)
		wantStage(string(typ), expect(t, string(typ), http.StatusCreated, r, err).JSON201.Stage, apiclient.PathwayViewStageEhcAssessment)
	}
	r, err = ev(apiclient.EHCEventInputBodyTypeFinalPlanIssued)
	refused(t, "final plan during the comment period", "comment", r, err)
	j.sent("ehc_draft_issued", parent)
	waitUntil(today().AddDate(0, 0, 61))
	r, err = ev(apiclient.EHCEventInputBodyTypeFinalPlanIssued)
	expect(t, "final plan issued", http.StatusCreated, r, err)
	j.sent("ehc_plan_issued", parent)
	testenv.Eventually(t, 10*time.Second, "stage ehc_plan", func() bool {
		return pathway().Stage == apiclient.PathwayViewStageEhcPlan
	})

	// Annual review 1: booked, held, reported, decided; the next one starts.
	testenv.Eventually(t, 10*time.Second, "annual review 1", func() bool { return item("annual-review/1") != nil })
	if it := item("annual-review/1"); it.Kind != apiclient.ItemViewKindAnnualReview {
		t.Errorf("annual-review/1 is a %s", it.Kind)
	}
	arEvent := func(body apiclient.AnnualReviewEventJSONRequestBody) (*apiclient.AnnualReviewEventResponse, error) {
		return as[sendco].AnnualReviewEventWithResponse(ctx, amara, 1, nil, body)
	}
	ar, err := arEvent(apiclient.AnnualReviewEventJSONRequestBody{Type: apiclient.AnnualReviewEventInputBodyTypeMeetingHeld})
	refused(t, "annual review held before it is booked", "meeting", ar, err)
	meeting := today().AddDate(0, 0, 60)
	ar, err = arEvent(apiclient.AnnualReviewEventJSONRequestBody{Type: apiclient.AnnualReviewEventInputBodyTypeMeetingScheduled, MeetingOn: ptr(date(meeting))})
	wantStage("meeting scheduled", expect(t, "meeting scheduled", http.StatusCreated, ar, err).JSON201.Stage, apiclient.PathwayViewStageEhcPlan)
	j.sent("annual_review_invitation", parent)
	waitUntil(meeting)
	ar, err = arEvent(apiclient.AnnualReviewEventJSONRequestBody{Type: apiclient.AnnualReviewEventInputBodyTypeMeetingHeld})
	expect(t, "meeting held", http.StatusCreated, ar, err)
	ar, err = arEvent(apiclient.AnnualReviewEventJSONRequestBody{Type: apiclient.AnnualReviewEventInputBodyTypeReportSent})
	expect(t, "report sent", http.StatusCreated, ar, err)
	ar, err = arEvent(apiclient.AnnualReviewEventJSONRequestBody{
		Type: apiclient.AnnualReviewEventInputBodyTypeLaDecision, Decision: ptr(apiclient.AnnualReviewEventInputBodyDecisionKeep),
	})
	wantStage("LA decision", expect(t, "LA decision keep", http.StatusCreated, ar, err).JSON201.Stage, apiclient.PathwayViewStageEhcPlan)
	j.sent("annual_review_decision", parent)
	testenv.Eventually(t, 10*time.Second, "annual review 2", func() bool { return item("annual-review/2") != nil })

	pw := pathway()
	wantStage("at the end", pw.Stage, apiclient.PathwayViewStageEhcPlan)
	if pw.PupilId != amara || pw.Version == 0 || len(pw.Timeline) < 20 {
		t.Errorf("final pathway: pupil %s, version %d, %d timeline entries", pw.PupilId, pw.Version, len(pw.Timeline))
	}
	for _, d := range pw.Deadlines {
		if d.What == "" || d.Due.IsZero() {
			t.Errorf("deadline without words or date: %+v", d)
		}
	}
}

func itemOf(pv *apiclient.PathwayView, id string) *apiclient.ItemView {
	for _, it := range pv.Items {
		if it.Id == id {
			return &it
		}
	}
	return nil
}
