package bundle

import (
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/evidence"
)

// FromPack is the record of what an evidence pack shows (its readiness checks
// are for one service's request and are left out), with where it comes from
// and who exported it.
func FromPack(p evidence.Pack, from School, by Person, at time.Time) Record {
	r := Record{
		Format: Format, GeneratedAt: Instant(at), GeneratedBy: by, SchoolFrom: from, Stage: p.Stage,
		Pupil: Pupil{
			UPN: p.Pupil.UPN, FirstName: p.Pupil.FirstName, LastName: p.Pupil.LastName,
			DateOfBirth: Date(p.Pupil.DateOfBirth), YearOrClass: p.Pupil.YearOrClass,
		},
	}
	if pp := p.Passport; pp != nil {
		r.AboutMe = &AboutMe{
			Liked: pp.Liked, Important: pp.Important, Support: pp.Support, WrittenWith: pp.WrittenWith,
			Version: pp.Version, SavedBy: pp.SavedBy, SavedOn: Instant(pp.SavedOn),
		}
	}
	for _, c := range p.Concerns {
		rc := Concern{
			RaisedOn: Date(c.RaisedOn), RaisedBy: c.RaisedBy, Areas: c.Areas, Observed: c.Observed,
			Indicators: c.Indicators,
		}
		for _, s := range c.Strategies {
			rc.Strategies = append(rc.Strategies, Strategy{
				Text: s.Text, Area: s.Area, StartedOn: Date(s.StartedOn), Frequency: s.Frequency, Notes: s.Notes,
				Impact: strings.ReplaceAll(s.Impact, "_", " "), ImpactNotes: s.ImpactNotes,
			})
		}
		r.Concerns = append(r.Concerns, rc)
	}
	for _, c := range p.Cycles {
		pl := Plan{
			Number: c.Number, AgreedOn: Date(c.AgreedOn), ReviewDate: Date(c.ReviewDate), Provision: c.Provision,
			ProvisionLogged: c.ProvisionLogged, ParentViews: c.ParentViews, PupilViews: c.PupilViews,
		}
		for _, o := range c.Outcomes {
			pl.Outcomes = append(pl.Outcomes, Outcome{Text: o.Text, Rating: o.Rating})
		}
		for _, f := range c.FamilyViews {
			pl.FamilyViews = append(pl.FamilyViews, FamilyViews{
				By: f.By, On: Date(f.On), GoingWell: f.GoingWell, Hard: f.Hard, WouldHelp: f.WouldHelp,
			})
		}
		if c.ReviewedOn != nil {
			pl.Review = &Review{
				ReviewedOn: Date(*c.ReviewedOn), ParentViews: c.ReviewParentViews, PupilViews: c.ReviewPupilViews,
				NextStep: c.NextStep,
			}
		}
		r.Plans = append(r.Plans, pl)
	}
	for _, a := range p.Advice {
		r.Advice = append(r.Advice, Advice{From: a.From, ReceivedOn: Date(a.ReceivedOn), Summary: a.Summary})
	}
	for _, m := range p.Meetings {
		r.Meetings = append(r.Meetings, Meeting{On: Date(m.On), Kind: m.Kind, ParentResponse: m.ParentResponse})
	}
	for _, l := range p.Timeline {
		r.Timeline = append(r.Timeline, Line{On: Date(l.On), Summary: l.Summary})
	}
	return r
}
