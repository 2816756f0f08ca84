package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// workerThrough replaces the dev stack's worker with one whose PostgreSQL connections go through
// a proxy the test can take down, and returns the proxy.
func (j *journey) workerThrough(dbURL string) *testenv.Proxy {
	j.t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		j.t.Fatal(err)
	}
	proxy := testenv.NewProxy(j.t, u.Host)
	u.Host = proxy.Addr
	pool, err := store.Connect(context.Background(), u.String(), 4)
	if err != nil {
		j.t.Fatal(err)
	}
	j.t.Cleanup(pool.Close)
	j.d.Worker.Stop()
	j.d.WorkerDB = pool
	j.restartWorker()
	return proxy
}

// commitRetrying waits until the pupil's pathway is retrying a Commit (its validator let a
// change through and the save cannot reach the database).
func (j *journey) commitRetrying(pupil, what string) {
	j.t.Helper()
	testenv.Eventually(j.t, 30*time.Second, "the pathway to be retrying "+what, func() bool {
		desc, err := j.d.Temporal.DescribeWorkflowExecution(context.Background(), workflows.PathwayWorkflowID(pupil), "")
		if err != nil {
			return false
		}
		for _, a := range desc.PendingActivities {
			if a.ActivityType.GetName() == workflows.ActivityCommit && a.Attempt > 1 {
				return true
			}
		}
		return false
	})
}

// restartWorker starts a new worker in place of one that was stopped (or killed).
func (j *journey) restartWorker() {
	j.t.Helper()
	w, err := StartWorker(j.d.Temporal, j.d.WorkerDB, j.d.Config, j.d.Key, j.d.Sender, j.d.logger)
	if err != nil {
		j.t.Fatal(err)
	}
	j.d.Worker = w
}

// TestOutageDuringAnAction: PostgreSQL stops answering the worker while a support plan is being
// taken, after the pathway's validator let it through and before it is saved; the worker is
// killed in that gap and a new one started. The SENDCo is told, within the action's time, that
// the plan is not recorded yet (503 with Retry-After); meanwhile nothing shows it. When the
// database is back the plan is saved; the SENDCo's retry with the same key answers with it; a
// new request is refused (cycle 1 is open); and the read model, the workflow and the rows agree.
func TestOutageDuringAnAction(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), dbURL, "SENDFLOW_ACTION_TIMEOUT", "3s"))
	proxy := j.workerThrough(dbURL)
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)

	proxy.Down()
	plan := fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],"provision":[]}`,
		time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly))
	// The answer comes while the database is still away (it comes back only below): the SENDCo
	// is not kept waiting for it. How fast is not asserted here: timings belong in benchmarks.
	first := j.call("POST", p+"/cycles", sendco, "plan-through-an-outage", plan)
	if first.status != 503 || !strings.Contains(fmt.Sprint(first.body["detail"]), "not recorded yet") {
		t.Fatalf(
			"a plan while the database is away: %d after %s %v; want 503 'not recorded yet' before it is back",
			first.status,
			first.took,
			first.body,
		)
	}
	if len(j.pathway(amara)["items"].([]any)) != 0 ||
		strings.Contains(j.evidence(amara, "educational_psychology"), "Follows two-step instructions") {
		t.Errorf("a plan not yet taken shows on the pathway or in the evidence pack")
	}

	// The pathway took the plan in (its validator let it through) and is retrying the save.
	j.commitRetrying(amara, "the plan's save")
	// The worker dies between the validator and the save, and a new one starts.
	j.d.Worker.Stop()
	j.restartWorker()
	proxy.Up()
	testenv.Eventually(t, 90*time.Second, "the plan to be saved once the database is back", func() bool {
		return j.scalar(`SELECT count(*) FROM cycle_plans WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, amara) == 1
	})

	again := j.call("POST", p+"/cycles", sendco, "plan-through-an-outage", plan)
	if again.status != 201 || again.body["cycle"] != float64(1) {
		t.Fatalf("the same request sent again: %d %v; want 201 with cycle 1", again.status, again.body)
	}
	other := j.call("POST", p+"/cycles", sendco, "another-plan", plan)
	if other.status != 409 {
		t.Errorf("a second plan with a new key: %d %v; want 409, cycle 1 is open", other.status, other.body)
	}
	st := queryState[workflows.PathwayState](t, j, workflows.PathwayWorkflowID(amara))
	if len(st.Cycles) != 1 || st.Stage != workflows.StageSENSupport {
		t.Errorf("the workflow holds %d cycles at stage %s; want 1 at sen_support", len(st.Cycles), st.Stage)
	}
	j.agrees(amara)
	testenv.Eventually(t, 30*time.Second, "cycle 1 on the read model", func() bool {
		for _, it := range j.pathway(amara)["items"].([]any) {
			if it.(map[string]any)["id"] == "cycle/1" {
				return true
			}
		}
		return false
	})
	if n := j.rows("cycle_plans", amara); n != 1 {
		t.Errorf("%d plan rows, want 1", n)
	}
}
