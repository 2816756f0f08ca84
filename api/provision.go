package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/provision"
)

// ProvisionItemView is an intervention or adjustment in a school's provision catalogue.
type ProvisionItemView struct {
	provision.Item
	CostPerWeek string `json:"costPerWeek" doc:"Per pupil, in pounds" example:"6.75"`
	CostPerTerm string `json:"costPerTerm"`
	CostPerYear string `json:"costPerYear"`
}

type ProvisionCatalogueOutput struct {
	Body struct {
		ID            string              `json:"id,omitempty"`
		Version       string              `json:"version,omitempty"`
		DeliveryShare float64             `json:"deliveryShare,omitempty" doc:"Delivery is behind when fewer than this share of the promised sessions are logged two school weeks running (holidays on the term dates are not judged)"`
		Items         []ProvisionItemView `json:"items"`
	}
}

// ProvisionLineView is one pupil's piece of provision on the map.
type ProvisionLineView struct {
	PupilID     string   `json:"pupilId" format:"uuid"`
	Pupil       string   `json:"pupil"`
	Class       string   `json:"class"`
	Cycle       int      `json:"cycle"`
	Provision   string   `json:"provision"`
	ItemID      string   `json:"itemId,omitempty" doc:"The catalogue item; empty for free text, which is not costed"`
	Delivery    string   `json:"delivery,omitempty" example:"group of 4"`
	StaffRole   string   `json:"staffRole,omitempty"`
	Frequency   string   `json:"frequency,omitempty"`
	Areas       []string `json:"areas"`
	CostPerWeek string   `json:"costPerWeek,omitempty" doc:"Per pupil, in pounds"`
	CostPerTerm string   `json:"costPerTerm,omitempty"`
	CostPerYear string   `json:"costPerYear,omitempty"`
	Behind      bool     `json:"behind" doc:"Fewer sessions logged than the school's share of those promised, two judged school weeks running"`
	DeliveryNow string   `json:"deliveryNow" doc:"Delivery in words"`
}

// ProvisionTotalView is a total for a pupil, class, area of need or the school.
type ProvisionTotalView struct {
	Name        string `json:"name"`
	Pupils      int    `json:"pupils"`
	CostPerWeek string `json:"costPerWeek"`
	CostPerTerm string `json:"costPerTerm"`
	CostPerYear string `json:"costPerYear"`
}

// EffectView is how plans that gave an intervention did at their reviews.
type EffectView struct {
	ItemID      string `json:"itemId"`
	Name        string `json:"name"`
	Reviews     int    `json:"reviews"`
	Achieved    int    `json:"achieved"`
	Partly      int    `json:"partlyAchieved"`
	NotAchieved int    `json:"notAchieved"`
}

type ProvisionMapOutput struct {
	Body struct {
		School        ProvisionTotalView   `json:"school"`
		Lines         []ProvisionLineView  `json:"lines"`
		Pupils        []ProvisionTotalView `json:"pupils"`
		Classes       []ProvisionTotalView `json:"classes"`
		Areas         []ProvisionTotalView `json:"areas" doc:"An item serving several areas counts under its first"`
		Behind        []ProvisionLineView  `json:"behind" doc:"Provision whose delivery is behind"`
		Effectiveness []EffectView         `json:"effectiveness"`
	}
}

type ProvisionExportInput struct {
	SchoolPath
	Format string `query:"format" enum:"csv,pdf" required:"true"`
}

type ProvisionExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type PupilProvisionOutput struct {
	Body struct {
		Lines []ProvisionLineView `json:"lines"`
		Total ProvisionTotalView  `json:"total"`
	}
}

func (s *Server) registerProvision(v1 *huma.Group) {
	errs := []int{http.StatusNotFound}
	register(v1, huma.Operation{
		Metadata:    needs("provision_catalogue", "read", byAction),
		OperationID: "get-provision-catalogue", Method: http.MethodGet, Path: "/schools/{schoolId}/provision-catalogue",
		Summary: "The school's provision catalogue (newest version): interventions and adjustments with delivery and cost per pupil",
		Tags:    []string{"Schools"}, Errors: errs,
	}, func(ctx context.Context, in *SchoolPath) (*ProvisionCatalogueOutput, error) {
		_, c, err := s.Actions.ProvisionCatalogue(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &ProvisionCatalogueOutput{}
		out.Body.Items = []ProvisionItemView{}
		if c != nil {
			out.Body.ID, out.Body.Version, out.Body.DeliveryShare = c.ID, c.Version, c.DeliveryShare()
			for _, it := range c.Items {
				cost := it.Cost()
				out.Body.Items = append(
					out.Body.Items,
					ProvisionItemView{
						Item:        it,
						CostPerWeek: cost.Week.Pounds(),
						CostPerTerm: cost.Term.Pounds(),
						CostPerYear: cost.Year.Pounds(),
					},
				)
			}
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("provision_map", "read", byAction),
		OperationID: "get-provision-map", Method: http.MethodGet, Path: "/schools/{schoolId}/provision-map",
		Summary:     "The school's costed provision map: who gets what, how often, at what cost; totals; delivery behind; effectiveness",
		Description: "Costs are per pupil: session length × sessions a week × cost per hour ÷ pupils sharing the session, or a fixed cost a year; a term is 13 weeks and a year 39.",
		Tags:        []string{"Schools"}, Errors: errs,
	}, func(ctx context.Context, in *SchoolPath) (*ProvisionMapOutput, error) {
		m, err := s.Actions.SchoolProvisionMap(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &ProvisionMapOutput{}
		b := &out.Body
		b.School = totalView(
			provision.Total{Label: m.School.Name, Pupils: m.Map.School.Pupils, Cost: m.Map.School.Cost},
		)
		b.Lines, b.Behind = lineViews(m.Map.Lines), lineViews(m.Map.Behind)
		b.Pupils, b.Classes, b.Areas = totalViews(m.Map.Pupils), totalViews(m.Map.Classes), totalViews(m.Map.Areas)
		b.Effectiveness = []EffectView{}
		for _, e := range m.Effectiveness {
			b.Effectiveness = append(
				b.Effectiveness,
				EffectView{e.ItemID, e.Name, e.Reviews, e.Achieved, e.Partly, e.NotAchieved},
			)
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("provision_map", "read", byAction),
		OperationID: "export-provision-map", Method: http.MethodGet, Path: "/schools/{schoolId}/provision-map/export",
		Summary: "The provision map as CSV (safe to open in a spreadsheet) or PDF",
		Tags:    []string{"Schools"}, Errors: append(errs, http.StatusUnprocessableEntity),
		Responses: map[string]*huma.Response{"200": {Description: "The map", Content: map[string]*huma.MediaType{
			"text/csv": {}, "application/pdf": {}}}},
	}, func(ctx context.Context, in *ProvisionExportInput) (*ProvisionExportOutput, error) {
		m, err := s.Actions.SchoolProvisionMap(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		if in.Format == "pdf" {
			b, err := provision.PDF(m.School.Name, m.Map, m.Effectiveness, time.Now().UTC())
			if err != nil {
				return nil, err
			}
			return &ProvisionExportOutput{
				ContentType:        "application/pdf",
				ContentDisposition: `attachment; filename="provision-map.pdf"`,
				Body:               b,
			}, nil
		}
		var buf bytes.Buffer
		if err := provision.WriteCSV(&buf, m.Map); err != nil {
			return nil, err
		}
		return &ProvisionExportOutput{
			ContentType:        "text/csv; charset=utf-8",
			ContentDisposition: `attachment; filename="provision-map.csv"`,
			Body:               buf.Bytes(),
		}, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("pathway", "read", byAction),
		OperationID: "get-pupil-provision", Method: http.MethodGet, Path: "/pupils/{pupilId}/provision",
		Summary: "A pupil's costed provision in their open plans, with delivery against what was promised",
		Tags:    []string{"Pupils"}, Errors: errs,
	}, func(ctx context.Context, in *PupilPath) (*PupilProvisionOutput, error) {
		m, err := s.Actions.PupilProvision(ctx, actor(ctx), in.PupilID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &PupilProvisionOutput{}
		out.Body.Lines = lineViews(m.Lines)
		out.Body.Total = totalView(provision.Total{Label: "Total", Pupils: m.School.Pupils, Cost: m.School.Cost})
		return out, nil
	})
}

func lineViews(ls []provision.Line) []ProvisionLineView {
	out := []ProvisionLineView{}
	for _, l := range ls {
		v := ProvisionLineView{
			PupilID:     l.PupilID,
			Pupil:       l.Pupil,
			Class:       l.Class,
			Cycle:       l.Cycle,
			Provision:   l.Name,
			ItemID:      l.ItemID,
			Delivery:    l.Delivery,
			StaffRole:   l.StaffRole,
			Frequency:   l.Frequency,
			Areas:       l.Areas,
			Behind:      l.Shortfall.Behind,
			DeliveryNow: l.Delivered(),
		}
		if v.Areas == nil {
			v.Areas = []string{}
		}
		if l.Costed {
			v.CostPerWeek, v.CostPerTerm, v.CostPerYear = l.Cost.Week.Pounds(), l.Cost.Term.Pounds(), l.Cost.Year.Pounds()
		}
		out = append(out, v)
	}
	return out
}

func totalView(t provision.Total) ProvisionTotalView {
	return ProvisionTotalView{
		Name:        t.Label,
		Pupils:      t.Pupils,
		CostPerWeek: t.Cost.Week.Pounds(),
		CostPerTerm: t.Cost.Term.Pounds(),
		CostPerYear: t.Cost.Year.Pounds(),
	}
}

func totalViews(ts []provision.Total) []ProvisionTotalView {
	out := []ProvisionTotalView{}
	for _, t := range ts {
		out = append(out, totalView(t))
	}
	return out
}
