package store

import (
	"context"
	"encoding/json"
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
	// The statutory steps are read with their timeliness: see StatutoryItems.
	// Supported are the pathways of pupils on SEN support or with an EHC plan, for the
	// meetings-a-year check.
	Supported map[string]json.RawMessage
}

// LoadCaseload gathers a school's caseload as of today (on the calendar the deadlines use).
func (s *Store) LoadCaseload(ctx context.Context, schoolID string, today time.Time, soon time.Duration) (*Caseload, error) {
	c := &Caseload{Supported: map[string]json.RawMessage{}}
	q := func(dst *[]CaseItem, sql string, args ...any) error {
		rows, err := s.DB.Query(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("load caseload: %w", err)
		}
		items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CaseItem])
		if err != nil {
			return fmt.Errorf("load caseload: %w", err)
		}
		*dst = items
		return nil
	}
	const pupil = `p.id::text, p.first_name, p.last_name`
	steps := []struct {
		dst  *[]CaseItem
		sql  string
		args []any
	}{
		{&c.AwaitingTriage, `SELECT ` + pupil + `, '', 'A concern is waiting for triage', pw.updated_at FROM pathways pw JOIN pupils p ON p.id = pw.pupil_id
			WHERE pw.school_id = $1 AND pw.stage = 'awaiting_triage' ORDER BY pw.updated_at`, []any{schoolID}},
		{&c.Approvals, `SELECT ` + pupil + `, i.item_id, 'A referral is waiting for your decision', i.updated_at FROM pathway_items i JOIN pupils p ON p.id = i.pupil_id
			WHERE i.school_id = $1 AND i.kind = 'referral' AND i.status = 'awaiting_decision' ORDER BY i.updated_at`, []any{schoolID}},
		{&c.ReviewsDue, `SELECT ` + pupil + `, d.item_id, d.label, d.due FROM deadlines d JOIN pupils p ON p.id = d.pupil_id
			WHERE d.school_id = $1 AND d.kind IN ('cycle_review', 'annual_review_due') AND d.due >= $2 AND d.due < $3 ORDER BY d.due`,
			[]any{schoolID, today, today.Add(soon)}},
		{&c.ReviewsOverdue, `SELECT ` + pupil + `, d.item_id, d.label, d.due FROM deadlines d JOIN pupils p ON p.id = d.pupil_id
			WHERE d.school_id = $1 AND d.kind IN ('cycle_review', 'annual_review_due') AND d.due < $2 ORDER BY d.due`, []any{schoolID, today}},
	}
	for _, st := range steps {
		if err := q(st.dst, st.sql, st.args...); err != nil {
			return nil, err
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT pupil_id::text, state FROM pathways WHERE school_id = $1 AND stage IN ('sen_support','ehc_assessment','ehc_plan')`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load caseload: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st json.RawMessage
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		c.Supported[id] = st
	}
	return c, rows.Err()
}

// PupilNames maps pupil ids to "First Last", for lists.
func (s *Store) PupilNames(ctx context.Context, ids []string) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT id::text, first_name || ' ' || last_name FROM pupils WHERE id::text = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
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
