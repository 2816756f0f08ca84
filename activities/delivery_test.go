package activities

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// watcher is the demo installation with Zain's language group (3 sessions a week) agreed on
// Monday 2 November 2026: given in full that week, then once a week.
type watcher struct {
	t    *testing.T
	acts *Activities
	env  *testsuite.TestActivityEnvironment
}

func newWatcher(t *testing.T, logged ...string) *watcher {
	pool := testenv.Pool(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, pool); err != nil {
		t.Fatal(err)
	}
	cat, err := provision.Demo()
	if err != nil {
		t.Fatal(err)
	}
	plan := uuid.NewString()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO cycle_plans (id, pupil_id, created_by, outcomes, provision, review_date, created_at, accepted_at)
		VALUES ($1, $2, $3, '[]', $4, '2027-01-15', '2026-11-02T09:00:00Z', '2026-11-02T09:00:00Z')`,
		plan, seed.PupilZainID, sendcoID, `[{"text":"Language group","itemId":"talk-boost","catalogueVersion":"`+cat.Version+`"}]`)
	exec(`INSERT INTO pathway_items (pupil_id, item_id, kind, school_id, status, version, state, updated_at)
		VALUES ($1, 'cycle/1', 'cycle', $2, 'active', 1, $3, now())`,
		seed.PupilZainID, seed.DemoSchoolID, `{"Plan":{"PlanID":"`+plan+`"}}`)
	for _, d := range logged {
		exec(`INSERT INTO provision_log (id, pupil_id, cycle_number, description, given_on, logged_by, plan_item, accepted_at)
			VALUES ($1, $2, 1, 'Session given', $3, $4, 0, now())`, uuid.NewString(), seed.PupilZainID, d, sendcoID)
	}
	a := &Activities{Store: &store.Store{DB: pool}, Outbox: &email.Outbox{DB: pool}, PublicURL: publicURL}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivityWithOptions(a.DeliveryCheck, activity.RegisterOptions{Name: workflows.ActivityDeliveryCheck})
	return &watcher{t: t, acts: a, env: env}
}

// check runs the weekly check due at 07:00 London on the Monday given.
func (w *watcher) check(monday string) workflows.DeliveryChecked {
	w.t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", monday+" 07:00", workflows.London)
	if err != nil {
		w.t.Fatal(err)
	}
	v, err := w.env.ExecuteActivity(workflows.ActivityDeliveryCheck, workflows.DeliveryCheck{At: at})
	if err != nil {
		w.t.Fatalf("check of %s: %v", monday, err)
	}
	var out workflows.DeliveryChecked
	if err := v.Get(&out); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// mail is every delivery email queued: the text by school and recipient address.
func (w *watcher) mail() map[string]string {
	w.t.Helper()
	rows, err := w.acts.Outbox.DB.Query(context.Background(),
		`SELECT idempotency_key, to_address, text_body FROM email_outbox WHERE template = 'delivery_behind'`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, to, body string
		if err := rows.Scan(&key, &to, &body); err != nil {
			w.t.Fatal(err)
		}
		school := strings.Split(key, "/")[1]
		out[school+" "+to] = body
	}
	return out
}

func (w *watcher) staff(schoolID, role string) []store.Recipient {
	w.t.Helper()
	people, err := w.acts.Store.SchoolStaff(context.Background(), schoolID, role)
	if err != nil {
		w.t.Fatal(err)
	}
	return people
}

// The week Zain's language group falls behind two school weeks running, Oakfield's SENDCo is
// told once, however often the check runs; Riverside, with nothing behind, hears nothing; the
// next week, still behind but not newly, brings no second email.
func TestDeliveryCheckTellsTheSENDCoOnceAWeek(t *testing.T) {
	w := newWatcher(t,
		"2026-11-02", "2026-11-04", "2026-11-06", // as promised
		"2026-11-10", // once in the week of 9 November
		"2026-11-17", // once in the week of 16 November
	)
	if got := w.check("2026-11-16"); got.Told != 0 {
		t.Fatalf("one poor week told %d schools", got.Told)
	}
	if len(w.mail()) != 0 {
		t.Fatalf("one poor week sent mail: %v", w.mail())
	}
	got := w.check("2026-11-23")
	w.check("2026-11-23") // the activity retried, or the worker restarted mid-check
	if got.Told != 1 || got.Schools < 2 {
		t.Errorf("the check = %+v, want 1 school told of %d or more", got, 2)
	}
	mail := w.mail()
	sendcos := w.staff(seed.DemoSchoolID, "sendco")
	if len(sendcos) == 0 || len(mail) != len(sendcos) {
		t.Fatalf("%d emails for Oakfield's %d SENDCos: %v", len(mail), len(sendcos), mail)
	}
	for _, p := range sendcos {
		body, ok := mail[seed.DemoSchoolID+" "+p.Email]
		if !ok {
			t.Errorf("SENDCo %s was not told", p.Email)
			continue
		}
		for _, want := range []string{"for 1 pupil, two school weeks running", publicURL + "/schools/" + seed.DemoSchoolID + "/provision"} {
			if !strings.Contains(body, want) {
				t.Errorf("the email lacks %q:\n%s", want, body)
			}
		}
		for _, leak := range []string{"Zain", "Hussain", "Language", "Talk Boost", "communication"} {
			if strings.Contains(body, leak) {
				t.Errorf("the email names %q:\n%s", leak, body)
			}
		}
	}
	for _, p := range append(w.staff(seed.OtherSchoolID, "sendco"), w.staff(seed.OtherSchoolID, "head")...) {
		if _, ok := mail[seed.OtherSchoolID+" "+p.Email]; ok {
			t.Errorf("Riverside's %s was told, with nothing behind there", p.Email)
		}
	}
	// A week on, still behind: nothing new to say.
	if got := w.check("2026-11-30"); got.Told != 0 || len(w.mail()) != len(sendcos) {
		t.Errorf("still behind a week later: told %d schools, %d emails in all", got.Told, len(w.mail()))
	}
	var audited int
	if err := w.acts.Store.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = 'delivery_watch:read' AND pupil_id = $1`, seed.PupilZainID).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited == 0 {
		t.Error("the check read Zain's plan without an audit record")
	}
}

// Half-term is not a shortfall: a poor week before it and the holiday itself tell nobody; the
// school week after it, if poor too, does.
func TestDeliveryCheckSkipsTheHoliday(t *testing.T) {
	w := newWatcher(t) // agreed 2 November; nothing logged
	// Move the plan back to before October half-term (26–30 October on the demo calendar).
	if _, err := w.acts.Store.DB.Exec(context.Background(), `UPDATE cycle_plans SET created_at = '2026-10-12T09:00:00Z'
		WHERE pupil_id = $1`, seed.PupilZainID); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2026-10-12", "2026-10-14", "2026-10-16", "2026-10-20"} {
		if _, err := w.acts.Store.DB.Exec(context.Background(), `INSERT INTO provision_log
			(id, pupil_id, cycle_number, description, given_on, logged_by, plan_item, accepted_at)
			VALUES ($1, $2, 1, 'Session given', $3, $4, 0, now())`, uuid.NewString(), seed.PupilZainID, d, sendcoID); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.check("2026-11-02"); got.Told != 0 {
		t.Errorf("half-term after one poor week told %d schools", got.Told)
	}
	if got := w.check("2026-11-09"); got.Told != 1 {
		t.Errorf("the poor school weeks either side of half-term told %d schools, want 1", got.Told)
	}
}
