package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// TestTermDatesAndDeliveryWatch: the worker runs the one delivery watcher; a weekly check on the
// demo (Zain's language group behind two school weeks running, on the demo's term dates) emails
// Oakfield's SENDCo once however often it runs, a count and a link, naming no one and no
// support; the SENDCo reads the term dates and the head sets them (others cannot; a bad list is
// refused with the field named), audited.
func TestTermDatesAndDeliveryWatch(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	school := seed.DemoSchoolID
	path := "/v1/schools/" + school + "/term-dates"

	ctx := context.Background()
	// The worker started the installation's one watcher.
	testenv.Eventually(t, 60*time.Second, "the delivery watcher to run", func() bool {
		d, err := j.d.Temporal.DescribeWorkflowExecution(ctx, workflows.DeliveryWatchWorkflowID, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus().String() == "Running"
	})

	// Zain's language group behind on the demo's own term dates; a check due the Monday after the
	// last school week logged finds it newly behind. It runs through Temporal and the worker, as
	// the watcher would (a second watcher's run, started at that check).
	if err := DemoProvision(ctx, j.d); err != nil {
		t.Fatal(err)
	}
	last := seed.SchoolWeeks(time.Now(), 1)[0]
	at := time.Date(last.Year(), last.Month(), last.Day()+7, workflows.DeliveryCheckHour, 0, 0, 0, workflows.London)
	for range 2 { // the same week's check twice sends once
		run, err := j.d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: "delivery-watch-test-" + fmt.Sprint(time.Now().UnixNano()), TaskQueue: j.d.Config.TaskQueue,
		}, workflows.DeliveryWatchWorkflowName, workflows.DeliveryWatchInput{Next: at})
		if err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 60*time.Second, "the check to run and continue as new", func() bool {
			d, err := j.d.Temporal.DescribeWorkflowExecution(ctx, run.GetID(), "")
			return err == nil && d.GetWorkflowExecutionInfo().GetExecution().GetRunId() != run.GetRunID()
		})
		_ = j.d.Temporal.TerminateWorkflow(ctx, run.GetID(), "", "test over")
	}
	text := j.sent("delivery_behind", sendco)
	for _, want := range []string{"for 1 pupil, two school weeks running", "/schools/" + school + "/provision"} {
		if !strings.Contains(text, want) {
			t.Errorf("the SENDCo's email lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range []string{"Zain", "Language", "Talk Boost"} {
		if strings.Contains(text, leak) {
			t.Errorf("the SENDCo's email names %q:\n%s", leak, text)
		}
	}
	var n int
	if err := j.d.DB.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE template = 'delivery_behind'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	sendcos, err := (&store.Store{DB: j.d.DB}).SchoolStaff(ctx, school, "sendco")
	if err != nil || n != len(sendcos) {
		t.Errorf("%d delivery emails for %d SENDCos (%v), want one each", n, len(sendcos), err)
	}

	status, got := j.api.do("GET", path, j.token[sendco], nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(got["closures"]), "first:2026-12-21 last:2027-01-01 name:Christmas holiday") {
		t.Fatalf("term dates = %d %v", status, got)
	}
	for _, who := range []string{teacher, parent, "sendco@riverside.example"} {
		if status, _ := j.api.do("GET", path, j.token[who], nil, ""); status != 404 {
			t.Errorf("%s reads Oakfield's term dates: %d, want 404", who, status)
		}
	}
	dates := `{"closures":[{"first":"2026-12-21","last":"2027-01-01","name":"Christmas holiday"},
		{"first":"2027-01-04","last":"2027-01-05","name":"Training days"}]}`
	if r := j.call("PUT", path, teacher, "", dates); r.status != 404 {
		t.Errorf("a teacher sets the term dates: %d, want 404", r.status)
	}
	bad := `{"closures":[{"first":"2026-12-21","last":"2027-01-01","name":"Christmas holiday"},
		{"first":"2027-01-01","last":"2027-01-05","name":"Training days"}]}`
	if r := j.call("PUT", path, "head@oakfield.example", "", bad); r.status != 422 ||
		!strings.Contains(fmt.Sprint(r.body), "body.closures[1].first") {
		t.Errorf("overlapping closures = %d %v, want 422 naming body.closures[1].first", r.status, r.body)
	}
	// Set eight times at once (a double click, two tabs): every copy answered, the list once.
	sets, _ := j.burst(8, func(int) reply { return j.call("PUT", path, "head@oakfield.example", "", dates) })
	for _, r := range sets {
		if r.status != 200 {
			t.Fatalf("the head sets the term dates (8 at once): %d %v", r.status, r.body)
		}
	}
	if _, got := j.api.do("GET", path, j.token[sendco], nil, ""); len(got["closures"].([]any)) != 2 {
		t.Errorf("after setting, term dates = %v", got)
	}
	if n := j.scalar(`SELECT count(*) FROM school_closures WHERE school_id = $1`, school); n != 2 {
		t.Errorf("%d closures stored after 8 identical sets at once, want 2", n)
	}
	var audited int
	if err := j.d.DB.QueryRow(ctx, `SELECT count(*) FROM audit_log
		WHERE action = 'term_dates:update' AND school_id = $1 AND outcome = 'ok'`, school).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 8 {
		t.Errorf("%d audited sets of the term dates, want 8 (one for each answered request)", audited)
	}

	// The staff page: the SENDCo keeps the same dates on a form, linked from the provision map.
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	status, body := b.Get("/schools/" + school + "/provision")
	wantPage(t, "the provision map", status, body, 200, "Set the term dates")
	status, form := b.Get("/schools/" + school + "/term-dates")
	wantPage(t, "the term dates form", status, form, 200, "Term dates", "Christmas holiday", "Training days", "Closure 3")
	status, body = b.Submit(form, "Save the term dates", url.Values{
		"closures[2].name": {"Staff training"}, "closures[2].first": {"2027-01-05"},
	})
	wantPage(t, "an overlapping closure", status, body, 422,
		"Closure 3: the first day overlaps Training days (4 January 2027 to 5 January 2027)")
	status, body = b.Submit(form, "Save the term dates", url.Values{
		"closures[2].name": {"February half-term"}, "closures[2].first": {"2027-02-15"}, "closures[2].last": {"2027-02-19"},
	})
	wantPage(t, "the term dates saved", status, body, 200, "The term dates are saved: 3 closures")
	if _, got := j.api.do("GET", path, j.token[sendco], nil, ""); !strings.Contains(fmt.Sprint(got["closures"]), "February half-term") {
		t.Errorf("after the form, term dates = %v", got)
	}
	tb := testenv.NewBrowser(t, j.api.base)
	tb.SignIn(teacher)
	if status, _ := tb.Get("/schools/" + school + "/term-dates"); status != 404 {
		t.Errorf("a teacher opens the term dates form: %d, want 404", status)
	}
}
