// Package gather assembles a pupil's evidence pack from PostgreSQL: the records (accepted rows
// only), the pathway's meetings and timeline, and the readiness check for the service the pack
// is for. The JSON API and the staff pages both render what it gathers (internal/evidence).
package gather

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sendflow/sendflow/internal/evidence"
	"github.com/sendflow/sendflow/internal/oag"
	readiness "github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// ErrUnknownFor means the pack was asked for a service (or "ehcna") sendflow does not know.
var ErrUnknownFor = errors.New("there is no service with this code")

// Pack gathers the evidence pack of a pupil for a service code, or "ehcna" for an EHC needs
// assessment request (the pupil's local authority).
func Pack(
	ctx context.Context,
	st *store.Store,
	lib *oag.Library,
	p *store.Pupil,
	forCode string,
) (*evidence.Pack, error) {
	forWhom, err := st.ForWhom(ctx, p.ID, forCode)
	if err != nil {
		return nil, ErrUnknownFor
	}
	f, err := st.EvidenceFacts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	school, err := st.SchoolName(ctx, p.SchoolID)
	if err != nil {
		return nil, err
	}
	pack := &evidence.Pack{For: forWhom, GeneratedAt: time.Now(), School: school,
		Pupil: evidence.Pupil{FirstName: p.FirstName, LastName: p.LastName, DateOfBirth: f.DOB, UPN: p.UPN}}
	if f.ClassName != nil {
		pack.Pupil.YearOrClass = *f.ClassName
	}
	if view, err := st.Pathway(ctx, p.ID); err == nil {
		pack.Stage = workflows.Stage(view.Pathway.Stage).Describe()
		var ps workflows.PathwayState
		if json.Unmarshal(view.Pathway.State, &ps) == nil {
			for _, m := range ps.MeetingsHeld {
				resp := string(m.Response)
				if m.Cancelled {
					resp = "cancelled"
				} else if resp == "" {
					resp = "no answer"
				}
				pack.Meetings = append(
					pack.Meetings,
					evidence.Meeting{On: m.At, Kind: string(m.Kind), ParentResponse: resp},
				)
			}
		}
		for _, e := range view.Timeline {
			pack.Timeline = append(pack.Timeline, evidence.Line{On: e.At, Summary: e.Summary})
		}
	}
	for _, c := range f.Concerns {
		pack.Concerns = append(pack.Concerns, concernEvidence(c, lib))
	}
	reviews := map[int]store.ReviewRecord{}
	for _, r := range f.Reviews {
		reviews[r.Cycle] = r
	}
	views, err := st.ParentViewsOf(ctx, p.ID, 0)
	if err != nil {
		return nil, fmt.Errorf("evidence pack: parents' views: %w", err)
	}
	for _, pl := range f.Plans {
		c := cycleEvidence(pl, f.CycleOfPlan[pl.PlanID], reviews, f.Provision)
		for i := len(views) - 1; i >= 0; i-- { // oldest first
			if v := views[i]; v.Cycle == c.Number {
				c.FamilyViews = append(c.FamilyViews, evidence.FamilyViews{By: v.ParentName, On: v.CreatedAt,
					GoingWell: v.GoingWell, Hard: v.Hard, WouldHelp: v.WouldHelp})
			}
		}
		pack.Cycles = append(pack.Cycles, c)
	}
	for _, a := range f.Advice {
		pack.Advice = append(
			pack.Advice,
			evidence.Advice{From: a.Service, ReceivedOn: a.ReceivedAt, Summary: a.Summary},
		)
	}
	passports, err := st.Passports(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("evidence pack: profile: %w", err)
	}
	if len(passports) > 0 { // the latest version travels with the record
		l := passports[0]
		pack.Passport = &evidence.Passport{
			Liked:       l.Liked,
			Important:   l.Important,
			Support:     l.Support,
			WrittenWith: l.WrittenWith,
			Version:     l.Version,
			SavedBy:     l.SavedByName,
			SavedOn:     l.SavedAt,
		}
	}
	cs, err := readiness.Criteria(ctx, st, p.ID, forCode)
	if err != nil {
		return nil, fmt.Errorf("evidence pack: readiness: %w", err)
	}
	for _, c := range cs {
		pack.Readiness = append(
			pack.Readiness,
			evidence.Criterion{Rule: c.Rule, Met: c.Met, Evidence: c.Evidence, Missing: c.Missing},
		)
	}
	return pack, nil
}

func concernEvidence(c store.ConcernRecord, lib *oag.Library) evidence.Concern {
	out := evidence.Concern{RaisedOn: c.RaisedAt, RaisedBy: c.RaisedBy, Observed: c.Observed}
	for _, a := range c.Areas {
		out.Areas = append(out.Areas, oag.AreaName(a))
	}
	for _, id := range c.Indicators {
		if ref, ok := lib.Indicator(id); ok {
			out.Indicators = append(out.Indicators, ref.Text)
		}
	}
	var tried []struct{ StrategyID, StartedOn, Frequency, Notes string }
	_ = json.Unmarshal(c.Strategies, &tried)
	var recordings [][]struct{ StrategyID, Impact, Notes string } // newest recording first
	_ = json.Unmarshal(c.Impacts, &recordings)
	for _, t := range tried {
		s := evidence.Strategy{Text: t.StrategyID, Frequency: t.Frequency, Notes: t.Notes}
		if ref, ok := lib.Strategy(t.StrategyID); ok {
			s.Text, s.Area = ref.Text, oag.AreaName(ref.Area)
		}
		s.StartedOn, _ = time.Parse(time.DateOnly, t.StartedOn)
	latest:
		for _, rec := range recordings {
			for _, im := range rec {
				if im.StrategyID == t.StrategyID {
					s.Impact, s.ImpactNotes = im.Impact, im.Notes
					break latest
				}
			}
		}
		out.Strategies = append(out.Strategies, s)
	}
	return out
}

func cycleEvidence(pl store.PlanRecord, n int, reviews map[int]store.ReviewRecord, logged map[int]int) evidence.Cycle {
	c := evidence.Cycle{
		Number:          n,
		AgreedOn:        pl.CreatedAt,
		ReviewDate:      pl.ReviewDate,
		ParentViews:     pl.ParentViews,
		PupilViews:      pl.PupilViews,
		ProvisionLogged: logged[n],
	}
	var outcomes []struct{ ID, Text string }
	_ = json.Unmarshal(pl.Outcomes, &outcomes)
	var provision []struct{ Text, Frequency string }
	_ = json.Unmarshal(pl.Provision, &provision)
	for _, pr := range provision {
		line := pr.Text
		if pr.Frequency != "" {
			line += " (" + pr.Frequency + ")"
		}
		c.Provision = append(c.Provision, line)
	}
	ratings := map[string]string{}
	if r, ok := reviews[n]; ok {
		var rs []struct{ OutcomeID, Rating string }
		_ = json.Unmarshal(r.Ratings, &rs)
		for _, x := range rs {
			ratings[x.OutcomeID] = x.Rating
		}
		at := r.CreatedAt
		c.ReviewedOn, c.ReviewParentViews, c.ReviewPupilViews, c.NextStep = &at, r.ParentViews, r.PupilViews, r.NextStep
	}
	for _, o := range outcomes {
		c.Outcomes = append(c.Outcomes, evidence.Outcome{Text: o.Text, Rating: ratings[o.ID]})
	}
	return c
}
