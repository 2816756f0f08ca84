package staffweb

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/register"
	"github.com/sendflow/sendflow/internal/statutory"
	"github.com/sendflow/sendflow/internal/store"
)

// The SEN register (each pupil's census provision and need types, with a CSV for the census),
// the council's figures for its area and a trust's across its schools.

func (h *Handler) registerPages(m *http.ServeMux) {
	m.HandleFunc("GET /register", h.staff(h.registerPage))
	m.HandleFunc("GET /register/{school}/census.csv", h.staff(h.registerCSV))
	m.HandleFunc("GET /pupils/{pupil}/register", h.staff(h.registerForm))
	m.HandleFunc("POST /pupils/{pupil}/register", h.staff(h.recordRegister))
	m.HandleFunc("GET /council/{la}/figures", h.staff(h.councilFigures))
	m.HandleFunc("GET /council/{la}/figures.csv", h.staff(h.councilFigures))
	m.HandleFunc("GET /trust", h.staff(h.trustIndex))
	m.HandleFunc("GET /trust/{trust}", h.staff(h.trustPage))
	m.HandleFunc("GET /trust/{trust}/figures.csv", h.staff(h.trustPage))
}

// registerRow is one pupil on the register page.
type registerRow struct {
	PupilID, Pupil, UPN       string
	Provision, ProvisionWords string
	Primary, Secondary        string
	Source, Disagreement      string
	Problems                  []string
	Edit                      bool
}

type registerSchool struct {
	ID, Name string
	Rows     []registerRow
	K, E     int
	Disagree int
	CanEdit  bool
	CSV      string
}

type registerData struct {
	Schools []registerSchool
}

func registerRows(lines []register.Line, edit bool) ([]registerRow, int, int, int) {
	var rows []registerRow
	var k, e, disagree int
	for _, l := range lines {
		p := l.Provision()
		switch p {
		case register.ProvisionSENSupport:
			k++
		case register.ProvisionEHCPlan:
			e++
		}
		r := registerRow{PupilID: l.PupilID, Pupil: l.Forename + " " + l.Surname, UPN: l.UPN, Provision: string(p), ProvisionWords: p.Describe(),
			Primary: string(l.Primary()), Secondary: string(l.Secondary()), Disagreement: l.Disagreement(), Edit: edit}
		switch {
		case l.Rec != nil && l.Rec.Provision != nil:
			r.Source = fmt.Sprintf("Recorded by %s on %s", l.Rec.By, dayWords(l.Rec.At))
		case l.Rec != nil:
			r.Source = fmt.Sprintf("From the pathway: %s. Needs recorded by %s on %s", l.Why, l.Rec.By, dayWords(l.Rec.At))
		default:
			r.Source = "From the pathway: " + l.Why
		}
		if r.Disagreement != "" {
			disagree++
		}
		for _, pr := range l.Problems() {
			r.Problems = append(r.Problems, problemWords(pr))
		}
		rows = append(rows, r)
	}
	return rows, k, e, disagree
}

func problemWords(p register.Problem) string {
	switch p.Field {
	case "primaryNeed":
		return "The primary need " + p.Message + "."
	case "secondaryNeed":
		return "The secondary need " + p.Message + "."
	}
	return "The provision " + p.Message + "."
}

// registerPage shows the register of each school where the person may read it; each pupil shown
// is a read of their record.
func (h *Handler) registerPage(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	var d registerData
	for _, school := range schoolsWhere(v.p, "register", "read", h) {
		role, _, err := h.d.Authz.SchoolAccess(v.p, school, "register", "read")
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		name, err := h.d.Store.SchoolName(ctx, school)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		lines, err := h.d.Store.SchoolRegister(ctx, school)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		_, edit, _ := h.d.Authz.SchoolAccess(v.p, school, "register", "update")
		rs := registerSchool{ID: school, Name: name, CanEdit: edit, CSV: "/register/" + school + "/census.csv"}
		rs.Rows, rs.K, rs.E, rs.Disagree = registerRows(lines, edit)
		ids := make([]string, 0, len(lines))
		for _, l := range lines {
			ids = append(ids, l.PupilID)
		}
		h.d.Actions.AuditPupils(ctx, v.actor, role, "register:read", school, ids, "ok")
		d.Schools = append(d.Schools, rs)
	}
	if len(d.Schools) == 0 {
		h.notFound(w, v.r)
		return
	}
	h.render(w, v.r, http.StatusOK, "register", h.frame(v, "/register", &page{Title: "SEN register", Data: d}))
}

// registerCSV is the school's register for the census, safe to open in a spreadsheet; the export
// is a read of every pupil on it.
func (h *Handler) registerCSV(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	school := v.r.PathValue("school")
	role, ok, err := h.d.Authz.SchoolAccess(v.p, school, "register", "read")
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if !ok {
		h.d.Actions.Audit(ctx, v.actor, "", "register:export", "", "", "denied")
		h.notFound(w, v.r)
		return
	}
	lines, err := h.d.Store.SchoolRegister(ctx, school)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var b bytes.Buffer
	if err := register.WriteCSV(&b, lines); err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	ids := make([]string, 0, len(lines))
	for _, l := range lines {
		ids = append(ids, l.PupilID)
	}
	h.d.Actions.AuditPupils(ctx, v.actor, role, "register:export", school, ids, "ok")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="sen-register.csv"`)
	_, _ = w.Write(b.Bytes())
}

// ---- A pupil's line ----

type registerFormData struct {
	Pupil      string
	Provisions []option
	Needs      []option
	Derived    string
	Source     string
}

func needOptions() []option {
	out := []option{{Value: "", Label: "None"}}
	for _, n := range register.Needs() {
		out = append(out, option{Value: string(n), Label: string(n) + ": " + n.Describe()})
	}
	return out
}

func (h *Handler) registerFormOf(p *store.Pupil, l register.Line) form {
	provs := []option{{Value: "", Label: fmt.Sprintf("As the pathway says: %s (%s)", l.Derived, l.Derived.Describe()), Hint: "Because " + l.Why + "."}}
	for _, pr := range register.Provisions() {
		provs = append(provs, option{Value: string(pr), Label: string(pr) + ": " + pr.Describe()})
	}
	return form{name: "register-edit", title: "SEN register: provision and needs", caption: name(p), back: "/register",
		data: registerFormData{Pupil: name(p), Provisions: provs, Needs: needOptions(), Derived: string(l.Derived)}}
}

func (h *Handler) registerForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "register", "update")
	if !ok {
		return
	}
	l, err := h.d.Store.RegisterLine(v.ctx(), p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.formRead(v, p, role)
	vals := url.Values{"provision": {""}}
	if l.Rec != nil {
		if l.Rec.Provision != nil {
			vals.Set("provision", string(*l.Rec.Provision))
		}
		vals.Set("primaryNeed", string(l.Rec.Primary))
		vals.Set("secondaryNeed", string(l.Rec.Secondary))
		vals.Set("note", l.Rec.Note)
	}
	h.show(w, v, http.StatusOK, h.registerFormOf(p, l), vals, nil)
}

func (h *Handler) recordRegister(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "register", "update")
	if !ok {
		return
	}
	l, err := h.d.Store.RegisterLine(v.ctx(), p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	f := h.registerFormOf(p, l)
	in := v.r.PostForm
	_, line, err := h.d.Actions.RecordRegister(v.ctx(), v.actor, actions.RegisterEntry{ID: actionID(v.r), PupilID: p.ID,
		Provision: in.Get("provision"), Primary: in.Get("primaryNeed"), Secondary: in.Get("secondaryNeed"), Note: in.Get("note")})
	h.outcome(w, v, err, f, labels{"provision": "The provision", "primaryNeed": "The primary need", "secondaryNeed": "The secondary need", "note": "The note"},
		func() (string, string) {
			msg := fmt.Sprintf("%s's register line is saved: %s", name(p), line.Provision())
			if n := line.Primary(); n != "" {
				msg += ", " + string(n)
			}
			if n := line.Secondary(); n != "" {
				msg += " and " + string(n)
			}
			msg += "."
			if d := line.Disagreement(); d != "" {
				msg += " " + d
			}
			return msg, "/register"
		})
}

// ---- The council's and the trust's figures ----

type figuresRow struct {
	School                         string
	Requests, Awaiting, Assessing  int
	Refused, NotIssuing, Withdrawn int
	Plans                          int
	Within, WithinExcl             string
	Overdue                        int
	Views, Meetings                string
}

type figuresData struct {
	Area, National string
	All            figuresRow
	AllStages      []stageRow
	Schools        []figuresRow
	Council, Trust bool
	Register       []registerSchool // a trust's registers, in counts
	CSV            string           // the figures as CSV

	schools []register.SchoolFigures
	all     register.SchoolFigures
}

type stageRow struct {
	Name, Weeks string
	Counted     int
}

func shareWords(s register.Share) string {
	if s.D == 0 {
		return "None issued"
	}
	return fmt.Sprintf("%s%% (%d of %d)", strconv.FormatFloat(s.Percent(), 'f', -1, 64), s.N, s.D)
}

func figuresRowOf(f register.SchoolFigures) figuresRow {
	r := figuresRow{School: f.SchoolName, Requests: f.Requests, Awaiting: f.AwaitingDecision, Assessing: f.Assessing, Refused: f.Refused,
		NotIssuing: f.NotIssuing, Withdrawn: f.Withdrawn, Plans: f.PlansIssued, Within: shareWords(f.Within20Weeks),
		WithinExcl: shareWords(f.Within20WeeksExcl), Overdue: f.ReviewsOverdue, Views: "No reviews yet"}
	if f.Reviews.D > 0 {
		r.Views = fmt.Sprintf("%s%% (%d of %d)", strconv.FormatFloat(f.Reviews.Percent(), 'f', -1, 64), f.Reviews.N, f.Reviews.D)
	}
	r.Meetings = strconv.FormatFloat(f.MeetingsPerPupilYear(), 'f', -1, 64)
	return r
}

func (h *Handler) figures(v *visit, a store.Area, area, role string) (figuresData, error) {
	schools, all, err := statutory.AreaFigures(v.ctx(), h.d.Store, a, h.now())
	if err != nil {
		return figuresData{}, err
	}
	d := figuresData{Area: area, National: strconv.FormatFloat(register.NationalWithin20Weeks2024, 'f', -1, 64) + "%", All: figuresRowOf(all),
		schools: schools, all: all}
	for _, s := range all.Stages {
		sr := stageRow{Name: s.Name, Counted: s.Counted, Weeks: "No requests reached it"}
		if s.Counted > 0 {
			sr.Weeks = strconv.FormatFloat(s.Weeks(), 'f', -1, 64) + " weeks"
		}
		d.AllStages = append(d.AllStages, sr)
	}
	for _, s := range schools {
		d.Schools = append(d.Schools, figuresRowOf(s))
		// The figures name no pupil: each school's is a read of the school's figures.
		h.d.Actions.Audit(v.ctx(), v.actor, role, "figures:read", "", s.School, "ok")
	}
	return d, nil
}

func (h *Handler) councilFigures(w http.ResponseWriter, v *visit) {
	code := v.r.PathValue("la")
	if !slices.Contains(v.p.LACodes, code) {
		h.d.Actions.Audit(v.ctx(), v.actor, "", "figures:read", "", "", "denied")
		h.notFound(w, v.r)
		return
	}
	name, err := h.d.Store.LAByCode(v.ctx(), code)
	if err != nil {
		h.missing(w, v, ignoreNotFound(err))
		return
	}
	d, err := h.figures(v, store.Area{LACode: code}, name, "la_officer")
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	d.Council, d.CSV = true, "/council/"+code+"/figures.csv"
	if h.figuresCSV(w, v, d) {
		return
	}
	h.render(w, v.r, http.StatusOK, "figures", h.frame(v, "/council", &page{Title: "EHC figures: " + name, Data: d}))
}

func (h *Handler) trustIndex(w http.ResponseWriter, v *visit) {
	trusts, err := h.d.Store.TrustsOf(v.ctx(), v.p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if len(trusts) == 0 {
		h.notFound(w, v.r)
		return
	}
	http.Redirect(w, v.r, "/trust/"+trusts[0].ID, http.StatusSeeOther)
}

// trustPage is a trust's view across its schools: each school's register in counts and the
// figures of its EHC requests and co-production.
func (h *Handler) trustPage(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	id := v.r.PathValue("trust")
	trusts, err := h.d.Store.TrustsOf(ctx, v.p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	i := slices.IndexFunc(trusts, func(t store.Trust) bool { return t.ID == id })
	if i < 0 {
		h.d.Actions.Audit(ctx, v.actor, "", "figures:read", "", "", "denied")
		h.notFound(w, v.r)
		return
	}
	d, err := h.figures(v, store.Area{TrustID: id}, trusts[i].Name, "trust_admin")
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	d.Trust, d.CSV = true, "/trust/"+id+"/figures.csv"
	if h.figuresCSV(w, v, d) {
		return
	}
	names, err := h.d.Store.AreaSchools(ctx, store.Area{TrustID: id})
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	for school, name := range names {
		lines, err := h.d.Store.SchoolRegister(ctx, school)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		rs := registerSchool{ID: school, Name: name, CSV: "/register/" + school + "/census.csv"}
		_, rs.K, rs.E, rs.Disagree = registerRows(lines, false)
		h.d.Actions.Audit(ctx, v.actor, "trust_admin", "register:read", "", school, "ok")
		d.Register = append(d.Register, rs)
	}
	slices.SortFunc(d.Register, func(a, b registerSchool) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	h.render(w, v.r, http.StatusOK, "figures", h.frame(v, "/trust", &page{Title: trusts[i].Name + ": across its schools", Data: d}))
}

// figuresCSV answers a request for the figures as CSV (safe to open in a spreadsheet; the read is
// audited as the page's is); false for the page itself.
func (h *Handler) figuresCSV(w http.ResponseWriter, v *visit, d figuresData) bool {
	if v.r.URL.Path != d.CSV {
		return false
	}
	var b bytes.Buffer
	if err := register.WriteFiguresCSV(&b, d.schools, d.all); err != nil {
		h.unavailable(w, v.r, err)
		return true
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ehc-figures.csv"`)
	_, _ = w.Write(b.Bytes())
	return true
}
