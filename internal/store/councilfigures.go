package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/register"
)

// The rows the council's and the trust's figures are added up from (internal/register): EHC
// needs assessment requests with the dates of their stages, annual reviews overdue, reviews with
// the parents' views, and meetings held with families. Each is read for a set of schools.

// Area is a set of schools the figures are for: a local authority's (LACode) or a trust's
// (TrustID).
type Area struct {
	LACode, TrustID string
}

// where is the condition on a school sc that it is in the area.
const areaSchools = `(($1 <> '' AND sc.la_code = $1) OR ($2 <> '' AND sc.trust_id::text = $2))`

// AreaSchools are the schools of an area, by id, with their names.
func (s *Store) AreaSchools(ctx context.Context, a Area) (map[string]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT sc.id::text, sc.name FROM schools sc WHERE `+areaSchools, a.LACode, a.TrustID)
	if err != nil {
		return nil, fmt.Errorf("load schools of area: %w", err)
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

// TrustName is a trust's name; ErrNotFound if there is none with this id.
func (s *Store) TrustName(ctx context.Context, id string) (string, error) {
	var name string
	err := s.DB.QueryRow(ctx, `SELECT name FROM trusts WHERE id::text = $1`, id).Scan(&name)
	if err == pgx.ErrNoRows {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("load trust %s: %w", id, err)
	}
	return name, nil
}

// EHCRequests reads the EHC needs assessment requests of an area's schools that their workflows
// took, each with the school it came from; a council's are those sent to it (the request's own
// authority), a trust's those from its schools. The dates come from the assessment's projected
// state; within 20 weeks is the workflow's own verdict on the final plan.
func (s *Store) EHCRequests(ctx context.Context, a Area) ([]register.Request, error) {
	rows, err := s.DB.Query(ctx, `SELECT sc.id::text, sc.name,
			coalesce((it.state #>> '{Timeline,RequestedAt}')::timestamptz, r.created_at),
			(it.state #>> '{Met,decision_to_assess,At}')::timestamptz,
			(it.state #>> '{Timeline,DraftIssuedAt}')::timestamptz,
			CASE WHEN it.status = 'finished' THEN coalesce((it.state #>> '{Met,final_plan,At}')::timestamptz,
				(it.state #>> '{Met,notice_not_to_issue,At}')::timestamptz, (it.state #>> '{Met,decision_to_assess,At}')::timestamptz, it.updated_at) END,
			CASE WHEN it.status = 'finished' THEN coalesce(it.state ->> 'Outcome', '') ELSE '' END,
			coalesce((it.state #>> '{Met,final_plan,WithoutExceptions}')::boolean, false),
			coalesce(jsonb_typeof(it.state #> '{Timeline,Pauses}') = 'array' AND jsonb_array_length(it.state #> '{Timeline,Pauses}') > 0, false)
		FROM ehc_requests r JOIN pathway_items it ON it.pupil_id = r.pupil_id AND it.item_id = 'ehc/' || r.id
		JOIN schools sc ON sc.id = it.school_id
		WHERE r.accepted_at IS NOT NULL AND (($1 <> '' AND r.la_code = $1) OR ($2 <> '' AND sc.trust_id::text = $2))
		ORDER BY sc.name, r.created_at`, a.LACode, a.TrustID)
	if err != nil {
		return nil, fmt.Errorf("load EHC requests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (register.Request, error) {
		var r register.Request
		err := row.Scan(
			&r.School,
			&r.SchoolName,
			&r.RequestedAt,
			&r.DecidedAt,
			&r.DraftAt,
			&r.FinishedAt,
			&r.Outcome,
			&r.Within20Weeks,
			&r.Exception,
		)
		if r.Outcome != register.OutcomePlanIssued {
			r.Within20Weeks = false
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("load EHC requests: %w", err)
	}
	return out, nil
}

// AnnualReviewsOverdue counts, by school, the EHC plans whose annual review meeting is past its
// due date and not held.
func (s *Store) AnnualReviewsOverdue(ctx context.Context, a Area, today time.Time) (map[string]int, error) {
	return s.countBySchool(
		ctx,
		`SELECT d.school_id::text, count(*) FROM deadlines d JOIN schools sc ON sc.id = d.school_id
		WHERE `+areaSchools+` AND d.kind = 'annual_review_due' AND d.due < $3 GROUP BY d.school_id`,
		a.LACode,
		a.TrustID,
		today,
	)
}

// ReviewsWithViews lists the support plans reviewed since a time in an area's schools, each with
// whether the parents' views were part of it (given at the review or sent from their phones).
func (s *Store) ReviewsWithViews(ctx context.Context, a Area, since time.Time) ([]register.Review, error) {
	rows, err := s.DB.Query(ctx, `SELECT sc.id::text, (cr.parent_views <> '' OR EXISTS (SELECT 1 FROM parent_views v
			WHERE v.pupil_id = cr.pupil_id AND v.cycle_number = cr.cycle_number AND v.accepted_at IS NOT NULL))
		FROM cycle_reviews cr JOIN pupils p ON p.id = cr.pupil_id JOIN schools sc ON sc.id = p.school_id
		WHERE `+areaSchools+` AND cr.accepted_at IS NOT NULL AND cr.created_at >= $3`, a.LACode, a.TrustID, since)
	if err != nil {
		return nil, fmt.Errorf("load reviews: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[register.Review])
	if err != nil {
		return nil, fmt.Errorf("load reviews: %w", err)
	}
	return out, nil
}

// MeetingsHeld counts, by school, the meetings with families that took place between two times
// (arranged through sendflow and not cancelled).
func (s *Store) MeetingsHeld(ctx context.Context, a Area, from, to time.Time) (map[string]int, error) {
	return s.countBySchool(
		ctx,
		`SELECT sc.id::text, count(*) FROM meetings m JOIN pupils p ON p.id = m.pupil_id JOIN schools sc ON sc.id = p.school_id
		WHERE `+areaSchools+` AND m.accepted_at IS NOT NULL AND m.status = 'scheduled' AND m.starts_at >= $3 AND m.starts_at < $4
		GROUP BY sc.id`,
		a.LACode,
		a.TrustID,
		from,
		to,
	)
}

// PupilsSupported counts, by school, the pupils on SEN support, being assessed or with an EHC plan.
func (s *Store) PupilsSupported(ctx context.Context, a Area) (map[string]int, error) {
	return s.countBySchool(ctx, `SELECT sc.id::text, count(*) FROM pathways pw JOIN schools sc ON sc.id = pw.school_id
		WHERE `+areaSchools+` AND pw.stage IN ('sen_support', 'ehc_assessment', 'ehc_plan') GROUP BY sc.id`, a.LACode, a.TrustID)
}

func (s *Store) countBySchool(ctx context.Context, sql string, args ...any) (map[string]int, error) {
	rows, err := s.DB.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("count by school: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Trust is a trust someone administers.
type Trust struct{ ID, Name string }

// TrustsOf lists the trusts a person administers, by name.
func (s *Store) TrustsOf(ctx context.Context, userID string) ([]Trust, error) {
	rows, err := s.DB.Query(ctx, `SELECT t.id::text, t.name FROM trust_admins ta JOIN trusts t ON t.id = ta.trust_id
		WHERE ta.user_id = $1 ORDER BY t.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("load trusts of %s: %w", userID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Trust])
	if err != nil {
		return nil, fmt.Errorf("load trusts of %s: %w", userID, err)
	}
	return out, nil
}
