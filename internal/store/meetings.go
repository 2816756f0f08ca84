package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Meeting is a meeting with a pupil's family. Sequence is the iCalendar SEQUENCE of the last
// invitation sent: 0 when arranged, one more on each move or cancellation.
type Meeting struct {
	ID              string
	PupilID         string
	Kind            string // review, expectation or annual_review
	Cycle           int    // the support cycle a review meeting reviews; 0 for none
	StartsAt        time.Time
	DurationMinutes int
	Location        string
	Invitees        []string // extra staff addresses
	Sequence        int
	Status          string // scheduled or cancelled
	CreatedBy       string
}

// Kinds of meeting change.
const (
	MeetingCreate     = "create"
	MeetingReschedule = "reschedule"
	MeetingCancel     = "cancel"
)

// MeetingChange is one change to a meeting, named by the request that makes it: the same ID
// again (a retry) finds the change already made.
type MeetingChange struct {
	ID      string
	Kind    string   // MeetingCreate, MeetingReschedule or MeetingCancel
	Meeting *Meeting // the new meeting, for MeetingCreate (its ID is the meeting's id)
	// MeetingID names the meeting to reschedule or cancel; StartsAt is its new time.
	MeetingID string
	StartsAt  time.Time
	By        string
}

const meetingColumns = `id::text, pupil_id::text, kind, coalesce(cycle_number, 0), starts_at, duration_minutes, location,
	invitees, sequence, status, created_by::text`

func scanMeeting(row pgx.Row) (*Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.PupilID, &m.Kind, &m.Cycle, &m.StartsAt, &m.DurationMinutes, &m.Location,
		&m.Invitees, &m.Sequence, &m.Status, &m.CreatedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load meeting: %w", err)
	}
	return &m, nil
}

// MeetingByID loads a meeting; ErrNotFound if there is none.
func (s *Store) MeetingByID(ctx context.Context, id string) (*Meeting, error) {
	return scanMeeting(s.DB.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1`, id))
}

// UpcomingMeetings lists a pupil's scheduled meetings starting after a time, soonest first.
func (s *Store) UpcomingMeetings(ctx context.Context, pupilID string, after time.Time) ([]Meeting, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+meetingColumns+` FROM meetings
		WHERE pupil_id = $1 AND status = 'scheduled' AND starts_at > $2 ORDER BY starts_at LIMIT 10`, pupilID, after)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// ErrMeetingCancelled is returned for a change to a meeting that has been cancelled.
var ErrMeetingCancelled = errors.New("the meeting has been cancelled")

// ChangeMeeting makes one change to a meeting in a transaction: the meeting row is locked, the
// change gets the next SEQUENCE, confirm is called with the meeting as it will be (the pathway
// workflow is told there), and the change is committed only if confirm succeeds — a refusal
// leaves nothing behind. A change whose ID is already recorded (a retried request) is not made
// again: the meeting is returned as that change left it and confirm is not called, so the
// caller can queue the same emails again (the outbox keeps them once).
func (s *Store) ChangeMeeting(ctx context.Context, c MeetingChange, confirm func(m Meeting) error) (*Meeting, error) {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin meeting change: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit

	meetingID := c.MeetingID
	if c.Kind == MeetingCreate {
		meetingID = c.Meeting.ID
	}
	// A retry: the change is there already.
	var kind string
	var seq int
	var at time.Time
	err = tx.QueryRow(ctx, `SELECT kind, sequence, starts_at FROM meeting_changes WHERE id = $1`, c.ID).Scan(&kind, &seq, &at)
	switch {
	case err == nil:
		m, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1`, meetingID))
		if err != nil {
			return nil, err
		}
		m.Sequence, m.StartsAt = seq, at
		if kind == MeetingCancel {
			m.Status = "cancelled"
		}
		return m, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("look for meeting change: %w", err)
	}

	var m *Meeting
	switch c.Kind {
	case MeetingCreate:
		m = c.Meeting
		m.Sequence, m.Status = 0, "scheduled"
		var cycle any
		if m.Cycle > 0 {
			cycle = m.Cycle
		}
		invitees := m.Invitees
		if invitees == nil {
			invitees = []string{}
		}
		_, err = tx.Exec(ctx, `INSERT INTO meetings (id, pupil_id, kind, cycle_number, starts_at, duration_minutes, location, invitees, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			m.ID, m.PupilID, m.Kind, cycle, m.StartsAt, m.DurationMinutes, m.Location, invitees, m.CreatedBy)
		if err != nil {
			return nil, fmt.Errorf("insert meeting: %w", err)
		}
	case MeetingReschedule, MeetingCancel:
		m, err = scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1 FOR UPDATE`, meetingID))
		if err != nil {
			return nil, err
		}
		if m.Status == "cancelled" {
			return nil, ErrMeetingCancelled
		}
		m.Sequence++
		if c.Kind == MeetingCancel {
			m.Status = "cancelled"
		} else {
			m.StartsAt = c.StartsAt
		}
		_, err = tx.Exec(ctx, `UPDATE meetings SET sequence = $2, status = $3, starts_at = $4, updated_at = now() WHERE id = $1`,
			m.ID, m.Sequence, m.Status, m.StartsAt)
		if err != nil {
			return nil, fmt.Errorf("update meeting: %w", err)
		}
	default:
		return nil, fmt.Errorf("unknown meeting change %q", c.Kind)
	}
	_, err = tx.Exec(ctx, `INSERT INTO meeting_changes (id, meeting_id, kind, sequence, starts_at, changed_by) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, m.ID, c.Kind, m.Sequence, m.StartsAt, c.By)
	if err != nil {
		return nil, fmt.Errorf("record meeting change: %w", err)
	}
	if err := confirm(*m); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit meeting change: %w", err)
	}
	return m, nil
}

// pathwayCycles lists the support cycles the pathway's own state knows (projected before a
// plan-cycle update answers, unlike the cycle's item, which its child workflow writes a moment
// later).
const pathwayCycles = `SELECT (c->>'Number')::int AS number, coalesce((c->>'Reviewed')::boolean, false) AS reviewed
	FROM pathways p, jsonb_array_elements(CASE WHEN jsonb_typeof(p.state->'Cycles') = 'array' THEN p.state->'Cycles' ELSE '[]'::jsonb END) c
	WHERE p.pupil_id = $1`

// OpenCycle is the number of the pupil's newest support cycle that has not been reviewed, or 0.
func (s *Store) OpenCycle(ctx context.Context, pupilID string) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM (`+pathwayCycles+`) cs WHERE NOT reviewed`, pupilID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("find open cycle: %w", err)
	}
	return n, nil
}

// ReviewMeetingBooked reports whether a review meeting of support cycle n is arranged and not
// cancelled.
func (s *Store) ReviewMeetingBooked(ctx context.Context, pupilID string, n int) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meetings
		WHERE pupil_id = $1 AND kind = 'review' AND cycle_number = $2 AND status = 'scheduled')`, pupilID, n).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check review meeting: %w", err)
	}
	return ok, nil
}

// CycleExists reports whether the pupil has support cycle n.
func (s *Store) CycleExists(ctx context.Context, pupilID string, n int) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM (`+pathwayCycles+`) cs WHERE number = $2)`, pupilID, n).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check cycle: %w", err)
	}
	return ok, nil
}
