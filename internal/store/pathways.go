package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// Projection is one workflow's state for the read model: the pathway itself (ItemID "") or one
// of its parts.
type Projection struct {
	PupilID    string
	SchoolID   string
	ItemID     string
	Kind       string
	Status     string
	WorkflowID string
	Version    int64
	State      json.RawMessage
	Events     []TimelineEvent
	Deadlines  []Deadline
	// Accept names the proposed records (kind and id) this change takes into the pupil's history.
	Accept    []RecordRef
	UpdatedAt time.Time
}

// RecordRef names a record: its kind (see RecordTable) and id.
type RecordRef struct{ Kind, ID string }

// TimelineEvent is one plain-words line of a pathway's story.
type TimelineEvent struct {
	Source  string
	Seq     int64
	At      time.Time
	Kind    string
	Summary string
	// ActorID is who acted, when the line should say who ("" otherwise); ActorName is their
	// name, when read.
	ActorID   string
	ActorName string
	// SchoolName is the school the pupil was at when it happened (read only): the history
	// moves with the pupil and says which school did what.
	SchoolName string
}

// Deadline is an open date someone must act by.
type Deadline struct {
	ItemID string
	Kind   string
	Ref    string
	Due    time.Time
	Label  string
}

// Project writes a projection in one transaction, with the acceptance of the records the change
// takes in: the state and its records are there together or not at all. It is idempotent
// (events keyed by source and sequence, acceptance kept once) and never replaces newer state with
// older: a late retry of an old projection changes neither the state nor the open deadlines.
// Nothing in a projection's own data can make it fail: deadlines that share a key are written
// once. ErrRecordMissing means a record to accept was never proposed.
func (s *Store) Project(ctx context.Context, p Projection) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin projection: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // rollback after commit is a no-op
	// The pupil's school is the one they are at now (PostgreSQL's word, not the workflow's): a
	// child workflow started before a move still names the school that started it.
	school, err := currentSchool(ctx, tx, p.PupilID, p.SchoolID)
	if err != nil {
		return err
	}
	var sql string
	args := []any{p.PupilID, school, p.Status, p.Version, p.State, p.UpdatedAt}
	if p.ItemID == "" {
		sql = `INSERT INTO pathways (pupil_id, school_id, stage, version, state, updated_at, workflow_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (pupil_id) DO UPDATE SET school_id = EXCLUDED.school_id, stage = EXCLUDED.stage,
				version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at, workflow_id = EXCLUDED.workflow_id
			WHERE pathways.version < EXCLUDED.version`
		args = append(args, p.WorkflowID)
	} else {
		sql = `INSERT INTO pathway_items (pupil_id, school_id, status, version, state, updated_at, item_id, kind)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (pupil_id, item_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
				state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
			WHERE pathway_items.version < EXCLUDED.version`
		args = append(args, p.ItemID, p.Kind)
	}
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("project %s %q for pupil %s: %w", p.Kind, p.ItemID, p.PupilID, err)
	}
	for _, e := range p.Events {
		var actor any
		if uuidRE.MatchString(e.ActorID) { // only an id: nothing in a projection may make it fail
			actor = e.ActorID
		}
		_, err = tx.Exec(
			ctx,
			`INSERT INTO pathway_events (pupil_id, source, seq, at, kind, summary, actor_id, school_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (pupil_id, source, seq) DO NOTHING`,
			p.PupilID,
			p.ItemID,
			e.Seq,
			e.At,
			e.Kind,
			e.Summary,
			actor,
			school,
		)
		if err != nil {
			return fmt.Errorf("project event %d of %q: %w", e.Seq, p.ItemID, err)
		}
	}
	if tag.RowsAffected() == 1 { // this projection is the newest: its deadlines replace the old ones
		if _, err := tx.Exec(ctx, `DELETE FROM deadlines WHERE pupil_id = $1 AND item_id = $2`, p.PupilID, p.ItemID); err != nil {
			return fmt.Errorf("clear deadlines: %w", err)
		}
		for _, d := range p.Deadlines {
			_, err = tx.Exec(ctx, `INSERT INTO deadlines (pupil_id, item_id, kind, ref, school_id, due, label)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (pupil_id, item_id, kind, ref) DO NOTHING`,
				p.PupilID, p.ItemID, d.Kind, d.Ref, school, d.Due, d.Label)
			if err != nil {
				return fmt.Errorf("project deadline %s: %w", d.Kind, err)
			}
		}
	}
	for _, r := range p.Accept {
		if err := accept(ctx, tx, r.Kind, r.ID, time.Now()); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit projection: %w", err)
	}
	return nil
}

// currentSchool is the school a pupil is at now; fallback (the workflow's word) if the pupil row
// cannot say.
func currentSchool(ctx context.Context, tx pgx.Tx, pupilID, fallback string) (string, error) {
	var school string
	err := tx.QueryRow(ctx, `SELECT school_id::text FROM pupils WHERE id = $1`, pupilID).Scan(&school)
	if errors.Is(err, pgx.ErrNoRows) {
		return fallback, nil
	}
	if err != nil {
		return "", fmt.Errorf("school of pupil %s: %w", pupilID, err)
	}
	return school, nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// PathwayRow is the read model of one pupil's pathway.
type PathwayRow struct {
	PupilID   string
	SchoolID  string
	Stage     string
	Version   int64
	State     json.RawMessage
	UpdatedAt time.Time
}

// ItemRow is one part of a pathway.
type ItemRow struct {
	ItemID    string
	Kind      string
	Status    string
	Version   int64
	State     json.RawMessage
	UpdatedAt time.Time
}

// PathwayView is everything the pathway page shows.
type PathwayView struct {
	Pathway   PathwayRow
	Items     []ItemRow
	Deadlines []Deadline
	Timeline  []TimelineEvent
}

// Pathway reads a pupil's projected pathway; ErrNotFound if none has started. Its four parts
// are read in one round trip.
func (s *Store) Pathway(ctx context.Context, pupilID string) (*PathwayView, error) {
	var v PathwayView
	r := &v.Pathway
	found := true
	var b pgx.Batch
	b.Queue(`SELECT pupil_id, school_id, stage, version, state, updated_at FROM pathways WHERE pupil_id = $1`, pupilID).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&r.PupilID, &r.SchoolID, &r.Stage, &r.Version, &r.State, &r.UpdatedAt)
			if errors.Is(err, pgx.ErrNoRows) {
				found = false
				return nil
			}
			return err
		})
	b.Queue(`SELECT item_id, kind, status, version, state, updated_at FROM pathway_items
		WHERE pupil_id = $1 ORDER BY kind, updated_at`, pupilID).Query(func(rows pgx.Rows) (err error) {
		v.Items, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ItemRow])
		return err
	})
	b.Queue(`SELECT item_id, kind, ref, due, label FROM deadlines WHERE pupil_id = $1 ORDER BY due, kind, ref`, pupilID).
		Query(func(rows pgx.Rows) (err error) {
			v.Deadlines, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Deadline])
			return err
		})
	b.Queue(`SELECT e.source, e.seq, e.at, e.kind, e.summary, coalesce(e.actor_id::text, ''), coalesce(u.name, ''), coalesce(s.name, '')
		FROM pathway_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN schools s ON s.id = e.school_id WHERE e.pupil_id = $1
		ORDER BY e.at, e.source, e.seq`, pupilID).
		Query(func(rows pgx.Rows) (err error) {
			v.Timeline, err = pgx.CollectRows(rows, pgx.RowToStructByPos[TimelineEvent])
			return err
		})
	if err := s.DB.SendBatch(ctx, &b).Close(); err != nil {
		return nil, fmt.Errorf("load pathway %s: %w", pupilID, err)
	}
	if !found {
		return nil, ErrNotFound
	}
	return &v, nil
}
