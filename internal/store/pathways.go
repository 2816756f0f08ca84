package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PathwayRow is the read model of one pupil's pathway.
type PathwayRow struct {
	PupilID    string
	SchoolID   string
	WorkflowID string
	Stage      string
	Version    int64
	State      json.RawMessage
	UpdatedAt  time.Time
}

// TimelineEvent is one plain-words line of a pathway's story.
type TimelineEvent struct {
	Seq     int64
	At      time.Time
	Kind    string
	Summary string
}

// ProjectPathway writes a pathway snapshot and its new events in one transaction. It is
// idempotent (events keyed by sequence) and never replaces a newer snapshot with an older one.
func (s *Store) ProjectPathway(ctx context.Context, row PathwayRow, events []TimelineEvent) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin projection: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // rollback after commit is a no-op
	_, err = tx.Exec(ctx, `INSERT INTO pathways (pupil_id, school_id, workflow_id, stage, version, state, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (pupil_id) DO UPDATE SET school_id = EXCLUDED.school_id, workflow_id = EXCLUDED.workflow_id,
			stage = EXCLUDED.stage, version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
		WHERE pathways.version < EXCLUDED.version`,
		row.PupilID, row.SchoolID, row.WorkflowID, row.Stage, row.Version, row.State, row.UpdatedAt)
	if err != nil {
		return fmt.Errorf("project pathway %s: %w", row.PupilID, err)
	}
	for _, e := range events {
		_, err = tx.Exec(ctx, `INSERT INTO pathway_events (pupil_id, seq, at, kind, summary)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pupil_id, seq) DO NOTHING`, row.PupilID, e.Seq, e.At, e.Kind, e.Summary)
		if err != nil {
			return fmt.Errorf("project pathway event %d: %w", e.Seq, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit projection: %w", err)
	}
	return nil
}

// Pathway reads a pupil's projected pathway and timeline; ErrNotFound if none has started.
func (s *Store) Pathway(ctx context.Context, pupilID string) (*PathwayRow, []TimelineEvent, error) {
	var r PathwayRow
	err := s.DB.QueryRow(ctx, `SELECT pupil_id, school_id, workflow_id, stage, version, state, updated_at
		FROM pathways WHERE pupil_id = $1`, pupilID).
		Scan(&r.PupilID, &r.SchoolID, &r.WorkflowID, &r.Stage, &r.Version, &r.State, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load pathway %s: %w", pupilID, err)
	}
	rows, err := s.DB.Query(ctx, `SELECT seq, at, kind, summary FROM pathway_events WHERE pupil_id = $1 ORDER BY seq`, pupilID)
	if err != nil {
		return nil, nil, fmt.Errorf("load timeline %s: %w", pupilID, err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TimelineEvent])
	if err != nil {
		return nil, nil, fmt.Errorf("load timeline %s: %w", pupilID, err)
	}
	return &r, events, nil
}
