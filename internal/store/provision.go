package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ProvisionCatalogueDoc is one stored version of a school's provision catalogue.
type ProvisionCatalogueDoc struct {
	Version  string
	Document []byte
}

// ErrVersionTaken is a catalogue version already loaded with different content.
var ErrVersionTaken = errors.New("this version is already loaded with different content")

// StoreProvisionCatalogue stores a version of a school's provision catalogue once, with the file
// it came from (nil: not kept) and who loaded it ("": set-up): the same version again is a no-op
// (created is false); a different document under a stored version is refused with
// ErrVersionTaken, so what a plan was costed from keeps its meaning.
func (s *Store) StoreProvisionCatalogue(
	ctx context.Context,
	schoolID, id, version string,
	published time.Time,
	doc, source []byte,
	loadedBy string,
) (created bool, err error) {
	var by *string
	if loadedBy != "" {
		by = &loadedBy
	}
	tag, err := s.DB.Exec(
		ctx,
		`INSERT INTO provision_catalogues (school_id, id, version, published, document, source, loaded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (school_id, version) DO NOTHING`,
		schoolID,
		id,
		version,
		published,
		doc,
		source,
		by,
	)
	if err != nil {
		return false, fmt.Errorf("store provision catalogue %s %s: %w", id, version, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	var same bool
	if err := s.DB.QueryRow(ctx, `SELECT document = $3::jsonb FROM provision_catalogues WHERE school_id = $1 AND version = $2`,
		schoolID, version, doc).Scan(&same); err != nil {
		return false, fmt.Errorf("compare provision catalogue %s %s: %w", id, version, err)
	}
	if !same {
		return false, fmt.Errorf("provision catalogue %s version %s: %w", id, version, ErrVersionTaken)
	}
	return false, nil
}

// ProvisionCatalogueFile is the file a stored catalogue version was loaded from (Source nil when
// it was not kept) and its document.
type ProvisionCatalogueFile struct {
	Source, Document []byte
}

// ProvisionCatalogueSource reads a stored version's file; ErrNotFound when the school has no
// such version.
func (s *Store) ProvisionCatalogueSource(ctx context.Context, schoolID, version string) (*ProvisionCatalogueFile, error) {
	var f ProvisionCatalogueFile
	err := s.DB.QueryRow(ctx, `SELECT source, document FROM provision_catalogues WHERE school_id = $1 AND version = $2`,
		schoolID, version).Scan(&f.Source, &f.Document)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read provision catalogue %s: %w", version, err)
	}
	return &f, nil
}

// ProvisionCatalogues reads every stored version of a school's catalogue, oldest first.
func (s *Store) ProvisionCatalogues(ctx context.Context, schoolID string) ([]ProvisionCatalogueDoc, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT version, document FROM provision_catalogues WHERE school_id = $1 ORDER BY published, loaded_at`,
		schoolID,
	)
	if err != nil {
		return nil, fmt.Errorf("load provision catalogues: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ProvisionCatalogueDoc])
	if err != nil {
		return nil, fmt.Errorf("load provision catalogues: %w", err)
	}
	return out, nil
}

// OpenPlan is a pupil's plan in an open support cycle (active or overdue), with the sessions
// logged against each of its provision entries.
type OpenPlan struct {
	PupilID, FirstName, LastName, Class string
	Cycle                               int
	Agreed                              time.Time
	Provision                           []byte
	Logged                              map[int][]time.Time
}

// OpenPlans reads a school's open plans (or one pupil's, when pupilID is set) from the read model.
func (s *Store) OpenPlans(ctx context.Context, schoolID, pupilID string) ([]OpenPlan, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT p.id::text, p.first_name, p.last_name, coalesce(c.name, ''), substr(i.item_id, 7)::int,
			cp.created_at, cp.provision
		FROM pathway_items i JOIN pupils p ON p.id = i.pupil_id LEFT JOIN classes c ON c.id = p.class_id
		JOIN cycle_plans cp ON cp.id::text = i.state -> 'Plan' ->> 'PlanID' AND cp.accepted_at IS NOT NULL
		WHERE i.school_id = $1 AND i.item_id LIKE 'cycle/%' AND i.status IN ('active', 'overdue') AND ($2 = '' OR p.id::text = $2)
		ORDER BY c.name, p.last_name, p.first_name`,
		schoolID,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("load open plans: %w", err)
	}
	var plans []OpenPlan
	for rows.Next() {
		var p OpenPlan
		if err := rows.Scan(&p.PupilID, &p.FirstName, &p.LastName, &p.Class, &p.Cycle, &p.Agreed, &p.Provision); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load open plans: %w", err)
		}
		p.Logged = map[int][]time.Time{}
		plans = append(plans, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load open plans: %w", err)
	}
	for i := range plans {
		p := &plans[i]
		rows, err := s.DB.Query(ctx, `SELECT plan_item, given_on FROM provision_log
			WHERE pupil_id = $1 AND cycle_number = $2 AND plan_item IS NOT NULL AND accepted_at IS NOT NULL`, p.PupilID, p.Cycle)
		if err != nil {
			return nil, fmt.Errorf("load logged provision: %w", err)
		}
		for rows.Next() {
			var n int
			var d time.Time
			if err := rows.Scan(&n, &d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load logged provision: %w", err)
			}
			p.Logged[n] = append(p.Logged[n], d)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load logged provision: %w", err)
		}
	}
	return plans, nil
}

// ReviewedPlan is a reviewed cycle's provision and its outcome ratings.
type ReviewedPlan struct {
	Provision []byte
	Ratings   []string
}

// ReviewedPlans reads the school's reviewed plans with the ratings their reviews gave.
func (s *Store) ReviewedPlans(ctx context.Context, schoolID string) ([]ReviewedPlan, error) {
	rows, err := s.DB.Query(ctx, `SELECT cp.provision, r.ratings
		FROM pathway_items i JOIN cycle_plans cp ON cp.id::text = i.state -> 'Plan' ->> 'PlanID' AND cp.accepted_at IS NOT NULL
		JOIN cycle_reviews r ON r.pupil_id = i.pupil_id AND r.cycle_number = substr(i.item_id, 7)::int AND r.accepted_at IS NOT NULL
		WHERE i.school_id = $1 AND i.item_id LIKE 'cycle/%' AND i.status = 'reviewed'`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load reviewed plans: %w", err)
	}
	defer rows.Close()
	var out []ReviewedPlan
	for rows.Next() {
		var prov, raw []byte
		if err := rows.Scan(&prov, &raw); err != nil {
			return nil, fmt.Errorf("load reviewed plans: %w", err)
		}
		var rs []struct {
			Rating string `json:"rating"`
		}
		_ = json.Unmarshal(raw, &rs)
		rp := ReviewedPlan{Provision: prov}
		for _, r := range rs {
			rp.Ratings = append(rp.Ratings, r.Rating)
		}
		out = append(out, rp)
	}
	return out, rows.Err()
}
