package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// status is a workflow's execution status, as Temporal reports it.
func (j *journey) status(workflowID string) enumspb.WorkflowExecutionStatus {
	j.t.Helper()
	desc, err := j.d.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		j.t.Fatalf("describe %s: %v", workflowID, err)
	}
	return desc.WorkflowExecutionInfo.Status
}

// TestLongDatabaseOutageFailsNoWorkflow: PostgreSQL stops answering the worker for 40 seconds
// while workflows have work falling due — a concern's trial window ending, a plan's review
// reminders, an EHC needs assessment's statutory alerts. No workflow fails: each waits for the
// database and carries on when it is back, and every email it owed is queued once.
func TestLongDatabaseOutageFailsNoWorkflow(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	if testing.Short() {
		t.Skip("a 40-second outage")
	}
	dbURL := testenv.DatabaseURL(t)
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), dbURL, "SENDFLOW_TIME_SCALE", dayScale, "SENDFLOW_ACTION_TIMEOUT", "3s"),
	)
	proxy := j.workerThrough(dbURL)
	amara, leo, zain := seed.PupilAmaraID, seed.PupilLeoID, seed.PupilZainID
	// Amara's classroom strategies run for six weeks of the calendar: about four seconds.
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions.",
		"strategies":[{"strategyId":"ci.s.visual-timetable","startedOn":"2026-11-02"}]}`,
		201,
	)
	// Leo's plan is reviewed in three weeks of the calendar: parents are invited, staff reminded.
	j.post(
		teacher,
		"/v1/pupils/"+leo+"/concerns",
		`{"areas":["cognition_and_learning"],"observed":"Reading is behind."}`,
		201,
	)
	j.post(sendco, "/v1/pupils/"+leo+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	j.post(
		sendco,
		"/v1/pupils/"+leo+"/cycles",
		fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Reads a short book"}],"provision":[]}`,
			j.today(leo).AddDate(0, 0, 60).Format(time.DateOnly)),
		201,
	)
	// Zain's EHC needs assessment: the decision is due in six weeks; staff are warned at four.
	j.post(sendco, "/v1/pupils/"+zain+"/ehc-requests", `{"requestedBy":"school"}`, 201)

	proxy.Down()
	time.Sleep(40 * time.Second)
	proxy.Up()

	for what, to := range map[string]string{"trial_ended": teacher, "review_reminder": sendco, "ehc_deadline_missed": sendco} {
		j.sent(what, to)
	}
	ids := []string{
		workflows.PathwayWorkflowID(amara),
		workflows.PathwayWorkflowID(leo),
		workflows.PathwayWorkflowID(zain),
		workflows.CycleWorkflowID(leo, 1),
	}
	for _, it := range j.pathway(zain)["items"].([]any) {
		if id := it.(map[string]any)["id"].(string); strings.HasPrefix(id, "ehc/") {
			ids = append(ids, workflows.EHCWorkflowID(zain, strings.TrimPrefix(id, "ehc/")))
		}
	}
	for _, id := range ids {
		if s := j.status(id); s != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("%s is %s after the outage, want running", id, s)
		}
	}
	if n := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'trial_ended'`); n != 1 {
		t.Errorf("the teacher was asked %d times to record how the strategies worked, want once", n)
	}
	for _, pupil := range []string{amara, leo, zain} {
		j.agrees(pupil)
	}
}

// TestStoppedPathwayIsNotReplaced: a pupil's pathway that stopped (a fault, or an operator who
// terminated it) is not silently replaced by a new, empty one when the next concern arrives: the
// teacher is told the pathway needs an administrator, nothing is recorded, and the error is
// logged for the operator; `sendflow repair` brings it back with its history, and the concern
// then goes through.
func TestStoppedPathwayIsNotReplaced(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	if err := j.d.Temporal.TerminateWorkflow(context.Background(), workflows.PathwayWorkflowID(amara), "", "a fault"); err != nil {
		t.Fatal(err)
	}
	r := j.call(
		"POST",
		p+"/concerns",
		teacher,
		"after-stop",
		`{"areas":["sensory_physical"],"observed":"Squints at the board."}`,
	)
	if r.status != 503 || !strings.Contains(fmt.Sprint(r.body["detail"]), "administrator") {
		t.Errorf(
			"a concern for a stopped pathway: %d %v; want 503 saying an administrator must restart it",
			r.status,
			r.body,
		)
	}
	if s := j.status(workflows.PathwayWorkflowID(amara)); s != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Errorf("the stopped pathway was replaced: its latest run is %s", s)
	}
	if n := concernCount(t, j.d, amara); n != 1 {
		t.Errorf("%d concerns recorded, want 1", n)
	}
	if stage := j.stage(amara); stage != "sen_support" {
		t.Errorf("the read model says %s, want sen_support still", stage)
	}

	// The operator finds it and brings it back.
	var out strings.Builder
	testenv.Eventually(t, 30*time.Second, "repair to find the stopped pathway", func() bool { // visibility catches up
		out.Reset()
		if err := Repair(context.Background(), j.d.Temporal, j.d.Config.TemporalNamespace, RepairOptions{Reset: true}, &out); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(out.String(), "restarted")
	})
	if !strings.Contains(out.String(), workflows.PathwayWorkflowID(amara)) {
		t.Errorf("repair did not name the stopped pathway:\n%s", out.String())
	}
	j.post(teacher, p+"/concerns", `{"areas":["sensory_physical"],"observed":"Squints at the board."}`, 201)
	if stage, wf := j.stage(amara), j.workflowStage(amara); stage != "sen_support" || wf != "sen_support" {
		t.Errorf("after repair the pathway is at %s (workflow %s); want sen_support, its history kept", stage, wf)
	}
}

// TestTemporalOutageAnswersWithinBudget: with Temporal down, an action is answered within the
// action timeout with 503 and Retry-After, not left hanging; once Temporal is back, sending it
// again with the same key finishes it.
func TestTemporalOutageAnswersWithinBudget(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_ACTION_TIMEOUT", "3s"))
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles."}`,
		201,
	)
	if err := j.d.StopTemporal(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(
		"POST",
		j.api.base+"/v1/pupils/"+amara+"/pathway/triage",
		strings.NewReader(`{"decision":"sen_support"}`),
	)
	req.Header.Set("Authorization", "Bearer "+j.token[sendco])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "triage-through-an-outage")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" ||
		took > 10*time.Second {
		t.Fatalf(
			"triage with Temporal down: %d after %s, Retry-After %q: %s; want 503 with Retry-After within the action's time",
			resp.StatusCode,
			took,
			resp.Header.Get("Retry-After"),
			b,
		)
	}
	if err := j.d.StartTemporal(context.Background()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "the triage to go through once Temporal is back", func() bool {
		return j.call(
			"POST",
			"/v1/pupils/"+amara+"/pathway/triage",
			sendco,
			"triage-through-an-outage",
			`{"decision":"sen_support"}`,
		).status == 201
	})
	if stage := j.stage(amara); stage != "sen_support" {
		t.Errorf("stage %s, want sen_support", stage)
	}
}

// TestReadyRequiresTheNamespace: /readyz says not ready, naming the namespace, when the Temporal
// namespace sendflow is configured for does not exist (every action would fail); `sendflow
// namespace` creates it and serve is then ready.
func TestReadyRequiresTheNamespace(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, t.TempDir(), testenv.DatabaseURL(t))
	d := startDev(t, cfg)
	t.Cleanup(func() { d.Stop(context.Background()) })
	other := *cfg
	other.TemporalNamespace = "no-such-namespace"
	other.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	c, err := DialTemporal(context.Background(), &other, d.TemporalAddr, d.logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	h, err := StartHTTP(&other, d.DB, c, d.Key, d.logger, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Stop(context.Background()) })
	for addr, want := range map[string]int{d.HTTP.Addr.String(): 200, h.Addr.String(): 503} {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 503 && !strings.Contains(string(b), "no-such-namespace") {
			t.Errorf("readyz on %s: %d %s, want %d", addr, resp.StatusCode, b, want)
		}
	}

	// `sendflow namespace` registers it, waits until Temporal serves it, and serve is then ready;
	// run again, it changes nothing and says so.
	other.TemporalAddress = d.TemporalAddr
	for i, want := range []string{"created", "already there"} {
		var out strings.Builder
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err := EnsureNamespace(ctx, &other, 72*time.Hour, d.logger, &out)
		cancel()
		if err != nil || !strings.Contains(out.String(), want) {
			t.Fatalf("sendflow namespace, run %d: %v %q; want %q", i+1, err, out.String(), want)
		}
	}
	testenv.Eventually(t, time.Minute, "serve to be ready once the namespace exists", func() bool {
		resp, err := http.Get("http://" + h.Addr.String() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// TestWorkerStartsWhileMailServerIsDown: a worker that (re)starts during a mail outage still
// runs every workflow; mail waits in the outbox and goes once the server answers.
func TestWorkerStartsWhileMailServerIsDown(t *testing.T) {
	t.Parallel()
	port := testenv.FreePort(t) // nothing listens here yet
	cfg := devConfig(
		t,
		t.TempDir(),
		testenv.DatabaseURL(t),
		"SMTP_URL",
		fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", port),
	)
	j := journeyOn(t, cfg)
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, "/v1/pupils/"+amara+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	if stage := j.stage(amara); stage != "sen_support" {
		t.Errorf("with the mail server down the pathway is at %s, want sen_support", stage)
	}
	if n := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'concern_raised' AND status = 'queued'`); n != 1 {
		t.Errorf("%d concern emails waiting in the outbox, want 1", n)
	}

	box, err := mailcapture.Open(filepath.Join(cfg.DataDir, "mail"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.Start(fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	j.d.Mailbox = box
	j.delivered("concern_raised", "sendco@oakfield.example")
}

// TestWorkerRefusesAMailSettingItCannotUse: a mistyped SMTP_URL still stops start-up, naming it.
func TestWorkerRefusesAMailSettingItCannotUse(t *testing.T) {
	t.Parallel()
	if _, err := NewSender("smtp://127.0.0.1:25?tls=sometimes", slog.New(slog.DiscardHandler)); err == nil ||
		!strings.Contains(err.Error(), "SMTP_URL") {
		t.Errorf("a bad SMTP_URL: %v, want a start-up error naming SMTP_URL", err)
	}
}
