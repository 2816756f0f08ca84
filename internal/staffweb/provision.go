package staffweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/provision"
)

// provisionPages are the school's provision catalogue and costed provision map (#16).
func (h *Handler) provisionPages(m *http.ServeMux) {
	m.HandleFunc("GET /schools/{school}/provision", h.staff(h.provisionMapPage))
	m.HandleFunc("GET /schools/{school}/provision/map.csv", h.staff(h.provisionMapExport))
	m.HandleFunc("GET /schools/{school}/provision/map.json", h.staff(h.provisionMapExport))
	m.HandleFunc("GET /schools/{school}/provision/map.pdf", h.staff(h.provisionMapExport))
	m.HandleFunc("GET /schools/{school}/provision/catalogue", h.staff(h.provisionCataloguePage))
}

// actionFailed answers what the service layer said: out of reach is not found.
func (h *Handler) actionFailed(w http.ResponseWriter, v *visit, err error) {
	var nf *actions.NotFound
	if errors.As(err, &nf) {
		h.notFound(w, v.r)
		return
	}
	h.unavailable(w, v.r, err)
}

type provisionMapData struct {
	SchoolID string
	Map      *actions.ProvisionMap
	Weeks    int
	Terms    int
	// CanSetTerms: the reader may set the school's term dates (its SENDCo or head).
	CanSetTerms bool
}

func (h *Handler) provisionMapPage(w http.ResponseWriter, v *visit) {
	m, err := h.d.Actions.SchoolProvisionMap(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	h.render(w, v.r, http.StatusOK, "provision-map", h.frame(v, "/schools/"+m.School.ID+"/provision", &page{
		Title: "Provision map", Caption: m.School.Name,
		Data: provisionMapData{
			SchoolID: m.School.ID,
			Map:      m,
			Weeks:    provision.WeeksPerTerm,
			Terms:    provision.TermsPerYear,
			CanSetTerms: func() bool {
				_, ok, err := h.d.Authz.SchoolAccess(v.p, m.School.ID, "term_dates", "update")
				return err == nil && ok
			}(),
		}}))
}

// mapJSON is the provision map as JSON, amounts in pounds as text ("6.75").
type mapJSON struct {
	School        string             `json:"school"`
	Generated     string             `json:"generated"`
	Total         totalJSON          `json:"total"`
	Lines         []lineJSON         `json:"lines"`
	Classes       []totalJSON        `json:"classes"`
	Areas         []totalJSON        `json:"areas"`
	Pupils        []totalJSON        `json:"pupils"`
	Effectiveness []provision.Effect `json:"effectiveness"`
}

type totalJSON struct {
	Name   string `json:"name"`
	Pupils int    `json:"pupils"`
	Week   string `json:"costPerWeek"`
	Term   string `json:"costPerTerm"`
	Year   string `json:"costPerYear"`
}

type lineJSON struct {
	PupilID   string   `json:"pupilId"`
	Pupil     string   `json:"pupil"`
	Class     string   `json:"class"`
	Provision string   `json:"provision"`
	ItemID    string   `json:"itemId,omitempty"`
	Delivery  string   `json:"delivery,omitempty"`
	Frequency string   `json:"frequency,omitempty"`
	Areas     []string `json:"areas,omitempty"`
	Week      string   `json:"costPerWeek,omitempty"`
	Term      string   `json:"costPerTerm,omitempty"`
	Year      string   `json:"costPerYear,omitempty"`
	Behind    bool     `json:"behind"`
	Delivered string   `json:"deliveryNow"`
}

func totalOf(t provision.Total) totalJSON {
	return totalJSON{t.Label, t.Pupils, t.Cost.Week.Pounds(), t.Cost.Term.Pounds(), t.Cost.Year.Pounds()}
}

func (h *Handler) provisionMapExport(w http.ResponseWriter, v *visit) {
	m, err := h.d.Actions.SchoolProvisionMap(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	var (
		body []byte
		kind string
	)
	switch path := v.r.URL.Path; {
	case len(path) > 4 && path[len(path)-4:] == ".csv":
		var buf bytes.Buffer
		if err = provision.WriteCSV(&buf, m.Map); err == nil {
			body, kind = buf.Bytes(), "text/csv; charset=utf-8"
		}
		w.Header().Set("Content-Disposition", `attachment; filename="provision-map.csv"`)
	case path[len(path)-4:] == ".pdf":
		body, err = provision.PDF(m.School.Name, m.Map, m.Effectiveness, time.Now().UTC())
		kind = "application/pdf"
		w.Header().Set("Content-Disposition", `attachment; filename="provision-map.pdf"`)
	default:
		out := mapJSON{School: m.School.Name, Generated: m.Today.Format(time.RFC3339), Effectiveness: m.Effectiveness,
			Total: totalOf(provision.Total{Label: m.School.Name, Pupils: m.Map.School.Pupils, Cost: m.Map.School.Cost})}
		for _, l := range m.Map.Lines {
			j := lineJSON{
				PupilID:   l.PupilID,
				Pupil:     l.Pupil,
				Class:     l.Class,
				Provision: l.Name,
				ItemID:    l.ItemID,
				Delivery:  l.Delivery,
				Frequency: l.Frequency,
				Areas:     l.Areas,
				Behind:    l.Shortfall.Behind,
				Delivered: l.Delivered(),
			}
			if l.Costed {
				j.Week, j.Term, j.Year = l.Cost.Week.Pounds(), l.Cost.Term.Pounds(), l.Cost.Year.Pounds()
			}
			out.Lines = append(out.Lines, j)
		}
		for _, t := range m.Map.Classes {
			out.Classes = append(out.Classes, totalOf(t))
		}
		for _, t := range m.Map.Areas {
			out.Areas = append(out.Areas, totalOf(t))
		}
		for _, t := range m.Map.Pupils {
			out.Pupils = append(out.Pupils, totalOf(t))
		}
		body, err = json.MarshalIndent(out, "", "  ")
		kind = "application/json"
	}
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	w.Header().Set("Content-Type", kind)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

type catalogueData struct {
	SchoolID  string
	Catalogue *provision.Catalogue
}

func (h *Handler) provisionCataloguePage(w http.ResponseWriter, v *visit) {
	sc, c, err := h.d.Actions.ProvisionCatalogue(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	h.render(w, v.r, http.StatusOK, "provision-catalogue", h.frame(v, "", &page{
		Title: "Provision catalogue", Caption: sc.Name, Back: "/schools/" + sc.ID + "/provision", Data: catalogueData{SchoolID: sc.ID, Catalogue: c}}))
}
