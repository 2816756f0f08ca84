package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ConcernRecord is a concern as recorded, with the impacts given for its strategies.
type ConcernRecord struct {
	RaisedAt   time.Time
	RaisedBy   string
	Areas      []string
	Observed   string
	Indicators []string
	Strategies json.RawMessage // [{strategyId, startedOn, frequency, notes}]
	Impacts    json.RawMessage // latest first: [{strategyId, impact, notes}] per recording
}

// PlanRecord is a support plan and, when reviewed, its review.
type PlanRecord struct {
	PlanID      string
	CreatedAt   time.Time
	ReviewDate  time.Time
	Outcomes    json.RawMessage // [{id, text}]
	Provision   json.RawMessage // [{text, frequency}]
	ParentViews string
	PupilViews  string
}

// ReviewRecord is a cycle's review.
type ReviewRecord struct {
	Cycle       int
	CreatedAt   time.Time
	Ratings     json.RawMessage // [{outcomeId, rating}]
	ParentViews string
	PupilViews  string
	NextStep    string
}

// AdviceRecord is advice an agency sent.
type AdviceRecord struct {
	Service    string
	ReceivedAt time.Time
	Summary    string
}

// EvidenceFacts is what the evidence pack is assembled from.
type EvidenceFacts struct {
	ClassName   *string
	DOB         time.Time
	Concerns    []ConcernRecord
	Plans       []PlanRecord
	Reviews     []ReviewRecord
	Provision   map[int]int // entries logged per cycle
	Advice      []AdviceRecord
	CycleOfPlan map[string]int
}

// EvidenceFacts gathers a pupil's recorded words and dates for the evidence pack.
func (s *Store) EvidenceFacts(ctx context.Context, pupilID string) (*EvidenceFacts, error) {
	f := &EvidenceFacts{Provision: map[int]int{}, CycleOfPlan: map[string]int{}}
	fail := func(what string, err error) (*EvidenceFacts, error) {
		return nil, fmt.Errorf("evidence pack: %s: %w", what, err)
	}
	if err := s.DB.QueryRow(ctx, `SELECT c.name, p.date_of_birth FROM pupils p LEFT JOIN classes c ON c.id = p.class_id WHERE p.id = $1`, pupilID).
		Scan(&f.ClassName, &f.DOB); err != nil {
		return fail("pupil", err)
	}
	rows, err := s.DB.Query(ctx, `SELECT c.created_at, u.name, c.areas, c.observed, c.indicators,
			CASE jsonb_typeof(c.strategies) WHEN 'array' THEN c.strategies ELSE '[]' END,
			coalesce((SELECT jsonb_agg(ci.impacts ORDER BY ci.created_at DESC) FROM concern_impacts ci
				WHERE ci.concern_id = c.id AND ci.accepted_at IS NOT NULL), '[]')
		FROM concerns c JOIN users u ON u.id = c.raised_by WHERE c.pupil_id = $1 AND c.accepted_at IS NOT NULL ORDER BY c.created_at`, pupilID)
	if err != nil {
		return fail("concerns", err)
	}
	if f.Concerns, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ConcernRecord]); err != nil {
		return fail("concerns", err)
	}
	rows, err = s.DB.Query(
		ctx,
		`SELECT id::text, created_at, review_date, outcomes, provision, parent_views, pupil_views
		FROM cycle_plans WHERE pupil_id = $1 AND accepted_at IS NOT NULL ORDER BY created_at`,
		pupilID,
	)
	if err != nil {
		return fail("plans", err)
	}
	if f.Plans, err = pgx.CollectRows(rows, pgx.RowToStructByPos[PlanRecord]); err != nil {
		return fail("plans", err)
	}
	rows, err = s.DB.Query(
		ctx,
		`SELECT DISTINCT ON (cycle_number) cycle_number, created_at, ratings, parent_views, pupil_views, next_step
		FROM cycle_reviews WHERE pupil_id = $1 AND accepted_at IS NOT NULL ORDER BY cycle_number, created_at`,
		pupilID,
	)
	if err != nil {
		return fail("reviews", err)
	}
	if f.Reviews, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ReviewRecord]); err != nil {
		return fail("reviews", err)
	}
	rows, err = s.DB.Query(ctx, `SELECT (state -> 'Plan' ->> 'PlanID'), (state ->> 'Number')::int FROM pathway_items
		WHERE pupil_id = $1 AND kind = 'cycle'`, pupilID)
	if err != nil {
		return fail("cycles", err)
	}
	for rows.Next() {
		var plan string
		var n int
		if err := rows.Scan(&plan, &n); err != nil {
			return fail("cycles", err)
		}
		f.CycleOfPlan[plan] = n
	}
	rows, err = s.DB.Query(
		ctx,
		`SELECT cycle_number, count(*) FROM provision_log WHERE pupil_id = $1 AND accepted_at IS NOT NULL GROUP BY cycle_number`,
		pupilID,
	)
	if err != nil {
		return fail("provision", err)
	}
	for rows.Next() {
		var n, c int
		if err := rows.Scan(&n, &c); err != nil {
			return fail("provision", err)
		}
		f.Provision[n] = c
	}
	rows, err = s.DB.Query(
		ctx,
		`SELECT sv.name, ar.created_at, ar.summary FROM agency_responses ar JOIN referrals r ON r.id = ar.referral_id
		JOIN agency_services sv ON sv.code = r.service WHERE r.pupil_id = $1 AND ar.kind = 'advice' AND ar.accepted_at IS NOT NULL
		ORDER BY ar.created_at`,
		pupilID,
	)
	if err != nil {
		return fail("advice", err)
	}
	if f.Advice, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AdviceRecord]); err != nil {
		return fail("advice", err)
	}
	return f, nil
}

// ForWhom names the receiver of an evidence pack: a service's name, or the pupil's local
// authority for an EHC needs assessment request.
func (s *Store) ForWhom(ctx context.Context, pupilID, forCode string) (string, error) {
	var name string
	var err error
	if forCode == "ehcna" {
		err = s.DB.QueryRow(ctx, `SELECT la.name || ': EHC needs assessment request' FROM pupils p JOIN schools sc ON sc.id = p.school_id
			JOIN local_authorities la ON la.code = sc.la_code WHERE p.id = $1`, pupilID).
			Scan(&name)
	} else {
		err = s.DB.QueryRow(ctx, `SELECT name FROM agency_services WHERE code = $1`, forCode).Scan(&name)
	}
	if err != nil {
		return "", ErrNotFound
	}
	return name, nil
}
