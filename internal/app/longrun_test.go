package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// TestFourteenYearsStayUnderHistoryLimit supports a pupil for fourteen school years, three
// support cycles a year, on the real server with a day passing every 10 ms. The pathway continues
// as new at each cycle boundary, so no run's history grows with the years: every run stays far
// below Temporal's 4,096-event warning threshold.
func TestFourteenYearsStayUnderHistoryLimit(t *testing.T) {
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
	review := j.today(leo)
	for n := 1; n <= cycles; n++ {
		// 90 days after the last review (recorded a week before it): generous, as a slow machine
		// loses days between one request and the next.
		review = review.AddDate(0, 0, 90)
		plan := j.post(sendco, p+"/cycles", fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Reads a short book"}],"provision":[],"parentViews":"Agreed"}`,
			review.Format(time.DateOnly)), 201)
		outcome := plan["outcomes"].([]any)[0].(map[string]any)["id"]
		j.waitUntil(leo, review.AddDate(0, 0, -7))
		// The next plan is sent as soon as the review is answered, as a SENDCo would: the
		// pathway must already know the cycle is closed.
		j.post(teacher, fmt.Sprintf("%s/cycles/%d/review", p, n),
			fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"partly_achieved"}],"parentViews":"Some progress","nextStep":"continue"}`, outcome), 201)
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
		t.Errorf("the pathway continued as new %d times in %d cycles; it should at every cycle boundary", runs-1, cycles)
	}
	if longest > 200 {
		t.Errorf("a run has %d events; runs must stay small whatever the pupil's age (Temporal warns at 4,096)", longest)
	}
}

// journeyOn starts a journey on a given configuration.
func journeyOn(t *testing.T, cfg *config.Config) *journey {
	d := startDev(t, cfg)
	t.Cleanup(func() { d.Stop(context.Background()) })
	j := &journey{t: t, d: d, api: apiClient{t: t, base: "http://" + d.HTTP.Addr.String()}, token: map[string]string{}}
	for _, p := range seed.People {
		j.token[p.Email] = tokenFor(t, d, p.Email)
	}
	return j
}
