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
		t.Errorf("stage=%s version=%d events=%d, want sen_support 2 3", v.Pathway.Stage, v.Pathway.Version, len(v.Timeline))
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
