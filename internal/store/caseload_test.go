package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/workflows"
)

// The caseload reads only the parts of a supported pupil's state the meetings-a-year check needs:
// the check gives the same answer on them as on the whole state, so the SENDCo sees the same
// warning.
func TestCaseloadMeetingsCheckReadsWhatItNeeds(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	timings, err := workflows.LoadTimings("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pupil    string
		meetings []time.Time
	}{
		{seed.PupilAmaraID, []time.Time{now.AddDate(0, -2, 0), now.AddDate(0, 1, 0)}}, // two this school year: a warning
		{seed.PupilLeoID, []time.Time{now.AddDate(0, -3, 0), now.AddDate(0, -1, 0), now.AddDate(0, 2, 0)}},
	} {
		st := workflows.NewPathwayState(
			workflows.PathwayInput{PupilID: c.pupil, SchoolID: seed.DemoSchoolID, Timings: timings},
			now.AddDate(0, -6, 0),
		)
		st.Stage, st.Meetings, st.Version = workflows.StageSENSupport, c.meetings, 1
		full, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Project(ctx, Projection{PupilID: c.pupil, SchoolID: seed.DemoSchoolID, Kind: "pathway", Status: string(st.Stage),
			Version: 1, State: full, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.LoadCaseload(ctx, seed.DemoSchoolID, now.Truncate(24*time.Hour), 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]int{}
	for _, sp := range c.Supported {
		if sp.FirstName == "" || sp.LastName == "" {
			t.Errorf("supported pupil %s without a name", sp.PupilID)
		}
		var st workflows.PathwayState
		if err := json.Unmarshal(sp.State, &st); err != nil {
			t.Fatalf("%s: %v", sp.State, err)
		}
		if len(sp.State) > 400 {
			t.Errorf("the caseload reads %d bytes of state for one pupil: %s", len(sp.State), sp.State)
		}
		if n, warn := st.ParentMeetings(st.Clock.Now(now)); warn {
			warned[sp.PupilID] = n
		}
	}
	if len(c.Supported) != 2 || len(warned) != 1 || warned[seed.PupilAmaraID] != 2 {
		t.Errorf(
			"%d supported, warnings %v; want 2 supported and Amara warned with 2 meetings",
			len(c.Supported),
			warned,
		)
	}
}

// A read of many pupils is audited with one row for each, in one statement.
func TestAuditPupilsWritesOneRowEach(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	req := "req-" + time.Now().Format(time.RFC3339Nano)
	pupils := []string{seed.PupilAmaraID, seed.PupilLeoID, seed.PupilZainID}
	if err := s.AuditPupils(ctx, AuditEntry{ActorID: teacherOak, ActorRole: "sendco", Action: "caseload:read",
		SchoolID: seed.DemoSchoolID, RequestID: req}, pupils); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB.Query(
		ctx,
		`SELECT pupil_id::text, actor_id::text, actor_role, action, school_id::text, outcome FROM audit_log
		WHERE request_id = $1 ORDER BY id`,
		req,
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var pupil, actor, role, action, school, outcome string
		if err := rows.Scan(&pupil, &actor, &role, &action, &school, &outcome); err != nil {
			t.Fatal(err)
		}
		if actor != teacherOak || role != "sendco" || action != "caseload:read" || school != seed.DemoSchoolID ||
			outcome != "ok" {
			t.Errorf("row for %s: %s %s %s %s %s", pupil, actor, role, action, school, outcome)
		}
		got = append(got, pupil)
	}
	if len(got) != 3 || got[0] != pupils[0] || got[1] != pupils[1] || got[2] != pupils[2] {
		t.Errorf("audited %v, want %v", got, pupils)
	}
}
