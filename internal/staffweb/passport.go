package staffweb

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// The pupil in their own words: a one-page profile every adult who works with the pupil reads
// (and prints on one page), written with the pupil and their parents. Every save is a new
// version; earlier versions stay readable.

func (h *Handler) passportPages(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/passport", h.staff(h.passportPage))
	m.HandleFunc("GET /pupils/{pupil}/passport/edit", h.staff(h.passportForm))
	m.HandleFunc("POST /pupils/{pupil}/passport/edit", h.staff(h.savePassport))
}

type passportData struct {
	PupilID, Pupil string
	Shown          *store.Passport // the version shown (the latest unless asked)
	Latest         bool
	Versions       []store.Passport
	CanEdit        bool
}

func (h *Handler) passportPage(w http.ResponseWriter, v *visit) {
	p, versions, _, err := h.d.Actions.Passports(v.ctx(), v.actor, v.r.PathValue("pupil"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	d := passportData{PupilID: p.ID, Pupil: name(p), Versions: versions, Latest: true}
	if len(versions) > 0 {
		d.Shown = &versions[0]
	}
	if n, err := strconv.Atoi(v.r.URL.Query().Get("version")); err == nil {
		d.Shown = nil
		for i := range versions {
			if versions[i].Version == n {
				d.Shown, d.Latest = &versions[i], i == 0
			}
		}
		if d.Shown == nil {
			h.notFound(w, v.r)
			return
		}
	}
	d.CanEdit = h.may(v, p, "passport", "update")
	pg := h.frame(v, "", &page{Title: "All about me", Caption: name(p), Back: "/pupils/" + p.ID, Data: d})
	h.render(w, v.r, http.StatusOK, "passport", pg)
}

func (h *Handler) passportEditForm(p *store.Pupil) form {
	return form{name: "passport-edit", title: "Write the profile with " + p.FirstName, caption: name(p), back: "/pupils/" + p.ID + "/passport",
		data: passportData{PupilID: p.ID, Pupil: name(p)}}
}

func (h *Handler) passportForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "passport", "update")
	if !ok {
		return
	}
	_, versions, _, err := h.d.Actions.Passports(v.ctx(), v.actor, p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	vals := url.Values{}
	if len(versions) > 0 { // the next version starts from the latest
		l := versions[0]
		vals = url.Values{"liked": {l.Liked}, "important": {l.Important}, "support": {l.Support}, "writtenWith": {l.WrittenWith}}
	}
	h.formRead(v, p, role)
	h.show(w, v, http.StatusOK, h.passportEditForm(p), vals, nil)
}

func (h *Handler) savePassport(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "passport", "update")
	if !ok {
		return
	}
	f := v.r.PostForm
	saved, _, err := h.d.Actions.SavePassport(v.ctx(), v.actor, actions.PassportSave{ID: actionID(v.r), PupilID: p.ID,
		Liked: f.Get("liked"), Important: f.Get("important"), Support: f.Get("support"), WrittenWith: f.Get("writtenWith")})
	h.outcome(w, v, err, h.passportEditForm(p), labels{"liked": "What people like and admire about me", "important": "What is important to me",
		"support": "How best to support me", "writtenWith": "Who it was written with"}, func() (string, string) {
		return "Version " + strconv.Itoa(saved.Version) + " of the profile is saved. Everyone who works with " + p.FirstName + " sees it.", "/pupils/" + p.ID + "/passport"
	})
}
