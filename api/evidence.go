package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/evidence"
	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

type EvidencePackInput struct {
	PupilPath
	For    string `query:"for" required:"true" minLength:"1" maxLength:"64" doc:"A service code, or ehcna for an EHC needs assessment request"`
	Format string `query:"format" enum:"html,pdf" doc:"html (printable, the default) or pdf"`
}

type EvidencePackOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) registerEvidence(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "evidence-pack", Method: http.MethodGet, Path: "/v1/pupils/{pupilId}/evidence-pack",
		Summary:     "The evidence an agency or the LA asks for, as printable HTML or PDF",
		Description: "Concerns, indicators, strategies tried with dates and impact, each plan and review with the family's views, advice received, meetings, and the readiness check for the service.",
		Tags:        []string{"Referrals"}, Security: bearer, Errors: []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
		Responses: map[string]*huma.Response{"200": {Description: "The pack", Content: map[string]*huma.MediaType{
			"text/html": {}, "application/pdf": {}}}},
	}, func(ctx context.Context, in *EvidencePackInput) (*EvidencePackOutput, error) {
		return read(ctx, s, in.PupilID, "evidence_pack", "read", func(p *store.Pupil, _ string) (*EvidencePackOutput, error) {
			pack, err := s.evidencePack(ctx, p, in.For)
			if err != nil {
				return nil, err
			}
			if in.Format == "pdf" {
				b, err := evidence.PDF(*pack)
				if err != nil {
					return nil, err
				}
				return &EvidencePackOutput{ContentType: "application/pdf", ContentDisposition: `attachment; filename="evidence-pack.pdf"`, Body: b}, nil
			}
			b, err := evidence.HTML(*pack)
			if err != nil {
				return nil, err
			}
			return &EvidencePackOutput{ContentType: "text/html; charset=utf-8", ContentDisposition: "inline", Body: b}, nil
		})
	})
}

// evidencePack assembles the pack from the records and the read model.
func (s *Server) evidencePack(ctx context.Context, p *store.Pupil, forCode string) (*evidence.Pack, error) {
	forWhom, err := s.Store.ForWhom(ctx, p.ID, forCode)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity("There is no service with this code.", &huma.ErrorDetail{Location: "query.for", Message: "unknown service", Value: forCode})
	}
	f, err := s.Store.EvidenceFacts(ctx, p.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	lib, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	school, err := s.Store.SchoolName(ctx, p.SchoolID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	pack := &evidence.Pack{For: forWhom, GeneratedAt: time.Now(), School: school,
		Pupil: evidence.Pupil{FirstName: p.FirstName, LastName: p.LastName, DateOfBirth: f.DOB, UPN: p.UPN}}
	if f.ClassName != nil {
		pack.Pupil.YearOrClass = *f.ClassName
	}
	if view, err := s.Store.Pathway(ctx, p.ID); err == nil {
		pack.Stage = workflows.Stage(view.Pathway.Stage).Describe()
		var st workflows.PathwayState
		if json.Unmarshal(view.Pathway.State, &st) == nil {
			for _, m := range st.MeetingsHeld {
				resp := string(m.Response)
				if m.Cancelled {
					resp = "cancelled"
				} else if resp == "" {
					resp = "no answer"
				}
				pack.Meetings = append(pack.Meetings, evidence.Meeting{On: m.At, Kind: string(m.Kind), ParentResponse: resp})
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
	views, err := s.Store.ParentViewsOf(ctx, p.ID, 0)
	if err != nil {
		return nil, s.unavailable(err)
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
		pack.Advice = append(pack.Advice, evidence.Advice{From: a.Service, ReceivedOn: a.ReceivedAt, Summary: a.Summary})
	}
	cs, err := gather.Criteria(ctx, s.Store, p.ID, forCode)
	if err != nil {
		return nil, s.unavailable(err)
	}
	for _, c := range cs {
		pack.Readiness = append(pack.Readiness, evidence.Criterion{Rule: c.Rule, Met: c.Met, Evidence: c.Evidence, Missing: c.Missing})
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
	var recordings [][]StrategyImpact // newest recording first
	_ = json.Unmarshal(c.Impacts, &recordings)
	for _, t := range tried {
		st := evidence.Strategy{Text: t.StrategyID, Frequency: t.Frequency, Notes: t.Notes}
		if ref, ok := lib.Strategy(t.StrategyID); ok {
			st.Text, st.Area = ref.Text, oag.AreaName(ref.Area)
		}
		st.StartedOn, _ = time.Parse(time.DateOnly, t.StartedOn)
	latest:
		for _, rec := range recordings {
			for _, im := range rec {
				if im.StrategyID == t.StrategyID {
					st.Impact, st.ImpactNotes = im.Impact, im.Notes
					break latest
				}
			}
		}
		out.Strategies = append(out.Strategies, st)
	}
	return out
}

func cycleEvidence(pl store.PlanRecord, n int, reviews map[int]store.ReviewRecord, logged map[int]int) evidence.Cycle {
	c := evidence.Cycle{Number: n, AgreedOn: pl.CreatedAt, ReviewDate: pl.ReviewDate, ParentViews: pl.ParentViews, PupilViews: pl.PupilViews, ProvisionLogged: logged[n]}
	var outcomes []OutcomeID
	_ = json.Unmarshal(pl.Outcomes, &outcomes)
	var provision []PlanProvision
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
		var rs []OutcomeRating
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
