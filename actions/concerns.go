package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// StrategyTried is an ordinarily available strategy a teacher has started. Its JSON is how the
// concern keeps it.
type StrategyTried struct {
	StrategyID string    `json:"strategyId"`
	StartedOn  time.Time `json:"-"`
	Started    string    `json:"startedOn"`
	Frequency  string    `json:"frequency,omitempty"`
	Notes      string    `json:"notes,omitempty"`
}

// Concern is a teacher's concern about a pupil.
type Concern struct {
	ID         string // the action's id: the concern's
	PupilID    string
	Areas      []string
	Observed   string
	Indicators []string // OAG indicator ids
	Strategies []StrategyTried
}

// Result is a pupil after an action: the workflow state as it answered is in the read model.
type Result struct {
	Pupil *store.Pupil
	Role  string
}

// RaiseConcern records what a teacher has seen and asks the SENDCo to triage it; the pupil's
// pathway starts if it has not.
func (s *Service) RaiseConcern(ctx context.Context, a Actor, in Concern) (*Result, error) {
	var c checks
	c.required("body.observed", &in.Observed, 4000)
	for i, st := range in.Strategies {
		f := fmt.Sprintf("body.strategies[%d]", i)
		c.date(f+".startedOn", st.StartedOn, s.now())
		c.line(f+".frequency", st.Frequency, 100)
		c.text(f+".notes", &in.Strategies[i].Notes, 2000)
		in.Strategies[i].Started = st.StartedOn.Format(time.DateOnly)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := s.knownIDs(ctx, in.Indicators, in.Strategies); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "concern", "create")
	if err != nil {
		return nil, err
	}
	strategies, err := json.Marshal(in.Strategies)
	if err != nil {
		return nil, fmt.Errorf("encode strategies: %w", err)
	}
	if in.Strategies == nil {
		strategies = []byte("[]")
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "concern:create",
		record: &record{kind: workflows.RecordConcern, id: in.ID, propose: func(ctx context.Context) error {
			_, err := s.Store.ProposeConcern(ctx, store.Concern{ID: in.ID, PupilID: p.ID, RaisedBy: a.ID,
				Areas: in.Areas, Observed: in.Observed, Strategies: strategies, Indicators: in.Indicators})
			return err
		}},
		deliver: func(ctx context.Context) error {
			return s.updateWithStart(ctx, p, workflows.UpdateRaiseConcern, in.ID,
				workflows.ConcernRaised{ConcernID: in.ID, RaisedBy: a.ID, StrategiesTried: len(in.Strategies)})
		}})
}

// knownIDs refuses indicator and strategy ids that are not in the current OAG catalogue.
func (s *Service) knownIDs(ctx context.Context, indicators []string, strategies []StrategyTried) error {
	lib, err := s.Catalogue(ctx)
	if err != nil {
		return err
	}
	var c checks
	for i, id := range indicators {
		if ref, ok := lib.Indicator(id); !ok || ref.Retired {
			c.add(fmt.Sprintf("body.indicators[%d]", i), "not an indicator in the current OAG catalogue", id)
		}
	}
	for i, st := range strategies {
		if ref, ok := lib.Strategy(st.StrategyID); !ok || ref.Retired {
			c.add(
				fmt.Sprintf("body.strategies[%d].strategyId", i),
				"not a strategy in the current OAG catalogue",
				st.StrategyID,
			)
		}
	}
	if err := c.err(); err != nil {
		err.(*Invalid).Summary = "Some ids are not in the OAG catalogue; GET /v1/oag/areas and /v1/oag/strategies list them."
		return err
	}
	return nil
}

// StrategyImpact is how one strategy worked.
type StrategyImpact struct {
	StrategyID string `json:"strategyId"`
	Impact     string `json:"impact"`
	Notes      string `json:"notes,omitempty"`
}

// Impact is a teacher saying how a concern's strategies worked.
type Impact struct {
	ID        string
	PupilID   string
	ConcernID string
	Impacts   []StrategyImpact
}

// RecordImpact records how the strategies worked; a pupil being monitored goes back to the SENDCo.
func (s *Service) RecordImpact(ctx context.Context, a Actor, in Impact) (*Result, error) {
	var c checks
	for i := range in.Impacts {
		c.text(fmt.Sprintf("body.impacts[%d].notes", i), &in.Impacts[i].Notes, 2000)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "impact", "create")
	if err != nil {
		return nil, err
	}
	impacts, err := json.Marshal(in.Impacts)
	if err != nil {
		return nil, fmt.Errorf("encode impacts: %w", err)
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "impact:create",
		record: &record{kind: workflows.RecordImpact, id: in.ID, propose: func(ctx context.Context) error {
			err := s.Store.ProposeImpact(ctx, in.ID, in.ConcernID, p.ID, a.ID, impacts)
			if errors.Is(err, store.ErrNotFound) {
				return &NotFound{What: "concern of this pupil"}
			}
			return err
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdateRecordImpact,
				in.ID,
				workflows.ImpactRecorded{ImpactID: in.ID, ConcernID: in.ConcernID, By: a.ID},
			)
		}})
}

// Triage is the SENDCo's decision on a concern.
type Triage struct {
	ID       string
	PupilID  string
	Decision string // monitor, more_evidence, sen_support or no_further_action
}

// TriageConcern carries out the SENDCo's decision.
func (s *Service) TriageConcern(ctx context.Context, a Actor, in Triage) (*Result, error) {
	p, role, err := s.Pupil(ctx, a, in.PupilID, "triage", "create")
	if err != nil {
		return nil, err
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "triage:create",
		deliver: func(ctx context.Context) error {
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdateTriage,
				in.ID,
				workflows.Triage{ID: in.ID, Decision: workflows.TriageDecision(in.Decision), By: a.ID},
			)
		}})
}
