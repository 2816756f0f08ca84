package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CaseItem is one thing on a SENDCo's list.
type CaseItem struct {
	PupilID   string
	FirstName string
	LastName  string
	ItemID    string
	What      string
	Due       *time.Time
}

// Caseload is what a SENDCo has to act on across the school, read from the read model only.
type Caseload struct {
	AwaitingTriage []CaseItem
	Approvals      []CaseItem
	ReviewsDue     []CaseItem
	ReviewsOverdue []CaseItem
	// Statutory are the school's EHC needs assessments and annual reviews, read with their
	// timeliness (see StatutoryItems).
	Statutory []StatutoryItem
	// Supported are the pupils on SEN support or with an EHC plan, for the meetings-a-year check.
	Supported []Supported
}

// Supported is a pupil on SEN support or with an EHC plan, with the parts of their pathway's
// state the meetings-a-year check reads (stage, clock, meetings, the number expected): not the
// whole state, which is most of a caseload's bytes and decoding time.
type Supported struct {
	PupilID   string
	FirstName string
	LastName  string
	State     []byte // a JSON object shaped like the pathway's state, holding only those parts
}

// LoadCaseload gathers a school's caseload as of today (on the calendar the deadlines use), in
// one round trip: on a busy server every round trip waits for its turn on the CPU.
func (s *Store) LoadCaseload(
	ctx context.Context,
	schoolID string,
	today time.Time,
	soon time.Duration,
) (*Caseload, error) {
	const pupil = `p.id::text, p.first_name, p.last_name`
	var b pgx.Batch
	c := &Caseload{}
	items := func(dst *[]CaseItem, sql string, args ...any) {
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			var err error
			*dst, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CaseItem])
			return err
		})
	}
	items(
		&c.AwaitingTriage,
		`SELECT `+pupil+`, '', 'A concern is waiting for triage', pw.updated_at FROM pathways pw JOIN pupils p ON p.id = pw.pupil_id
		WHERE pw.school_id = $1 AND pw.stage = 'awaiting_triage' ORDER BY pw.updated_at`,
		schoolID,
	)
	items(
		&c.Approvals,
		`SELECT `+pupil+`, i.item_id, 'A referral is waiting for your decision', i.updated_at FROM pathway_items i JOIN pupils p ON p.id = i.pupil_id
		WHERE i.school_id = $1 AND i.kind = 'referral' AND i.status = 'awaiting_decision' ORDER BY i.updated_at`,
		schoolID,
	)
	items(
		&c.ReviewsDue,
		`SELECT `+pupil+`, d.item_id, d.label, d.due FROM deadlines d JOIN pupils p ON p.id = d.pupil_id
		WHERE d.school_id = $1 AND d.kind IN ('cycle_review', 'annual_review_due') AND d.due >= $2 AND d.due < $3 ORDER BY d.due`,
		schoolID,
		today,
		today.Add(soon),
	)
	items(
		&c.ReviewsOverdue,
		`SELECT `+pupil+`, d.item_id, d.label, d.due FROM deadlines d JOIN pupils p ON p.id = d.pupil_id
		WHERE d.school_id = $1 AND d.kind IN ('cycle_review', 'annual_review_due') AND d.due < $2 ORDER BY d.due`,
		schoolID,
		today,
	)
	b.Queue(`SELECT `+statutoryColumns+` WHERE i.school_id = $1 AND i.kind IN ('ehc', 'annual_review') ORDER BY `+statutoryOrder, schoolID).
		Query(func(rows pgx.Rows) error {
			var err error
			c.Statutory, err = pgx.CollectRows(rows, pgx.RowToStructByPos[StatutoryItem])
			return err
		})
	b.Queue(`SELECT `+pupil+`, jsonb_build_object('Stage', pw.stage, 'Clock', pw.state -> 'Clock', 'Meetings', pw.state -> 'Meetings',
			'Timings', jsonb_build_object('Cycle', jsonb_build_object('MinParentMeetingsPerYear', pw.state #> '{Timings,Cycle,MinParentMeetingsPerYear}')))
		FROM pathways pw JOIN pupils p ON p.id = pw.pupil_id
		WHERE pw.school_id = $1 AND pw.stage IN ('sen_support','ehc_assessment','ehc_plan')`, schoolID).
		Query(func(rows pgx.Rows) error {
			var err error
			c.Supported, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Supported])
			return err
		})
	if err := s.DB.SendBatch(ctx, &b).Close(); err != nil {
		return nil, fmt.Errorf("load caseload of school %s: %w", schoolID, err)
	}
	return c, nil
}

// ParentViewsCounts counts, for a school's open support cycles, the views parents have given
// from their phones for the coming review, keyed by pupil id and item ("<pupil>/cycle/2").
func (s *Store) ParentViewsCounts(ctx context.Context, schoolID string) (map[string]int, error) {
	rows, err := s.DB.Query(ctx, `SELECT v.pupil_id::text || '/cycle/' || v.cycle_number, count(*) FROM parent_views v
		JOIN pupils p ON p.id = v.pupil_id WHERE p.school_id = $1 AND v.accepted_at IS NOT NULL
		GROUP BY v.pupil_id, v.cycle_number`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("count parents' views: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, rows.Err()
}
