// Package gather is the one readiness check: it collects a pupil's evidence from PostgreSQL and
// evaluates a service's rules (internal/readiness, plain Go) on it. The API's readiness answer,
// the SENDCo's decision and the referral workflow's check all call it.
package gather

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	provgather "github.com/sendflow/sendflow/internal/provision/gather"
	"github.com/sendflow/sendflow/internal/readiness"
	"github.com/sendflow/sendflow/internal/refdata"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Readiness is the check's outcome as the workflows record it.
func Readiness(ctx context.Context, s *store.Store, pupilID, service string) (workflows.Readiness, error) {
	cs, err := Criteria(ctx, s, pupilID, service)
	if err != nil {
		return workflows.Readiness{}, err
	}
	met, missing := readiness.Met(cs)
	return workflows.Readiness{Met: met, Missing: missing}, nil
}

// Criteria gathers the pupil's evidence and evaluates the service's rules ("ehcna" for an EHC
// needs assessment request: the local authority's rules), criterion by criterion.
func Criteria(ctx context.Context, s *store.Store, pupilID, service string) ([]readiness.Criterion, error) {
	f, err := s.ReadinessFacts(ctx, pupilID, service)
	if err != nil {
		return nil, err
	}
	var rules readiness.Rules
	if err := json.Unmarshal(f.Rules, &rules); err != nil {
		return nil, fmt.Errorf("read readiness rules of %s: %w", service, err)
	}
	lib, err := refdata.Library(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	var st workflows.PathwayState
	_ = json.Unmarshal(f.PathwayState, &st) // no pathway yet: real time
	ev := readiness.Evidence{
		ReviewedCyclesWithParentViews: f.ReviewedWithParents, AreasOfNeed: f.Areas, SupportSince: f.SupportSince,
		ConsentGiven: f.ConsentGiven, AdviceReceived: f.AdviceReceived, Now: st.Clock.Now(time.Now()),
	}
	for _, r := range f.Strategies {
		se := readiness.StrategyEvidence{
			ID:             r.StrategyID,
			Text:           r.StrategyID,
			StartedOn:      r.StartedOn,
			Impact:         r.Impact,
			ImpactRecorded: r.Impact != "",
		}
		if ref, ok := lib.Strategy(r.StrategyID); ok {
			se.Text, se.Area = ref.Text, ref.Area
		}
		ev.Strategies = append(ev.Strategies, se)
	}
	if rules.NotionalSENBudget > 0 {
		if ev.CostedPencePerYear, ev.CostedItems, err = costed(ctx, s, pupilID); err != nil {
			return nil, err
		}
	}
	return readiness.Evaluate(ev, rules), nil
}

// costed is what the costed provision of the pupil's open plans comes to a year, and how many
// pieces of it are costed.
func costed(ctx context.Context, s *store.Store, pupilID string) (int64, int, error) {
	p, err := s.PupilByID(ctx, pupilID)
	if err != nil {
		return 0, 0, err
	}
	school, err := provgather.Load(ctx, s, p.SchoolID, p.ID)
	if err != nil {
		return 0, 0, err
	}
	m := school.Map(time.Now())
	n := 0
	for _, l := range m.Lines {
		if l.Costed {
			n++
		}
	}
	return int64(m.School.Cost.Year), n, nil
}
