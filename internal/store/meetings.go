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

// MeetingChange is one change to a meeting, named by the action that makes it: the same ID
// again (a retry) finds the change already proposed.
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

// MeetingByID loads a meeting the pathway has accepted; ErrNotFound if there is none.
func (s *Store) MeetingByID(ctx context.Context, id string) (*Meeting, error) {
	return scanMeeting(
		s.DB.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = $1 AND accepted_at IS NOT NULL`, id),
	)
}

// UpcomingMeetings lists a pupil's scheduled meetings starting after a time, soonest first.
func (s *Store) UpcomingMeetings(ctx context.Context, pupilID string, after time.Time) ([]Meeting, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+meetingColumns+` FROM meetings
		WHERE pupil_id = $1 AND status = 'scheduled' AND accepted_at IS NOT NULL AND starts_at > $2 ORDER BY starts_at LIMIT 10`, pupilID, after)
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

// ProposeMeetingChange writes one change to a meeting, proposed: a new meeting with its first
// change, or a move or a cancellation of one. The pathway accepts it (its projection gives the
// change its calendar SEQUENCE and applies it to the meeting) or the caller withdraws it.
// Proposing the same change again (a retry) writes nothing.
func (s *Store) ProposeMeetingChange(ctx context.Context, c MeetingChange) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("propose meeting change: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	meetingID, at := c.MeetingID, c.StartsAt
	switch c.Kind {
	case MeetingCreate:
		m := c.Meeting
		meetingID, at = m.ID, m.StartsAt
		var cycle any
		if m.Cycle > 0 {
			cycle = m.Cycle
		}
		invitees := m.Invitees
		if invitees == nil {
			invitees = []string{}
		}
		_, err = tx.Exec(
			ctx,
			`INSERT INTO meetings (id, pupil_id, kind, cycle_number, starts_at, duration_minutes, location, invitees, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
			m.ID,
			m.PupilID,
			m.Kind,
			cycle,
			m.StartsAt,
			m.DurationMinutes,
			m.Location,
			invitees,
			m.CreatedBy,
		)
		if err != nil {
			return fmt.Errorf("propose meeting: %w", err)
		}
	case MeetingReschedule:
	case MeetingCancel:
		if err := tx.QueryRow(ctx, `SELECT starts_at FROM meetings WHERE id = $1`, meetingID).Scan(&at); err != nil {
			return fmt.Errorf("propose meeting cancellation: %w", err)
		}
	default:
		return fmt.Errorf("unknown meeting change %q", c.Kind)
	}
	_, err = tx.Exec(
		ctx,
		`INSERT INTO meeting_changes (id, meeting_id, kind, starts_at, changed_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`,
		c.ID,
		meetingID,
		c.Kind,
		at,
		c.By,
	)
	if err != nil {
		return fmt.Errorf("propose meeting change: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("propose meeting change: %w", err)
	}
	return nil
}

// AcceptedMeetingChange is a change the pathway accepted, with the meeting as it left it.
type AcceptedMeetingChange struct {
	Kind     string
	Sequence int
	Meeting  *Meeting
}

// MeetingChangeAccepted loads an accepted change and its meeting as the change left it (a later
// change may have moved the meeting on). ErrNotFound if the change is not accepted.
func (s *Store) MeetingChangeAccepted(ctx context.Context, changeID string) (*AcceptedMeetingChange, error) {
	var c AcceptedMeetingChange
	var meetingID string
	var at time.Time
	err := s.DB.QueryRow(ctx, `SELECT kind, sequence, starts_at, meeting_id::text FROM meeting_changes WHERE id = $1 AND accepted_at IS NOT NULL`, changeID).
		Scan(&c.Kind, &c.Sequence, &at, &meetingID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load meeting change %s: %w", changeID, err)
	}
	if c.Meeting, err = s.MeetingByID(ctx, meetingID); err != nil {
		return nil, err
	}
	c.Meeting.Sequence, c.Meeting.StartsAt = c.Sequence, at
	c.Meeting.Status = "scheduled"
	if c.Kind == MeetingCancel {
		c.Meeting.Status = "cancelled"
	}
	return &c, nil
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
	err := s.DB.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM (`+pathwayCycles+`) cs WHERE NOT reviewed`, pupilID).
		Scan(&n)
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
		WHERE pupil_id = $1 AND kind = 'review' AND cycle_number = $2 AND status = 'scheduled' AND accepted_at IS NOT NULL)`, pupilID, n).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check review meeting: %w", err)
	}
	return ok, nil
}

// CycleExists reports whether the pupil has support cycle n.
func (s *Store) CycleExists(ctx context.Context, pupilID string, n int) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM (`+pathwayCycles+`) cs WHERE number = $2)`, pupilID, n).
		Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check cycle: %w", err)
	}
	return ok, nil
}

// CycleOfPlan is the number of the support cycle a plan opened (from the pathway's own state).
func (s *Store) CycleOfPlan(ctx context.Context, pupilID, planID string) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT coalesce(max((c->>'Number')::int), 0) FROM pathways p,
		jsonb_array_elements(CASE WHEN jsonb_typeof(p.state->'Cycles') = 'array' THEN p.state->'Cycles' ELSE '[]'::jsonb END) c
		WHERE p.pupil_id = $1 AND c->>'PlanID' = $2`, pupilID, planID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("find the cycle of plan %s: %w", planID, err)
	}
	return n, nil
}

// MeetingInvitations counts the emails queued for one version (SEQUENCE) of a meeting.
func (s *Store) MeetingInvitations(ctx context.Context, meetingID string, sequence int) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE idempotency_key LIKE $1`,
		fmt.Sprintf("meeting/%s/%d/%%", meetingID, sequence)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count invitations: %w", err)
	}
	return n, nil
}

// Who an invitee is to a pupil, as InviteesOf says.
const (
	InviteeParent       = "parent"       // invited by the family's own invitation
	InviteeStaff        = "staff"        // teacher, teaching assistant, SENDCo or head of the pupil's school
	InviteeProfessional = "professional" // practitioner of a service on the pupil's open, consented referral
)

// InviteesOf says who each address is to the pupil ("" for nobody sendflow may tell of them).
// Addresses are compared without case.
func (s *Store) InviteesOf(ctx context.Context, pupilID string, addrs []string) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT a, CASE
		WHEN EXISTS (SELECT 1 FROM users u JOIN pupil_parents pp ON pp.user_id = u.id
			WHERE pp.pupil_id = $1 AND lower(u.email) = lower(a)) THEN 'parent'
		WHEN EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.user_id = u.id JOIN pupils p ON p.school_id = m.school_id
			WHERE p.id = $1 AND m.role IN ('teacher', 'teaching_assistant', 'sendco', 'head') AND lower(u.email) = lower(a)) THEN 'staff'
		WHEN EXISTS (SELECT 1 FROM users u JOIN agency_practitioners ap ON ap.user_id = u.id
			JOIN referrals r ON r.service = ap.service AND r.pupil_id = $1 AND r.accepted_at IS NOT NULL
			JOIN pathway_items it ON it.pupil_id = r.pupil_id AND it.item_id = 'referral/' || r.id
			WHERE `+agencyOpen+` AND lower(u.email) = lower(a)) THEN 'professional'
		ELSE '' END FROM unnest($2::text[]) a`, pupilID, addrs)
	if err != nil {
		return nil, fmt.Errorf("check invitees: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, kind string
		if err := rows.Scan(&a, &kind); err != nil {
			return nil, fmt.Errorf("check invitees: %w", err)
		}
		out[a] = kind
	}
	return out, rows.Err()
}

// MeetingAnswer is a parent's answer to one version (SEQUENCE) of an invitation.
type MeetingAnswer struct {
	Response string // accepted, declined or another_time
	Sequence int
	At       time.Time
}

// LatestAnswer is a parent's newest answer to a meeting that the pathway accepted;
// ErrNotFound if they have not answered.
func (s *Store) LatestAnswer(ctx context.Context, parentID, meetingID string) (*MeetingAnswer, error) {
	var a MeetingAnswer
	err := s.DB.QueryRow(ctx, `SELECT response, sequence, accepted_at FROM meeting_responses
		WHERE parent_id::text = $1 AND meeting_id = $2 AND accepted_at IS NOT NULL ORDER BY accepted_at DESC LIMIT 1`, parentID, meetingID).
		Scan(&a.Response, &a.Sequence, &a.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load the answer to meeting %s: %w", meetingID, err)
	}
	return &a, nil
}
