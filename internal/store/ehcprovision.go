package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrDuplicate is a piece of provision the plan already records under another save.
var ErrDuplicate = errors.New("already recorded")

// EHCPlanRef is a pupil's issued EHC plan as the read model shows it: the EHC request whose
// assessment issued it.
type EHCPlanRef struct {
	RequestID string
	IssuedAt  time.Time
}

// CurrentEHCPlan reads the pupil's EHC plan in force (the pathway's stage is ehc_plan);
// ErrNotFound when there is none.
func (s *Store) CurrentEHCPlan(ctx context.Context, pupilID string) (*EHCPlanRef, error) {
	var r EHCPlanRef
	var issued *time.Time
	err := s.DB.QueryRow(ctx, `SELECT coalesce(state -> 'EHC' ->> 'RequestID', ''), (state ->> 'PlanIssuedAt')::timestamptz
		FROM pathways WHERE pupil_id = $1 AND stage = 'ehc_plan'`, pupilID).Scan(&r.RequestID, &issued)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && r.RequestID == "" {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read EHC plan of %s: %w", pupilID, err)
	}
	if issued != nil {
		r.IssuedAt = *issued
	}
	return &r, nil
}

// EHCProvisionItem is one piece of the provision in section F of a pupil's EHC plan.
type EHCProvisionItem struct {
	ID               string
	PupilID          string
	PlanRequestID    string
	Key              string
	Text             string
	CatalogueItem    string
	CatalogueVersion string
	SessionsPerWeek  float64
	RecordedBy       string
	RecordedRole     string
	RecordedAt       time.Time
	// EndedOn is the day the plan stopped promising it (changed at an annual review); nil while
	// it is promised. An ended item is history, no longer judged for delivery.
	EndedOn *time.Time
}

const ehcItemColumns = `id::text, pupil_id::text, plan_request_id, item_key, text, catalogue_item, catalogue_version,
	sessions_per_week::float8, recorded_by::text, recorded_role, recorded_at, ended_on`

func scanEHCItem(row pgx.Row) (*EHCProvisionItem, error) {
	var it EHCProvisionItem
	err := row.Scan(&it.ID, &it.PupilID, &it.PlanRequestID, &it.Key, &it.Text, &it.CatalogueItem, &it.CatalogueVersion,
		&it.SessionsPerWeek, &it.RecordedBy, &it.RecordedRole, &it.RecordedAt, &it.EndedOn)
	return &it, err
}

// AddEHCProvision records a piece of the plan's provision under the save's id, once: the same
// save again answers with what it made; another save of a piece the plan already records (the
// same catalogue item or the same words) writes nothing and answers ErrDuplicate with the item
// already recorded; an id that is another pupil's save answers ErrNotFound. The unique keys
// decide between saves sent at once, so no lock is needed.
func (s *Store) AddEHCProvision(ctx context.Context, it EHCProvisionItem, schoolID string) (*EHCProvisionItem, error) {
	_, err := s.DB.Exec(
		ctx,
		`INSERT INTO ehc_provision_items (id, pupil_id, plan_request_id, item_key, text, catalogue_item, catalogue_version,
			sessions_per_week, recorded_by, recorded_role, school_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		it.ID, it.PupilID, it.PlanRequestID, it.Key, it.Text, it.CatalogueItem, it.CatalogueVersion,
		it.SessionsPerWeek, it.RecordedBy, it.RecordedRole, schoolID,
	)
	if err != nil {
		return nil, fmt.Errorf("record EHC plan provision of %s: %w", it.PupilID, err)
	}
	saved, err := scanEHCItem(s.DB.QueryRow(ctx, `SELECT `+ehcItemColumns+` FROM ehc_provision_items WHERE id = $1`, it.ID))
	switch {
	case err == nil && saved.PupilID == it.PupilID:
		return saved, nil
	case err == nil:
		return nil, ErrNotFound // the id is another pupil's save
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("read EHC plan provision %s: %w", it.ID, err)
	}
	had, err := scanEHCItem(s.DB.QueryRow(ctx, `SELECT `+ehcItemColumns+` FROM ehc_provision_items
		WHERE pupil_id = $1 AND plan_request_id = $2 AND item_key = $3 AND ended_on IS NULL`, it.PupilID, it.PlanRequestID, it.Key))
	if err != nil {
		return nil, fmt.Errorf("read EHC plan provision of %s: %w", it.PupilID, err)
	}
	return had, ErrDuplicate
}

// EHCProvisionItemOf reads one item of a pupil's plan provision; ErrNotFound when the pupil has
// no such item.
func (s *Store) EHCProvisionItemOf(ctx context.Context, pupilID, itemID string) (*EHCProvisionItem, error) {
	it, err := scanEHCItem(s.DB.QueryRow(ctx, `SELECT `+ehcItemColumns+` FROM ehc_provision_items
		WHERE pupil_id = $1 AND id::text = $2`, pupilID, itemID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read EHC plan provision %s: %w", itemID, err)
	}
	return it, nil
}

// EndEHCProvision ends an item of a pupil's plan provision on a day, once: ending it again keeps
// the first day and answers with the item as it is. ErrNotFound when the pupil has no such item.
func (s *Store) EndEHCProvision(ctx context.Context, pupilID, itemID string, on time.Time, by string) (*EHCProvisionItem, error) {
	it, err := scanEHCItem(s.DB.QueryRow(ctx, `UPDATE ehc_provision_items
		SET ended_on = coalesce(ended_on, $3), ended_by = coalesce(ended_by, $4)
		WHERE pupil_id = $1 AND id::text = $2 RETURNING `+ehcItemColumns, pupilID, itemID, on, by))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("end EHC plan provision %s: %w", itemID, err)
	}
	return it, nil
}

// EHCSession is a session delivered against an item of an EHC plan's provision.
type EHCSession struct {
	ID, ItemID, PupilID string
	GivenOn             time.Time
	Description         string
	LoggedBy, Role      string
}

// LogEHCSession records a session under the log's id, once: the same log again writes nothing;
// an id that is another item's log answers ErrNotFound.
func (s *Store) LogEHCSession(ctx context.Context, e EHCSession) error {
	if _, err := s.DB.Exec(ctx, `INSERT INTO ehc_provision_sessions (id, item_id, pupil_id, given_on, description, logged_by, logged_role)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.ItemID, e.PupilID, e.GivenOn, e.Description, e.LoggedBy, e.Role); err != nil {
		return fmt.Errorf("log EHC plan provision session of %s: %w", e.PupilID, err)
	}
	var mine bool
	if err := s.DB.QueryRow(ctx, `SELECT item_id::text = $2 FROM ehc_provision_sessions WHERE id = $1`, e.ID, e.ItemID).
		Scan(&mine); err != nil {
		return fmt.Errorf("read EHC plan provision session %s: %w", e.ID, err)
	}
	if !mine {
		return ErrNotFound
	}
	return nil
}

// EHCPlanProvision is a pupil's EHC plan in force with its provision items and the sessions
// logged against each (by the item's index).
type EHCPlanProvision struct {
	PupilID, FirstName, LastName, Class string
	IssuedAt                            time.Time
	Items                               []EHCProvisionItem
	Logged                              map[int][]time.Time
}

// EHCPlanProvisions reads the provision of the EHC plans in force at a school (or one pupil's,
// when pupilID is set): only the plan the pathway holds now, so a ceased plan's provision is
// no longer tracked.
func (s *Store) EHCPlanProvisions(ctx context.Context, schoolID, pupilID string) ([]EHCPlanProvision, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id::text, p.first_name, p.last_name, coalesce(c.name, ''),
			coalesce((w.state ->> 'PlanIssuedAt')::timestamptz, w.updated_at), `+ehcItemPrefixed+`
		FROM pathways w JOIN pupils p ON p.id = w.pupil_id LEFT JOIN classes c ON c.id = p.class_id
		JOIN ehc_provision_items e ON e.pupil_id = p.id AND e.plan_request_id = w.state -> 'EHC' ->> 'RequestID'
			AND e.ended_on IS NULL
		WHERE p.school_id = $1 AND w.stage = 'ehc_plan' AND ($2 = '' OR p.id::text = $2)
		ORDER BY c.name, p.last_name, p.first_name, p.id, e.recorded_at, e.id`, schoolID, pupilID)
	if err != nil {
		return nil, fmt.Errorf("load EHC plan provision: %w", err)
	}
	var out []EHCPlanProvision
	for rows.Next() {
		var pp EHCPlanProvision
		var it EHCProvisionItem
		if err := rows.Scan(&pp.PupilID, &pp.FirstName, &pp.LastName, &pp.Class, &pp.IssuedAt,
			&it.ID, &it.PupilID, &it.PlanRequestID, &it.Key, &it.Text, &it.CatalogueItem, &it.CatalogueVersion,
			&it.SessionsPerWeek, &it.RecordedBy, &it.RecordedRole, &it.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load EHC plan provision: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].PupilID != pp.PupilID {
			pp.Logged = map[int][]time.Time{}
			out = append(out, pp)
		}
		last := &out[len(out)-1]
		last.Items = append(last.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load EHC plan provision: %w", err)
	}
	for i := range out {
		p := &out[i]
		idx := map[string]int{}
		ids := make([]string, len(p.Items))
		for j, it := range p.Items {
			idx[it.ID], ids[j] = j, it.ID
		}
		rows, err := s.DB.Query(ctx, `SELECT item_id::text, given_on FROM ehc_provision_sessions
			WHERE item_id::text = ANY($1)`, ids)
		if err != nil {
			return nil, fmt.Errorf("load EHC plan provision sessions: %w", err)
		}
		for rows.Next() {
			var id string
			var d time.Time
			if err := rows.Scan(&id, &d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load EHC plan provision sessions: %w", err)
			}
			p.Logged[idx[id]] = append(p.Logged[idx[id]], d)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load EHC plan provision sessions: %w", err)
		}
	}
	return out, nil
}

const ehcItemPrefixed = `e.id::text, e.pupil_id::text, e.plan_request_id, e.item_key, e.text, e.catalogue_item,
	e.catalogue_version, e.sessions_per_week::float8, e.recorded_by::text, e.recorded_role, e.recorded_at`
