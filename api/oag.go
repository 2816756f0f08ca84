package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/oag"
)

// OAGItem is one entry of the ordinarily available guidance: something you might see, or a
// strategy to try.
type OAGItem struct {
	ID       string `json:"id" example:"ci.s.visual-timetable"`
	Text     string `json:"text" example:"Visual timetable"`
	Guidance string `json:"guidance,omitempty"`
}

// OAGArea is one area of need in the ordinarily available guidance, with what you might see.
type OAGArea struct {
	ID         string    `json:"id" enum:"communication_and_interaction,cognition_and_learning,social_emotional_mental_health,sensory_physical"`
	Name       string    `json:"name"`
	Summary    string    `json:"summary,omitempty"`
	Indicators []OAGItem `json:"indicators" doc:"What you might see"`
}

// OAGAreasOutput is the loaded OAG catalogue's areas of need.
type OAGAreasOutput struct {
	Body struct {
		Catalogue string    `json:"catalogue"`
		Version   string    `json:"version"`
		Authority string    `json:"authority"`
		Areas     []OAGArea `json:"areas"`
	}
}

// OAGStrategiesInput narrows the strategies listed to an area or a catalogue version.
type OAGStrategiesInput struct {
	Area    string `query:"area" enum:"communication_and_interaction,cognition_and_learning,social_emotional_mental_health,sensory_physical" doc:"Only this area's strategies"`
	Version string `query:"version" maxLength:"50" doc:"A catalogue version; the latest if empty"`
}

// OAGStrategy is a classroom strategy from the OAG catalogue and the area it is for.
type OAGStrategy struct {
	OAGItem
	Area string `json:"area"`
}

// OAGStrategiesOutput lists strategies from the OAG catalogue.
type OAGStrategiesOutput struct {
	Body struct {
		Version    string        `json:"version"`
		Strategies []OAGStrategy `json:"strategies" doc:"What you can try"`
	}
}

func (s *Server) registerOAG(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("", "", anyone),
		OperationID: "oag-areas", Method: http.MethodGet, Path: "/oag/areas",
		Summary: "Areas of need in the ordinarily available guidance, with what you might see", Tags: []string{"OAG catalogue"},
	}, func(ctx context.Context, _ *struct{}) (*OAGAreasOutput, error) {
		lib, err := s.catalogue(ctx)
		if err != nil {
			return nil, err
		}
		c, _ := lib.Latest()
		out := &OAGAreasOutput{}
		out.Body.Catalogue, out.Body.Version, out.Body.Authority, out.Body.Areas = c.ID, c.Version, c.Authority, []OAGArea{}
		for _, a := range c.Areas {
			area := OAGArea{ID: a.ID, Name: a.Name, Summary: a.Summary, Indicators: []OAGItem{}}
			for _, it := range a.Indicators {
				area.Indicators = append(area.Indicators, OAGItem(it))
			}
			out.Body.Areas = append(out.Body.Areas, area)
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("", "", anyone),
		OperationID: "oag-strategies", Method: http.MethodGet, Path: "/oag/strategies",
		Summary: "Strategies to try (\"what you can try\"), for one area or all", Tags: []string{"OAG catalogue"},
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *OAGStrategiesInput) (*OAGStrategiesOutput, error) {
		lib, err := s.catalogue(ctx)
		if err != nil {
			return nil, err
		}
		c, _ := lib.Latest()
		if in.Version != "" {
			var ok bool
			if c, ok = lib.Get(in.Version); !ok {
				return nil, huma.Error404NotFound("No catalogue version " + in.Version + " is loaded.")
			}
		}
		out := &OAGStrategiesOutput{}
		out.Body.Version, out.Body.Strategies = c.Version, []OAGStrategy{}
		for _, a := range c.Areas {
			if in.Area != "" && a.ID != in.Area {
				continue
			}
			for _, it := range a.Strategies {
				out.Body.Strategies = append(out.Body.Strategies, OAGStrategy{OAGItem: OAGItem(it), Area: a.ID})
			}
		}
		return out, nil
	})
}

// catalogue is the OAG catalogue library the service layer keeps.
func (s *Server) catalogue(ctx context.Context) (*oag.Library, error) {
	lib, err := s.Actions.Catalogue(ctx)
	if err != nil {
		return nil, s.problem(err)
	}
	return lib, nil
}
