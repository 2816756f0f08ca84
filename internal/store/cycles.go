package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CycleRecord is one support cycle as the review form shows it: the plan the cycle's workflow
// accepted, its status, and the review once the workflow has taken it.
type CycleRecord struct {
	Number int
	Status string // active, overdue or reviewed
	Plan   PlanRecord
	Review *ReviewRecord
}

// Cycle reads support cycle n of a pupil from the read model; ErrNotFound if the pupil has no
// such cycle yet.
func (s *Store) Cycle(ctx context.Context, pupilID string, n int) (*CycleRecord, error) {
	c := &CycleRecord{Number: n}
	err := s.DB.QueryRow(ctx, `SELECT i.status, p.id::text, p.created_at, p.review_date, p.outcomes, p.provision, p.parent_views, p.pupil_views
		FROM pathway_items i JOIN cycle_plans p ON p.id::text = i.state -> 'Plan' ->> 'PlanID' AND p.accepted_at IS NOT NULL
		WHERE i.pupil_id = $1 AND i.item_id = 'cycle/' || $2::int`, pupilID, n).
		Scan(&c.Status, &c.Plan.PlanID, &c.Plan.CreatedAt, &c.Plan.ReviewDate, &c.Plan.Outcomes, &c.Plan.Provision, &c.Plan.ParentViews, &c.Plan.PupilViews)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load cycle %d of %s: %w", n, pupilID, err)
	}
	var r ReviewRecord
	err = s.DB.QueryRow(ctx, `SELECT cycle_number, created_at, ratings, parent_views, pupil_views, next_step FROM cycle_reviews
		WHERE pupil_id = $1 AND cycle_number = $2 AND accepted_at IS NOT NULL ORDER BY created_at LIMIT 1`, pupilID, n).
		Scan(&r.Cycle, &r.CreatedAt, &r.Ratings, &r.ParentViews, &r.PupilViews, &r.NextStep)
	switch {
	case err == nil:
		c.Review = &r
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("load the review of cycle %d of %s: %w", n, pupilID, err)
	}
	return c, nil
}
