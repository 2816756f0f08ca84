package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
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
// one landed) leaves the newer state in place, and events are stored once.
func TestProjectionNeverGoesBackwards(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	row := func(stage string, version int64) PathwayRow {
		return PathwayRow{PupilID: seed.PupilAmaraID, SchoolID: seed.DemoSchoolID, WorkflowID: "pathway/x",
			Stage: stage, Version: version, State: json.RawMessage(`{}`), UpdatedAt: time.Now()}
	}
	ev1 := TimelineEvent{Seq: 1, At: time.Now(), Kind: "concern_raised", Summary: "first"}
	ev2 := TimelineEvent{Seq: 2, At: time.Now(), Kind: "triaged", Summary: "second"}
	steps := []struct {
		row    PathwayRow
		events []TimelineEvent
	}{
		{row("awaiting_triage", 1), []TimelineEvent{ev1}},
		{row("sen_support", 2), []TimelineEvent{ev2}},
		{row("awaiting_triage", 1), []TimelineEvent{ev1}}, // retried old projection
	}
	for _, st := range steps {
		if err := s.ProjectPathway(ctx, st.row, st.events); err != nil {
			t.Fatal(err)
		}
	}
	got, events, err := s.Pathway(ctx, seed.PupilAmaraID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != "sen_support" || got.Version != 2 || len(events) != 2 {
		t.Errorf("stage=%s version=%d events=%d, want sen_support 2 2", got.Stage, got.Version, len(events))
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
