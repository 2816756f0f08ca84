package provision

import (
	"sort"
	"time"

	"github.com/sendflow/sendflow/internal/oag"
)

// Entry is one piece of provision in a plan, as stored in the plan's jsonb: the words, and
// optionally the catalogue item and the catalogue version it was costed from.
type Entry struct {
	Text             string `json:"text"`
	Frequency        string `json:"frequency,omitempty"`
	ItemID           string `json:"itemId,omitempty"`
	CatalogueVersion string `json:"catalogueVersion,omitempty"`
}

// PupilPlan is a pupil's open plan as the map reads it.
type PupilPlan struct {
	PupilID, Pupil, Class string
	Cycle                 int
	Agreed                time.Time
	Entries               []Entry
	Logged                map[int][]time.Time // sessions logged against each entry, by index
}

// Line is one pupil's piece of provision on the map.
type Line struct {
	PupilID, Pupil, Class string
	Cycle, Index          int
	ItemID, Name, Kind    string
	Delivery, StaffRole   string
	Frequency             string
	Areas                 []string
	Costed                bool // false for free text: the unusual, not in the catalogue
	Cost                  Cost
	Weeks                 []Week
	Shortfall             Shortfall
}

// Total is a cost summed over a school, a class, an area of need or a pupil.
type Total struct {
	Key, Label string
	Pupils     int
	Cost       Cost
}

// Map is a school's costed provision map.
type Map struct {
	Lines   []Line
	Pupils  []Total
	Classes []Total
	Areas   []Total // an item serving several areas is counted under its first
	School  Total
	Behind  []Line
}

// Catalogues finds a school's catalogue by version; latest is the newest loaded.
type Catalogues map[string]Catalogue

// Build costs every plan's provision from the catalogue version it names and judges delivery on
// the weeks from the plan's agreement (or the first session logged under it, if earlier) to the
// last complete week before today.
func Build(plans []PupilPlan, cats Catalogues, cal Calendar, today time.Time) Map {
	var m Map
	pupils := map[string]*Total{}
	classes := map[string]*Total{}
	areas := map[string]*Total{}
	pupilsIn := map[string]map[string]bool{}
	add := func(into map[string]*Total, key, label, pupil string, c Cost) {
		t, ok := into[key]
		if !ok {
			t = &Total{Key: key, Label: label}
			into[key] = t
		}
		t.Cost = t.Cost.Add(c)
		k := label + "\x00" + key
		if pupilsIn[k] == nil {
			pupilsIn[k] = map[string]bool{}
		}
		if !pupilsIn[k][pupil] {
			pupilsIn[k][pupil] = true
			t.Pupils++
		}
	}
	schoolPupils := map[string]bool{}
	for _, p := range plans {
		for i, e := range p.Entries {
			l := Line{
				PupilID:   p.PupilID,
				Pupil:     p.Pupil,
				Class:     p.Class,
				Cycle:     p.Cycle,
				Index:     i,
				Name:      e.Text,
				Frequency: e.Frequency,
			}
			if it, ok := cats[e.CatalogueVersion].Item(e.ItemID); ok && e.ItemID != "" {
				d, _ := ParseDelivery(it.Delivery)
				l.ItemID, l.Name, l.Kind, l.Delivery, l.StaffRole, l.Areas = it.ID, it.Name, it.Kind, d.String(), it.StaffRole, it.Areas
				l.Frequency, l.Costed, l.Cost = it.Frequency(), true, it.Cost()
				if it.SessionsPerWeek > 0 {
					from := p.Agreed
					for _, d := range p.Logged[i] {
						if d.Before(from) {
							from = d
						}
					}
					l.Weeks = Count(CompleteWeeks(from, today), it.SessionsPerWeek, p.Logged[i], cal)
					l.Shortfall = Behind(l.Weeks, cats[e.CatalogueVersion].DeliveryShare())
				}
			}
			m.Lines = append(m.Lines, l)
			if l.Shortfall.Behind {
				m.Behind = append(m.Behind, l)
			}
			schoolPupils[p.PupilID] = true
			add(pupils, p.PupilID, p.Pupil, p.PupilID, l.Cost)
			add(classes, p.Class, p.Class, p.PupilID, l.Cost)
			area := "not costed"
			if len(l.Areas) > 0 {
				area = oag.AreaName(l.Areas[0])
			}
			add(areas, area, area, p.PupilID, l.Cost)
			m.School.Cost = m.School.Cost.Add(l.Cost)
		}
	}
	m.School.Pupils = len(schoolPupils)
	m.Pupils, m.Classes, m.Areas = sorted(pupils), sorted(classes), sorted(areas)
	return m
}

func sorted(in map[string]*Total) []Total {
	out := make([]Total, 0, len(in))
	for _, t := range in {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Label < out[j].Label || out[i].Label == out[j].Label && out[i].Key < out[j].Key
	})
	return out
}

// Rated is how the outcomes of one reviewed plan were rated: achieved, partly_achieved, not_achieved.
type Rated struct {
	Entries []Entry
	Ratings []string
}

// Effect is how the plans that gave an intervention did at their reviews.
type Effect struct {
	ItemID, Name                  string
	Reviews                       int
	Achieved, Partly, NotAchieved int
}

// Effectiveness counts, for each catalogue item, the outcome ratings of the reviews of plans
// that gave it. It says what happened alongside the intervention, not that the intervention
// caused it.
func Effectiveness(reviews []Rated, cat Catalogue) []Effect {
	by := map[string]*Effect{}
	for _, r := range reviews {
		seen := map[string]bool{}
		for _, e := range r.Entries {
			if e.ItemID == "" || seen[e.ItemID] {
				continue
			}
			seen[e.ItemID] = true
			ef, ok := by[e.ItemID]
			if !ok {
				name := e.Text
				if it, ok := cat.Item(e.ItemID); ok {
					name = it.Name
				}
				ef = &Effect{ItemID: e.ItemID, Name: name}
				by[e.ItemID] = ef
			}
			ef.Reviews++
			for _, rt := range r.Ratings {
				switch rt {
				case "achieved":
					ef.Achieved++
				case "partly_achieved":
					ef.Partly++
				case "not_achieved":
					ef.NotAchieved++
				}
			}
		}
	}
	out := make([]Effect, 0, len(by))
	for _, e := range by {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
