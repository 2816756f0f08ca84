package staffweb

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/api"
	"github.com/sendflow/sendflow/internal/provision"
)

// catalogueUploadPages let the SENDCo or the head upload the school's own provision catalogue
// and everyone who reads it download the version in use.
func (h *Handler) catalogueUploadPages(m *http.ServeMux) {
	m.HandleFunc("POST /schools/{school}/provision/catalogue", h.staff(h.uploadCatalogue))
	m.HandleFunc("GET /schools/{school}/provision/catalogue.yaml", h.staff(h.downloadCatalogue))
}

// showCatalogue renders the catalogue page, with an upload's problems in place when it had any.
func (h *Handler) showCatalogue(w http.ResponseWriter, v *visit, status int, problems []string, summary string) {
	sc, c, err := h.d.Actions.ProvisionCatalogue(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	_, canUpload, err := h.d.Authz.SchoolAccess(v.p, sc.ID, "provision_catalogue", "update")
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	p := h.frame(v, "", &page{Title: "Provision catalogue", Caption: sc.Name, Back: "/schools/" + sc.ID + "/provision",
		Data: catalogueData{SchoolID: sc.ID, Catalogue: c, CanUpload: canUpload, Problems: problems}})
	if summary != "" {
		p.Errors = []fieldError{{Field: "catalogue", Text: summary}}
	}
	h.render(w, v.r, status, "provision-catalogue", p)
}

func (h *Handler) uploadCatalogue(w http.ResponseWriter, v *visit) {
	if err := v.r.ParseMultipartForm(api.CatalogueMaxBytes); err != nil {
		h.showCatalogue(w, v, http.StatusUnprocessableEntity, nil,
			fmt.Sprintf("The file could not be read (a catalogue file is at most %d KB). Nothing was loaded.", api.CatalogueMaxBytes>>10))
		return
	}
	f, _, err := v.r.FormFile("catalogue")
	if err != nil {
		h.showCatalogue(w, v, http.StatusUnprocessableEntity, nil, "Choose the catalogue file (YAML) to upload.")
		return
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, api.CatalogueMaxBytes+1))
	if err != nil || len(src) > api.CatalogueMaxBytes {
		h.showCatalogue(w, v, http.StatusUnprocessableEntity, nil,
			fmt.Sprintf("The file could not be read (a catalogue file is at most %d KB). Nothing was loaded.", api.CatalogueMaxBytes>>10))
		return
	}
	up, err := h.d.Actions.UploadProvisionCatalogue(v.ctx(), v.actor, v.r.PathValue("school"), src)
	var bad *actions.Invalid
	switch {
	case errors.As(err, &bad):
		var problems []string
		for _, p := range bad.Problems {
			problems = append(problems, upperFirst(p.Field)+": "+p.Message)
		}
		h.showCatalogue(w, v, http.StatusUnprocessableEntity, problems, bad.Summary)
		return
	case err != nil:
		h.actionFailed(w, v, err)
		return
	}
	c := up.Catalogue
	if up.Created {
		h.flash(v.r, "Version "+c.Version+" of the provision catalogue is loaded ("+strconv.Itoa(len(c.Items))+
			" items). New plans pick from it; plans already agreed keep the version they were costed from.")
	} else {
		h.flash(v.r, "Version "+c.Version+" was already loaded with exactly this content; nothing changed.")
	}
	http.Redirect(w, v.r, "/schools/"+up.School.ID+"/provision/catalogue", http.StatusSeeOther)
}

func (h *Handler) downloadCatalogue(w http.ResponseWriter, v *visit) {
	version, b, err := h.d.Actions.ProvisionCatalogueFile(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+provision.FileName(version)+`"`)
	_, _ = w.Write(b)
}
