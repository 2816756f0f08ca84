package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StrategyRecord is a strategy a teacher recorded on a concern, with the latest impact given.
type StrategyRecord struct {
	StrategyID string
	StartedOn  time.Time
	Impact     string
}

// ReadinessFacts are what the readiness check weighs for a pupil and a service.
type ReadinessFacts struct {
	Strategies          []StrategyRecord
	Areas               []string
	ReviewedWithParents int
	SupportSince        *time.Time
	ConsentGiven        bool
	AdviceReceived      int
	PathwayState        json.RawMessage // for the pathway's calendar
	Rules               json.RawMessage // the service's rules, or the LA's for an EHC needs assessment
}

// ReadinessFacts gathers the facts. service "ehcna" means an EHC needs assessment request, whose
// rules are the local authority's.
func (s *Store) ReadinessFacts(ctx context.Context, pupilID, service string) (*ReadinessFacts, error) {
	f := &ReadinessFacts{}
	var err error
	if service == "ehcna" {
		err = s.DB.QueryRow(ctx, `SELECT la.ehcna_readiness FROM pupils p JOIN schools sc ON sc.id = p.school_id
			JOIN local_authorities la ON la.code = sc.la_code WHERE p.id = $1`, pupilID).Scan(&f.Rules)
	} else {
		err = s.DB.QueryRow(ctx, `SELECT readiness FROM agency_services WHERE code = $1`, service).Scan(&f.Rules)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load readiness rules: %w", err)
	}
	rows, err := s.DB.Query(ctx, `SELECT st ->> 'strategyId', (st ->> 'startedOn')::date,
			coalesce((SELECT im ->> 'impact' FROM concern_impacts ci, jsonb_array_elements(ci.impacts) im
				WHERE ci.concern_id = c.id AND ci.accepted_at IS NOT NULL AND im ->> 'strategyId' = st ->> 'strategyId'
				ORDER BY ci.created_at DESC LIMIT 1), '')
		FROM concerns c, jsonb_array_elements(CASE jsonb_typeof(c.strategies) WHEN 'array' THEN c.strategies ELSE '[]' END) st
		WHERE c.pupil_id = $1 AND c.accepted_at IS NOT NULL AND st ? 'strategyId' ORDER BY 2`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("load strategies tried: %w", err)
	}
	if f.Strategies, err = pgx.CollectRows(rows, pgx.RowToStructByPos[StrategyRecord]); err != nil {
		return nil, fmt.Errorf("load strategies tried: %w", err)
	}
	err = s.DB.QueryRow(ctx, `SELECT
		coalesce((SELECT array_agg(DISTINCT a) FROM concerns, unnest(areas) a WHERE pupil_id = $1 AND accepted_at IS NOT NULL), '{}'),
		(SELECT count(*) FROM pathway_items WHERE pupil_id = $1 AND kind = 'cycle' AND status = 'reviewed'
			AND (state -> 'Review' ->> 'ParentViews')::boolean),
		(SELECT min(at) FROM pathway_events WHERE pupil_id = $1 AND kind = 'triaged_sen_support'),
		EXISTS (SELECT 1 FROM referrals r WHERE r.pupil_id = $1 AND r.service = $2 AND r.accepted_at IS NOT NULL AND
			(SELECT action FROM consent_records cr WHERE cr.referral_id = r.id AND cr.accepted_at IS NOT NULL
				ORDER BY cr.accepted_at DESC LIMIT 1) = 'give'),
		(SELECT count(*) FROM agency_responses ar JOIN referrals r ON r.id = ar.referral_id
			WHERE r.pupil_id = $1 AND ar.kind = 'advice' AND ar.accepted_at IS NOT NULL),
		coalesce((SELECT state FROM pathways WHERE pupil_id = $1), '{}')`, pupilID, service).
		Scan(&f.Areas, &f.ReviewedWithParents, &f.SupportSince, &f.ConsentGiven, &f.AdviceReceived, &f.PathwayState)
	if err != nil {
		return nil, fmt.Errorf("gather readiness evidence: %w", err)
	}
	return f, nil
}
