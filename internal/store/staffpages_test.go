package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
)

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
		m.DurationMinutes != 45 || m.Location != "Room 4" || len(m.Invitees) != 1 || m.Sequence != 2 || m.Status != "scheduled" || m.CreatedBy != sendco {
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
