package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// TestFourteenYearsStayUnderHistoryLimit supports a pupil for fourteen school years, three
// support cycles a year, on the real server with a day passing every 10 ms. The pathway continues
// as new at each cycle boundary, so no run's history grows with the years: every run stays far
// below Temporal's 4,096-event warning threshold.
func TestFourteenYearsStayUnderHistoryLimit(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	if testing.Short() {
		t.Skip("long journey")
	}
	const cycles = 14 * 3
	cfg := devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIME_SCALE", "8640000")
	j := journeyOn(t, cfg)
	leo := seed.PupilLeoID
	p := "/v1/pupils/" + leo
	j.post(teacher, p+"/concerns", `{"areas":["cognition_and_learning"],"observed":"Reading is behind."}`, 201)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	for n := 1; n <= cycles; n++ {
		review, plan := j.planAhead(leo, n)
		outcome := plan["outcomes"].([]any)[0].(map[string]any)["id"]
		j.waitUntil(leo, review.AddDate(0, 0, -7))
		// The next plan is sent as soon as the review is answered, as a SENDCo would: the
		// pathway must already know the cycle is closed.
		j.post(
			teacher,
			fmt.Sprintf("%s/cycles/%d/review", p, n),
			fmt.Sprintf(
				`{"ratings":[{"outcomeId":%q,"rating":"partly_achieved"}],"parentViews":"Some progress","nextStep":"continue"}`,
				outcome,
			),
			201,
		)
	}

	// Walk every run of the pathway and measure it.
	ctx := context.Background()
	id := workflows.PathwayWorkflowID(leo)
	desc, err := j.d.Temporal.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	runs, longest, total := 0, 0, 0
	for runID := desc.WorkflowExecutionInfo.FirstRunId; runID != ""; runs++ {
		it := j.d.Temporal.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n, next := 0, ""
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			n++
			if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.NewExecutionRunId
			}
		}
		longest, total, runID = max(longest, n), total+n, next
	}
	t.Logf("%d cycles: %d runs, %d events in all, longest run %d events", cycles, runs, total, longest)
	if runs < cycles {
		t.Errorf(
			"the pathway continued as new %d times in %d cycles; it should at every cycle boundary",
			runs-1,
			cycles,
		)
	}
	if longest > 200 {
		t.Errorf(
			"a run has %d events; runs must stay small whatever the pupil's age (Temporal warns at 4,096)",
			longest,
		)
	}
}

// planAhead agrees support plan n with its review four months ahead on the pathway's own
// calendar. With a day passing every 10 ms the calendar moves on while the request travels, and
// a loaded machine can take long enough for the date to fall inside the two weeks parents need to
// be invited: then the pathway says so, and the plan is agreed again from the calendar's new date.
// Nothing here depends on how fast the machine is.
func (j *journey) planAhead(pupil string, n int) (time.Time, map[string]any) {
	j.t.Helper()
	for attempt := 1; ; attempt++ {
		review := j.today(pupil).AddDate(0, 0, 120)
		r := j.call(
			"POST",
			"/v1/pupils/"+pupil+"/cycles",
			sendco,
			fmt.Sprintf("plan-%d-%d", n, attempt),
			fmt.Sprintf(
				`{"reviewDate":%q,"outcomes":[{"text":"Reads a short book"}],"provision":[],"parentViews":"Agreed"}`,
				review.Format(time.DateOnly),
			),
		)
		switch {
		case r.status == 201:
			return review, r.body
		case r.status == 409 && strings.Contains(fmt.Sprint(r.body["detail"]), "choose a review date on or after") && attempt < 20:
			j.t.Logf(
				"plan %d: the calendar passed %s while the request travelled; agreeing it again",
				n,
				review.Format(time.DateOnly),
			)
		default:
			j.t.Fatalf("plan %d: %d %v %v", n, r.status, r.body, r.err)
		}
	}
}

// journeyOn starts a journey on a given configuration. Everything the stack logs is kept, and
// when the test ends no log line may hold a demo name or address (logs carry ids).
func journeyOn(t *testing.T, cfg *config.Config) *journey {
	logs := &logBuffer{}
	d := startDevLogged(t, cfg, logs)
	t.Cleanup(func() { d.Stop(context.Background()) })
	j := &journey{
		t:     t,
		d:     d,
		api:   apiClient{t: t, base: "http://" + d.HTTP.Addr.String()},
		token: map[string]string{},
		logs:  logs,
	}
	t.Cleanup(j.checkLogs)
	for _, p := range seed.People {
		j.token[p.Email] = tokenFor(t, d, p.Email)
	}
	return j
}
