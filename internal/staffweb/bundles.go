package staffweb

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/store"
)

// The portable SEND record between schools on different sendflows (internal/bundle,
// docs/bundle.md): the SENDCo or head downloads a pupil's record as a signed file; the
// receiving school's SENDCo imports it with the sending school's public key; the imported
// record is kept read-only, readable here and as its PDF.

// MaxUpload is the most the import form may send (the file and the key): a portable record is
// far smaller. Below the limit every request has (internal/httpmw, set in internal/app), so a
// larger file is answered here, on the form, not with the middleware's bare 413.
const MaxUpload = 4 << 20

func (h *Handler) bundlePages(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/bundle", h.staff(h.downloadBundle))
	m.HandleFunc("GET /schools/{school}/imported-records", h.staff(h.importedList))
	m.HandleFunc("GET /schools/{school}/import-record", h.staff(h.importForm))
	m.HandleFunc("POST /schools/{school}/import-record", h.staff(h.importRecord))
	m.HandleFunc("GET /pupils/{pupil}/imported-records/{record}", h.staff(h.importedPage))
	m.HandleFunc("GET /pupils/{pupil}/imported-records/{record}/pdf", h.staff(h.importedPDF))
}

// isUpload says whether a request is the import form's, which may send a record file.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/schools/") &&
		strings.HasSuffix(r.URL.Path, "/import-record")
}

// downloadBundle sends the pupil's portable record as a file to save (audited in actions).
func (h *Handler) downloadBundle(w http.ResponseWriter, v *visit) {
	f, err := h.d.Actions.ExportBundle(v.ctx(), v.actor, v.r.PathValue("pupil"))
	var nf *actions.NotFound
	switch {
	case errors.As(err, &nf):
		h.notFound(w, v.r)
		return
	case errors.Is(err, actions.ErrNoBundleKey):
		h.problem(w, v.r, http.StatusServiceUnavailable, "This sendflow cannot make portable records yet",
			"It has no key to sign them with. Ask your sendflow administrator to set SENDFLOW_BUNDLE_KEY_FILE.")
		return
	case err != nil:
		h.unavailable(w, v.r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, f.Filename))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(f.Zip)
}

type importedRow struct {
	store.ImportedRecord
	Href string
}

type importedListData struct {
	SchoolID, School string
	CanImport        bool
	Records          []importedRow
}

func (h *Handler) importedList(w http.ResponseWriter, v *visit) {
	schoolID := v.r.PathValue("school")
	rs, err := h.d.Actions.SchoolImportedRecords(v.ctx(), v.actor, schoolID)
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	school, err := h.d.Store.SchoolName(v.ctx(), schoolID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	d := importedListData{SchoolID: schoolID, School: school}
	_, d.CanImport, _ = h.d.Authz.SchoolAccess(v.p, schoolID, "pupil_bundle", "import")
	for _, r := range rs {
		d.Records = append(d.Records, importedRow{ImportedRecord: r, Href: importedHref(&r)})
	}
	pg := h.frame(v, "/transfers", &page{Title: "Records imported from other schools", Caption: school,
		Back: "/transfers", Data: d})
	h.render(w, v.r, http.StatusOK, "imported-list", pg)
}

func importedHref(r *store.ImportedRecord) string {
	return "/pupils/" + r.PupilID + "/imported-records/" + r.ID
}

type importFormData struct {
	SchoolID, School string
	MaxMB            int
}

// importFormFor is the import form for a school the visitor may import into; false if they
// may not (the page is then not found).
func (h *Handler) importFormFor(v *visit) (form, bool, error) {
	schoolID := v.r.PathValue("school")
	if _, ok, err := h.d.Authz.SchoolAccess(v.p, schoolID, "pupil_bundle", "import"); err != nil || !ok {
		return form{}, false, err
	}
	school, err := h.d.Store.SchoolName(v.ctx(), schoolID)
	if err != nil {
		return form{}, false, err
	}
	return form{name: "import-record", title: "Import a record from another school", caption: school,
		back: "/schools/" + schoolID + "/imported-records",
		data: importFormData{SchoolID: schoolID, School: school, MaxMB: MaxUpload >> 20}}, true, nil
}

func (h *Handler) importForm(w http.ResponseWriter, v *visit) {
	f, ok, err := h.importFormFor(v)
	switch {
	case err != nil:
		h.unavailable(w, v.r, err)
	case !ok:
		h.notFound(w, v.r)
	default:
		h.show(w, v, http.StatusOK, f, nil, nil)
	}
}

// importRecord takes the record file and the sending school's key. What stops the import is
// shown beside its field, with the key as it was typed (a browser never keeps a chosen file);
// the imported record's page follows an import.
func (h *Handler) importRecord(w http.ResponseWriter, v *visit) {
	f, ok, err := h.importFormFor(v)
	switch {
	case err != nil:
		h.unavailable(w, v.r, err)
		return
	case !ok:
		h.notFound(w, v.r)
		return
	}
	var tooBig *http.MaxBytesError
	if err := v.r.ParseMultipartForm(1 << 20); err != nil {
		if errors.As(err, &tooBig) {
			h.show(w, v, http.StatusRequestEntityTooLarge, f, nil, []fieldError{{Field: "bundle",
				Text: fmt.Sprintf("The file is larger than %d MB, so it cannot be a portable record from sendflow. "+
					"Choose the .zip file the sending school gave you.", MaxUpload>>20)}})
			return
		}
		h.show(w, v, http.StatusBadRequest, f, v.r.PostForm, []fieldError{{Field: "bundle",
			Text: "The form could not be read. Choose the file again and send it."}})
		return
	}
	defer func() { _ = v.r.MultipartForm.RemoveAll() }()
	var zip []byte
	if file, _, err := v.r.FormFile("bundle"); err == nil {
		zip, err = io.ReadAll(file)
		_ = file.Close()
		if err != nil {
			h.unavailable(w, v.r, fmt.Errorf("read the uploaded record: %w", err))
			return
		}
	}
	vals := v.r.PostForm
	rec, _, err := h.d.Actions.ImportBundle(v.ctx(), v.actor, actions.BundleImport{
		SchoolID: v.r.PathValue("school"), Bundle: zip, PublicKey: vals.Get("publicKey")})
	var bad *actions.Invalid
	if errors.As(err, &bad) {
		// The action's words are whole sentences, each for its field.
		var errs []fieldError
		for _, pr := range bad.Problems {
			errs = append(errs, fieldError{Field: strings.TrimPrefix(pr.Field, "body."), Text: pr.Message})
		}
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	h.outcome(w, v, err, f, nil, func() (string, string) {
		return rec.PupilName + "'s record from " + rec.SourceSchool + " is imported. " + rec.PupilName +
			" is now on your roll; the record stays as the school sent it.", importedHref(rec)
	})
}

type importedPageData struct {
	store.ImportedRecord
	PupilID, Pupil string
	SignedOn       string
	Record         bundle.Record
	PDFHref        string
}

func (h *Handler) importedPage(w http.ResponseWriter, v *visit) {
	p, r, ok := h.importedFor(w, v)
	if !ok {
		return
	}
	rec, err := bundle.Decode([]byte(r.BundleJSON))
	if err != nil { // it was checked when it was imported, so this is a fault
		h.unavailable(w, v.r, fmt.Errorf("imported record %s: %w", r.ID, err))
		return
	}
	d := importedPageData{ImportedRecord: *r, PupilID: p.ID, Pupil: name(p), Record: rec,
		PDFHref: importedHref(r) + "/pdf"}
	if at, err := time.Parse(time.RFC3339, rec.GeneratedAt); err == nil {
		d.SignedOn = dayWords(at)
	}
	pg := h.frame(v, "", &page{Title: "Record from " + r.SourceSchool, Caption: name(p), Back: "/pupils/" + p.ID, Data: d})
	h.render(w, v.r, http.StatusOK, "imported-record", pg)
}

func (h *Handler) importedPDF(w http.ResponseWriter, v *visit) {
	p, r, ok := h.importedFor(w, v)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`,
		strings.TrimSuffix(actions.BundleFilename(p, r.ImportedAt), ".zip")+"-imported.pdf"))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(r.PDF)
}

// importedFor loads the imported record in the path (the read is audited in actions), or
// writes the answer (404, 503).
func (h *Handler) importedFor(w http.ResponseWriter, v *visit) (*store.Pupil, *store.ImportedRecord, bool) {
	p, r, err := h.d.Actions.ImportedRecord(v.ctx(), v.actor, v.r.PathValue("pupil"), v.r.PathValue("record"))
	if err != nil {
		h.actionFailed(w, v, err)
		return nil, nil, false
	}
	return p, r, true
}
