package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

func seeded(t *testing.T) *Store {
	t.Helper()
	pool := testenv.Pool(t)
	if err := seed.Demo(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(context.Background(), pool); err != nil { // seeding twice changes nothing
		t.Fatalf("second seed: %v", err)
	}
	return &Store{DB: pool}
}

// TestProjectionNeverGoesBackwards: a late, older projection (an activity retried after a newer
// one landed) leaves the newer state and deadlines in place, and events are stored once.
func TestProjectionNeverGoesBackwards(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	proj := func(item, status string, version int64, deadline string, events ...TimelineEvent) Projection {
		return Projection{PupilID: seed.PupilAmaraID, SchoolID: seed.DemoSchoolID, ItemID: item, Kind: "cycle",
			Status: status, Version: version, State: json.RawMessage(`{}`), UpdatedAt: time.Now(), Events: events,
			Deadlines: []Deadline{{Kind: deadline, Due: due, Label: deadline}}}
	}
	ev1 := TimelineEvent{Seq: 1, At: time.Now(), Kind: "concern_raised", Summary: "first"}
	ev2 := TimelineEvent{Seq: 2, At: time.Now(), Kind: "triaged", Summary: "second"}
	cycleEv := TimelineEvent{Seq: 1, At: time.Now(), Kind: "provision_logged", Summary: "cycle's own first event"}
	for _, p := range []Projection{
		proj("", "awaiting_triage", 1, "trial_window", ev1),
		proj("", "sen_support", 2, "none_left", ev2),
		proj("", "awaiting_triage", 1, "trial_window", ev1), // retried old projection
		proj("cycle/1", "active", 1, "cycle_review", cycleEv),
		proj("cycle/1", "reviewed", 2, "nothing"),
		proj("cycle/1", "active", 1, "cycle_review", cycleEv), // retried old projection
	} {
		if err := s.Project(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Pathway(ctx, seed.PupilAmaraID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Pathway.Stage != "sen_support" || v.Pathway.Version != 2 || len(v.Timeline) != 3 {
		t.Errorf(
			"stage=%s version=%d events=%d, want sen_support 2 3",
			v.Pathway.Stage,
			v.Pathway.Version,
			len(v.Timeline),
		)
	}
	if len(v.Items) != 1 || v.Items[0].Status != "reviewed" {
		t.Errorf("items = %+v", v.Items)
	}
	kinds := []string{}
	for _, d := range v.Deadlines {
		kinds = append(kinds, d.Kind)
	}
	if strings.Join(kinds, ",") != "none_left,nothing" {
		t.Errorf("deadlines = %v, want only the newest projections' (none_left, nothing)", kinds)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	if err := s.Audit(ctx, AuditEntry{ActorID: seed.People[0].ID, ActorRole: "sendco", Action: "pathway:read", PupilID: seed.PupilAmaraID}); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		_, err := s.DB.Exec(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want refusal", sql, err)
		}
	}
	var n int
	_ = s.DB.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n)
	if n != 1 {
		t.Errorf("audit rows = %d, want 1", n)
	}
}

func TestRelationships(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	oak, _ := s.UserByEmail(ctx, "TEACHER.OAK@oakfield.example") // case-insensitive, as identity providers vary
	if oak == nil || len(oak.Memberships) != 1 || oak.Memberships[0].Role != "teacher" {
		t.Fatalf("user = %+v", oak)
	}
	cases := []struct {
		name string
		fn   func(context.Context, string, string) (bool, error)
		user string
		want bool
	}{
		{"oak teacher teaches Amara", s.TeachesPupil, oak.ID, true},
		{"oak teacher does not teach Zain", s.TeachesPupil, oak.ID, false},
		{"Amara's parent", s.IsParentOf, seed.People[5].ID, true},
		{"Leo's parent is not Amara's", s.IsParentOf, seed.People[6].ID, false},
	}
	pupils := []string{seed.PupilAmaraID, seed.PupilZainID, seed.PupilAmaraID, seed.PupilAmaraID}
	for i, tc := range cases {
		got, err := tc.fn(ctx, tc.user, pupils[i])
		if err != nil || got != tc.want {
			t.Errorf("%s = %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestCouncilReach: an LA officer reaches a pupil while their authority assesses the request and
// while it maintains the plan the request led to, not after the plan ceases; another authority
// never.
func TestCouncilReach(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	sendcoID := seed.People[0].ID
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := s.DB.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	const req = "00000000-0000-4000-8000-00000000e001"
	if err := s.ProposeEHCRequest(ctx, req, seed.PupilAmaraID, "school", sendcoID); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE ehc_requests SET accepted_at = now() WHERE id = $1`, req)
	project := func(stage, ehcStatus, outcome string, version int64, pathwayState ...string) {
		t.Helper()
		state := `{}`
		if len(pathwayState) > 0 {
			state = pathwayState[0]
		}
		if err := s.Project(ctx, Projection{PupilID: seed.PupilAmaraID, SchoolID: seed.DemoSchoolID, Status: stage, Version: version,
			State: json.RawMessage(state), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := s.Project(ctx, Projection{PupilID: seed.PupilAmaraID, SchoolID: seed.DemoSchoolID, ItemID: "ehc/" + req, Kind: "ehc",
			Status: ehcStatus, Version: version, State: json.RawMessage(`{"Outcome":"` + outcome + `"}`), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name              string
		stage, ehc, outc  string
		demoshire, others bool
		pathway           string
	}{
		{"being assessed", "ehc_assessment", "assessing", "", true, false, `{}`},
		{"paused", "ehc_assessment", "paused", "", true, false, `{}`},
		// The assessment's own workflow writes that the plan is issued a moment before the
		// pathway takes it in: the officer who issued it must not lose the page in between.
		{"plan issued, the pathway not yet told", "ehc_assessment", "finished", "plan_issued", true, false,
			`{"EHC":{"RequestID":"` + req + `"}}`},
		{"plan maintained", "ehc_plan", "finished", "plan_issued", true, false, `{}`},
		{"plan ceased", "sen_support", "finished", "plan_issued", false, false, `{}`},
		{"plan ceased, another assessment under way", "ehc_assessment", "finished", "plan_issued", false, false,
			`{"EHC":{"RequestID":"00000000-0000-4000-8000-00000000e002"}}`},
	} {
		project(c.stage, c.ehc, c.outc, time.Now().UnixNano(), c.pathway)
		for la, want := range map[string]bool{"999": c.demoshire, "998": c.others} {
			if got, err := s.HasEHCRequestInLA(ctx, seed.PupilAmaraID, []string{la}); err != nil || got != want {
				t.Errorf("%s: LA %s reaches the pupil = %v %v, want %v", c.name, la, got, err, want)
			}
			if got, err := s.EHCRequestInLA(ctx, req, []string{la}); err != nil || got != want {
				t.Errorf("%s: LA %s reaches the request = %v %v, want %v", c.name, la, got, err, want)
			}
		}
	}
	// A school that moves to another authority leaves the plan with the council that holds it.
	exec(`UPDATE schools SET la_code = '998' WHERE id = $1`, seed.DemoSchoolID)
	project("ehc_plan", "finished", "plan_issued", time.Now().UnixNano())
	if got, _ := s.HasEHCRequestInLA(ctx, seed.PupilAmaraID, []string{"999"}); !got {
		t.Error("the council that maintains the plan lost the pupil when the school changed authority")
	}
}

// TestErrorsNameNobody: a store error is logged, so it names records by id, never by a person's
// name or address — even when the database refuses what was typed.
func TestErrorsNameNobody(t *testing.T) {
	s := seeded(t)
	err := s.CreatePupils(
		context.Background(),
		[]NewPupil{{ID: "00000000-0000-4000-8000-00000000f001", SchoolID: seed.DemoSchoolID,
			UPN: "A999999900001", FirstName: "Pat", LastName: "Quill", DateOfBirth: time.Date(2018, 1, 2, 0, 0, 0, 0, time.UTC),
			Parents: []NewParent{
				{
					ID:                     "00000000-0000-4000-8000-00000000f002",
					Name:                   "Jo\x00Quill",
					Email:                  "jo.quill@example.org",
					Relationship:           "parent",
					Language:               "en",
					ParentalResponsibility: true,
				},
			}}},
	)
	if err == nil {
		t.Fatal("a NUL in a name was stored")
	}
	for _, personal := range []string{"jo.quill@example.org", "Quill", "Pat"} {
		if strings.Contains(err.Error(), personal) {
			t.Errorf("the error names %q: %v", personal, err)
		}
	}
}

// A pupil's meetings come with every detail and each parent's latest answer; a meeting not yet
// accepted by the workflow is not shown.
func TestMeetingsOfShowTheLatestAnswers(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	const (
		sendco  = "5c0f0000-0000-4000-8000-000000000101"
		parent  = "5c0f0000-0000-4000-8000-000000000201"
		meeting = "5c0f0000-0000-4000-8000-00000000e001"
		pending = "5c0f0000-0000-4000-8000-00000000e002"
	)
	at := time.Date(2027, 3, 4, 10, 30, 0, 0, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO meetings (id, pupil_id, kind, cycle_number, starts_at, duration_minutes, location, invitees, sequence, created_by, accepted_at)
			VALUES ($1, $2, 'review', 1, $3, 45, 'Room 4', '{ta@oakfield.example}', 2, $4, now())`, []any{meeting, seed.PupilAmaraID, at, sendco}},
		{`INSERT INTO meetings (id, pupil_id, kind, starts_at, duration_minutes, location, created_by)
			VALUES ($1, $2, 'expectation', $3, 30, 'Hall', $4)`, []any{pending, seed.PupilAmaraID, at.AddDate(0, 1, 0), sendco}},
		{`INSERT INTO meeting_responses (id, meeting_id, parent_id, response, sequence, created_at, accepted_at)
			VALUES (gen_random_uuid(), $1, $2, 'declined', 2, now() - interval '1 hour', now()),
			       (gen_random_uuid(), $1, $2, 'accepted', 2, now(), now())`, []any{meeting, parent}},
	} {
		if _, err := s.DB.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := s.MeetingsOf(ctx, seed.PupilAmaraID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d meetings shown, want the accepted one only: %+v", len(ms), ms)
	}
	m := ms[0]
	if m.ID != meeting || m.PupilID != seed.PupilAmaraID || m.Kind != "review" || m.Cycle != 1 || !m.StartsAt.Equal(at) ||
		m.DurationMinutes != 45 || m.Location != "Room 4" || len(m.Invitees) != 1 || m.Sequence != 2 ||
		m.Status != "scheduled" ||
		m.CreatedBy != sendco {
		t.Errorf("meeting read as %+v", m.Meeting)
	}
	var answers []struct{ By, Response string }
	if err := json.Unmarshal(m.Answers, &answers); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].By != "Grace Okafor" || answers[0].Response != "accepted" {
		t.Errorf("answers %s, want Grace Okafor's latest: accepted", m.Answers)
	}
}
