package staffweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// The forms of a pupil's support: a teacher's concern (guided by the OAG catalogue) and how the
// strategies worked, the SENDCo's triage, the plan, support logged, the review, and meetings.

func (h *Handler) pupilForms(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/class", h.staff(h.classForm))
	m.HandleFunc("POST /pupils/{pupil}/class", h.staff(h.setClass))
	m.HandleFunc("GET /pupils/{pupil}/concern", h.staff(h.concernForm))
	m.HandleFunc("POST /pupils/{pupil}/concern", h.staff(h.raiseConcern))
	m.HandleFunc("GET /pupils/{pupil}/concerns/{concern}/impact", h.staff(h.impactForm))
	m.HandleFunc("POST /pupils/{pupil}/concerns/{concern}/impact", h.staff(h.recordImpact))
	m.HandleFunc("GET /pupils/{pupil}/triage", h.staff(h.triageForm))
	m.HandleFunc("POST /pupils/{pupil}/triage", h.staff(h.triage))
	m.HandleFunc("GET /pupils/{pupil}/plan", h.staff(h.planForm))
	m.HandleFunc("POST /pupils/{pupil}/plan", h.staff(h.plan))
	m.HandleFunc("GET /pupils/{pupil}/cycles/{cycle}/provision", h.staff(h.provisionForm))
	m.HandleFunc("POST /pupils/{pupil}/cycles/{cycle}/provision", h.staff(h.logProvision))
	m.HandleFunc("GET /pupils/{pupil}/cycles/{cycle}/review", h.staff(h.reviewForm))
	m.HandleFunc("POST /pupils/{pupil}/cycles/{cycle}/review", h.staff(h.review))
	m.HandleFunc("GET /pupils/{pupil}/meetings/new", h.staff(h.meetingForm))
	m.HandleFunc("POST /pupils/{pupil}/meetings/new", h.staff(h.arrangeMeeting))
	m.HandleFunc("GET /meetings/{meeting}", h.staff(h.changeMeetingForm))
	m.HandleFunc("POST /meetings/{meeting}/move", h.staff(h.moveMeeting))
	m.HandleFunc("POST /meetings/{meeting}/cancel", h.staff(h.cancelMeeting))
}

// formRead audits that a form page showed a pupil's record.
func (h *Handler) formRead(v *visit, p *store.Pupil, role string) {
	h.d.Actions.Audit(v.ctx(), v.actor, role, "pupil:read", p.ID, p.SchoolID, "ok")
}

// formLoader makes the form about pupil p that the address names; found is false when what it
// is about (a concern, a cycle) is not there.
type formLoader func(v *visit, p *store.Pupil) (f form, found bool, err error)

// always is the loader of a form about the pupil themselves, which is there whenever they are.
func always(load func(v *visit, p *store.Pupil) (form, error)) formLoader {
	return func(v *visit, p *store.Pupil) (form, bool, error) {
		f, err := load(v, p)
		return f, true, err
	}
}

// formOf loads a form for obj:create about the pupil the address names, for showing it or for
// reading what was sent in it. A pupil out of reach or something not there is answered 404, a
// failure 503, and ok is false.
func (h *Handler) formOf(
	w http.ResponseWriter,
	v *visit,
	obj string,
	load formLoader,
) (p *store.Pupil, role string, f form, ok bool) {
	return h.formFor(w, v, obj, "create", load)
}

// formFor is formOf for a form that asks obj:verb.
func (h *Handler) formFor(
	w http.ResponseWriter,
	v *visit,
	obj, verb string,
	load formLoader,
) (p *store.Pupil, role string, f form, ok bool) {
	if p, role, ok = h.pupilFor(w, v, obj, verb); !ok {
		return nil, "", form{}, false
	}
	f, found, err := load(v, p)
	if err != nil || !found {
		h.missing(w, v, err)
		return nil, "", form{}, false
	}
	return p, role, f, true
}

// showForm shows a form for obj:create about the pupil the address names, filled with vals (nil
// for none); the read of the pupil's record is audited.
func (h *Handler) showForm(w http.ResponseWriter, v *visit, obj string, load formLoader, vals url.Values) {
	h.showFormFor(w, v, obj, "create", load, vals)
}

// showFormFor is showForm for a form that asks obj:verb.
func (h *Handler) showFormFor(w http.ResponseWriter, v *visit, obj, verb string, load formLoader, vals url.Values) {
	p, role, f, ok := h.formFor(w, v, obj, verb, load)
	if !ok {
		return
	}
	h.formRead(v, p, role)
	h.show(w, v, http.StatusOK, f, vals, nil)
}

// ---- Concern ----

// concernData is the guided concern form: first the areas of need, then, for those areas, what
// the teacher has seen and the strategies they are trying, from the OAG catalogue.
type concernData struct {
	Pupil    string
	Areas    []option
	Chosen   []areaChoice // step 2: the areas chosen, with their indicators and strategies
	Step2    string       // the address of step 2, for going back to step 1
	Catalog  string       // the catalogue's name and version
	Question bool
}

type areaChoice struct {
	ID, Name   string
	Indicators []option
	Strategies []strategyChoice
}

type strategyChoice struct {
	ID, Text, Guidance string
}

func (h *Handler) concernData(v *visit, p *store.Pupil, areas []string) (form, error) {
	lib, err := h.d.Actions.Catalogue(v.ctx())
	if err != nil {
		return form{}, err
	}
	cat, _ := lib.Latest()
	d := concernData{Pupil: name(p), Catalog: cat.Authority + ", version " + cat.Version}
	for _, code := range oag.AreaCodes {
		a, ok := cat.Area(code)
		if !ok {
			continue
		}
		d.Areas = append(d.Areas, option{Value: code, Label: oag.AreaName(code), Hint: a.Summary})
		if !slices.Contains(areas, code) {
			continue
		}
		ac := areaChoice{ID: code, Name: oag.AreaName(code)}
		for _, it := range a.Indicators {
			ac.Indicators = append(ac.Indicators, option{Value: it.ID, Label: it.Text})
		}
		for _, it := range a.Strategies {
			ac.Strategies = append(ac.Strategies, strategyChoice{ID: it.ID, Text: it.Text, Guidance: it.Guidance})
		}
		d.Chosen = append(d.Chosen, ac)
	}
	return form{name: "concern", title: "Raise a concern", caption: name(p), back: "/pupils/" + p.ID, data: d}, nil
}

func (h *Handler) concernForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "concern", "create")
	if !ok {
		return
	}
	q := v.r.URL.Query()
	var areas []string
	for _, a := range q["areas"] {
		if oag.IsArea(a) {
			areas = append(areas, a)
		}
	}
	f, err := h.concernData(v, p, areas)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.formRead(v, p, role)
	if q.Has("step") && len(areas) == 0 {
		h.show(
			w,
			v,
			http.StatusUnprocessableEntity,
			f,
			q,
			[]fieldError{{Field: "areas", Text: "Choose at least one area of need"}},
		)
		return
	}
	var vals url.Values
	if len(areas) > 0 {
		vals = url.Values{"areas": areas}
	}
	h.show(w, v, http.StatusOK, f, vals, nil)
}

func (h *Handler) raiseConcern(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "concern", "create")
	if !ok {
		return
	}
	vals := v.r.PostForm
	var areas []string
	for _, a := range vals["areas"] {
		if oag.IsArea(a) && !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	f, err := h.concernData(v, p, areas)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	if len(areas) == 0 {
		errs = append(errs, fieldError{Field: "areas", Text: "Choose at least one area of need"})
	}
	in := actions.Concern{
		ID:         actionID(v.r),
		PupilID:    p.ID,
		Areas:      areas,
		Observed:   vals.Get("observed"),
		Indicators: vals["indicators"],
	}
	// Which strategy a problem is about: the service layer names them by their place in the list.
	var tried []string
	for _, a := range f.data.(concernData).Chosen {
		for _, s := range a.Strategies {
			if !slices.Contains(vals["strategies"], s.ID) {
				continue
			}
			started := dateField(vals, "started."+s.ID, "the date you started "+s.Text, true, &errs)
			tried = append(tried, s.ID)
			in.Strategies = append(
				in.Strategies,
				actions.StrategyTried{StrategyID: s.ID, StartedOn: started, Frequency: vals.Get("frequency." + s.ID)},
			)
		}
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err = h.d.Actions.RaiseConcern(v.ctx(), v.actor, in)
	lb := labels{"observed": "What you have seen"}
	for i, id := range tried {
		lb[fmt.Sprintf("strategies[%d].startedOn", i)] = "The start date"
		lb[fmt.Sprintf("strategies[%d].frequency", i)] = "How often"
		_ = id
	}
	h.outcomeMapped(w, v, err, f, lb, func(field string) string {
		for i, id := range tried {
			if rest, ok := strings.CutPrefix(field, fmt.Sprintf("strategies[%d].", i)); ok {
				return map[string]string{"startedOn": "started.", "frequency": "frequency."}[rest] + id
			}
		}
		return field
	}, func() (string, string) {
		return "Your concern about " + p.FirstName + " is recorded. The SENDCo has been asked to look at it.", "/pupils/" + p.ID
	})
}

// outcomeMapped is outcome for a form whose field names differ from the service layer's.
func (h *Handler) outcomeMapped(
	w http.ResponseWriter,
	v *visit,
	err error,
	f form,
	lb labels,
	field func(string) string,
	done func() (string, string),
) {
	var bad *actions.Invalid
	if asInvalid(err, &bad) {
		for i := range bad.Problems {
			orig := strings.TrimPrefix(bad.Problems[i].Field, "body.")
			if label, ok := lb[orig]; ok {
				lb[field(orig)] = label
			}
			bad.Problems[i].Field = field(orig)
		}
	}
	h.outcome(w, v, err, f, lb, done)
}

// ---- How the strategies worked ----

type impactData struct {
	Pupil      string
	RaisedOn   string
	Observed   string
	Strategies []strategyView
	Options    []option
}

var impactOpts = []option{
	{Value: "helping", Label: "Helping"},
	{Value: "some_change", Label: "Some change"},
	{Value: "no_change", Label: "No change"},
}

func (h *Handler) impactData(v *visit, p *store.Pupil) (form, bool, error) {
	concerns, err := h.d.Store.ConcernsOf(v.ctx(), p.ID)
	if err != nil {
		return form{}, false, err
	}
	i := slices.IndexFunc(concerns, func(c store.ConcernDetail) bool { return c.ID == v.r.PathValue("concern") })
	if i < 0 {
		return form{}, false, nil
	}
	lib, err := h.d.Actions.Catalogue(v.ctx())
	if err != nil {
		return form{}, false, err
	}
	c := concerns[i]
	d := impactData{
		Pupil:      name(p),
		RaisedOn:   dayWords(c.RaisedAt),
		Observed:   c.Observed,
		Strategies: strategiesOf(c, lib),
		Options:    impactOpts,
	}
	return form{
		name:    "impact",
		title:   "How the strategies worked",
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, true, nil
}

func (h *Handler) impactForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "impact", h.impactData, nil)
}

func (h *Handler) recordImpact(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "impact", h.impactData)
	if !ok {
		return
	}
	vals := v.r.PostForm
	in := actions.Impact{ID: actionID(v.r), PupilID: p.ID, ConcernID: v.r.PathValue("concern")}
	var errs []fieldError
	var ids []string
	for _, s := range f.data.(impactData).Strategies {
		if vals.Get("impact."+s.ID) == "" {
			continue // not answered: only the strategies the teacher rates are recorded
		}
		impact := choice(vals, "impact."+s.ID, "how "+s.Text+" worked", impactOpts, &errs)
		ids = append(ids, s.ID)
		in.Impacts = append(
			in.Impacts,
			actions.StrategyImpact{StrategyID: s.ID, Impact: impact, Notes: vals.Get("notes." + s.ID)},
		)
	}
	if len(in.Impacts) == 0 && len(errs) == 0 {
		field := ""
		if ss := f.data.(impactData).Strategies; len(ss) > 0 {
			field = "impact." + ss[0].ID
		}
		errs = append(errs, fieldError{Field: field, Text: "Say how at least one strategy worked"})
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err := h.d.Actions.RecordImpact(v.ctx(), v.actor, in)
	lb := labels{}
	h.outcomeMapped(w, v, err, f, lb, func(field string) string {
		for i, id := range ids {
			if field == fmt.Sprintf("impacts[%d].notes", i) {
				lb[field] = "Your notes"
				return "notes." + id
			}
		}
		return field
	}, func() (string, string) {
		return "How the strategies worked is recorded.", "/pupils/" + p.ID
	})
}

// missing answers a form for something that is not there (404) or could not be read (503).
func (h *Handler) missing(w http.ResponseWriter, v *visit, err error) {
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.notFound(w, v.r)
}

// ---- Triage ----

var triageOpts = []option{
	{
		Value: "sen_support",
		Label: "SEN support",
		Hint:  "The pupil needs support beyond ordinarily available provision. The parents are told, and you agree a plan with them next.",
	},
	{
		Value: "monitor",
		Label: "Keep trying classroom strategies and watch progress",
		Hint:  "A new trial window starts; the teacher is asked to record how it went at its end.",
	},
	{
		Value: "more_evidence",
		Label: "Ask the teacher for more evidence",
		Hint:  "The teacher is asked to record what has been tried and how it helped.",
	},
	{
		Value: "no_further_action",
		Label: "No further action",
		Hint:  "Nothing more is needed now. A new concern can be raised at any time.",
	},
}

type triageData struct {
	Pupil    string
	Concerns []concernView
	Options  []option
}

func (h *Handler) triageData(v *visit, p *store.Pupil) (form, error) {
	concerns, err := h.d.Store.ConcernsOf(v.ctx(), p.ID)
	if err != nil {
		return form{}, err
	}
	lib, err := h.d.Actions.Catalogue(v.ctx())
	if err != nil {
		return form{}, err
	}
	d := triageData{Pupil: name(p), Options: triageOpts}
	for _, c := range concerns {
		cv := concernView{
			ID:         c.ID,
			RaisedBy:   c.RaisedBy,
			RaisedAt:   c.RaisedAt,
			Observed:   c.Observed,
			Strategies: strategiesOf(c, lib),
		}
		for _, a := range c.Areas {
			cv.Areas = append(cv.Areas, oag.AreaName(a))
		}
		for _, id := range c.Indicators {
			if ref, ok := lib.Indicator(id); ok {
				cv.Indicators = append(cv.Indicators, ref.Text)
			}
		}
		d.Concerns = append(d.Concerns, cv)
	}
	return form{name: "triage", title: "Triage the concern", caption: name(p), back: "/pupils/" + p.ID, data: d}, nil
}

func (h *Handler) triageForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "triage", always(h.triageData), nil)
}

func (h *Handler) triage(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "triage", always(h.triageData))
	if !ok {
		return
	}
	var errs []fieldError
	decision := choice(v.r.PostForm, "decision", "what happens next", triageOpts, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err := h.d.Actions.TriageConcern(
		v.ctx(),
		v.actor,
		actions.Triage{ID: actionID(v.r), PupilID: p.ID, Decision: decision},
	)
	h.outcome(w, v, err, f, nil, func() (string, string) {
		if decision == "sen_support" {
			return p.FirstName + " now gets SEN support. The parents have been told. Agree a plan with them next.", "/pupils/" + p.ID + "/plan"
		}
		return "Your decision is recorded.", "/pupils/" + p.ID
	})
}

// ---- Plan ----

// planRows is how many outcomes and pieces of provision the plan form offers; a plan with more
// is agreed in two steps or through the API.
const planRows = 5

type planData struct {
	Pupil     string
	Rows      []int
	Advice    []store.AdviceRecord
	Earliest  string
	LastViews []store.ParentViewsBy
	// Items are the school's provision catalogue to pick from (none: provision in words only).
	Items []option
}

func (h *Handler) planData(v *visit, p *store.Pupil) (form, error) {
	d := planData{Pupil: name(p)}
	if _, c, err := h.d.Actions.ProvisionCatalogue(v.ctx(), v.actor, p.SchoolID); err == nil && c != nil {
		d.Items = append(d.Items, option{Value: "", Label: "Not from the catalogue: say what below"})
		for _, it := range c.Items {
			d.Items = append(
				d.Items,
				option{
					Value: it.ID,
					Label: it.Name + " (" + it.Frequency() + ", " + it.Cost().Year.String() + " a year)",
				},
			)
		}
	} else if err != nil && !errors.As(err, new(*actions.NotFound)) {
		return form{}, err
	}
	for i := range planRows {
		d.Rows = append(d.Rows, i)
	}
	f, err := h.d.Store.EvidenceFacts(v.ctx(), p.ID)
	if err != nil {
		return form{}, err
	}
	d.Advice = f.Advice
	return form{name: "plan", title: "Agree a support plan", caption: name(p), back: "/pupils/" + p.ID, data: d}, nil
}

func (h *Handler) planForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "cycle", always(h.planData), nil)
}

func (h *Handler) plan(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "cycle", always(h.planData))
	if !ok {
		return
	}
	vals := v.r.PostForm
	var errs []fieldError
	in := actions.Plan{
		ID:          actionID(v.r),
		PupilID:     p.ID,
		ParentViews: vals.Get("parentViews"),
		PupilViews:  vals.Get("pupilViews"),
	}
	in.ReviewDate = dateField(vals, "reviewDate", "the date of the review", true, &errs)
	// Rows left empty are not part of the plan; the service layer numbers the rest.
	var outcomeRow, provisionRow []int
	for i := range planRows {
		if t := vals.Get(fmt.Sprintf("outcomes[%d]", i)); strings.TrimSpace(t) != "" {
			in.Outcomes = append(in.Outcomes, t)
			outcomeRow = append(outcomeRow, i)
		}
		t, fr := vals.Get(fmt.Sprintf("provision[%d].text", i)), vals.Get(fmt.Sprintf("provision[%d].frequency", i))
		item := vals.Get(fmt.Sprintf("provision[%d].item", i))
		if strings.TrimSpace(t) != "" || strings.TrimSpace(fr) != "" || item != "" {
			in.Provision = append(in.Provision, actions.Provision{Text: t, Frequency: fr, ItemID: item})
			provisionRow = append(provisionRow, i)
		}
	}
	if len(in.Outcomes) == 0 {
		errs = append(
			errs,
			fieldError{Field: "outcomes[0]", Text: "Write at least one outcome: what the support should achieve"},
		)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	res, err := h.d.Actions.PlanCycle(v.ctx(), v.actor, in)
	lb := labels{
		"reviewDate":  "The review date",
		"parentViews": "What the parents said",
		"pupilViews":  "What the pupil said",
	}
	h.outcomeMapped(w, v, err, f, lb, func(field string) string {
		for k, row := range outcomeRow {
			if field == fmt.Sprintf("outcomes[%d].text", k) {
				lb[field] = fmt.Sprintf("Outcome %d", row+1)
				return fmt.Sprintf("outcomes[%d]", row)
			}
		}
		for k, row := range provisionRow {
			for _, part := range []string{"text", "frequency", "item"} {
				if field == fmt.Sprintf("provision[%d].%s", k, part) ||
					part == "item" && field == fmt.Sprintf("provision[%d].itemId", k) {
					lb[field] = fmt.Sprintf("Provision %d", row+1)
					return fmt.Sprintf("provision[%d].%s", row, part)
				}
			}
		}
		return field
	}, func() (string, string) {
		return fmt.Sprintf(
			"Support plan %d is agreed. It will be reviewed on %s; the parents will be invited.",
			res.Cycle,
			dayWords(in.ReviewDate),
		), "/pupils/" + p.ID
	})
}

// ---- Provision ----

type provisionData struct {
	Pupil string
	Cycle int
	// Entries are the plan's provision, to say which one a session delivered.
	Entries []option
}

func (h *Handler) cycleNumber(v *visit) int {
	n, err := strconv.Atoi(v.r.PathValue("cycle"))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

func (h *Handler) provisionForm(w http.ResponseWriter, v *visit) {
	h.showForm(
		w,
		v,
		"provision",
		h.provisionData,
		url.Values{"givenOn": {workflows.CalendarDate(h.now()).Format(time.DateOnly)}},
	)
}

// provisionData is the form to log support given in the cycle the address names, with the
// plan's provision to say which entry a session delivered.
func (h *Handler) provisionData(v *visit, p *store.Pupil) (form, bool, error) {
	n := h.cycleNumber(v)
	d := provisionData{Pupil: name(p), Cycle: n}
	f := form{name: "provision", title: "Log support given", caption: name(p), back: "/pupils/" + p.ID, data: d}
	if n == 0 {
		return f, false, nil
	}
	c, err := h.d.Store.Cycle(v.ctx(), p.ID, n)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return form{}, false, err
	}
	if c != nil {
		var entries []actions.Provision
		_ = json.Unmarshal(c.Plan.Provision, &entries)
		if len(entries) > 0 {
			d.Entries = append(d.Entries, option{Value: "", Label: "Other support, not in the plan"})
		}
		for i, e := range entries {
			label := e.Text
			if e.Frequency != "" {
				label += " (" + e.Frequency + ")"
			}
			d.Entries = append(d.Entries, option{Value: strconv.Itoa(i), Label: label})
		}
	}
	f.data = d
	return f, true, nil
}

func (h *Handler) logProvision(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "provision", h.provisionData)
	if !ok {
		return
	}
	n := f.data.(provisionData).Cycle
	var errs []fieldError
	given := dateField(v.r.PostForm, "givenOn", "the date the support was given", true, &errs)
	var planItem *int
	if s := v.r.PostFormValue("planItem"); s != "" {
		if k, err := strconv.Atoi(s); err == nil {
			planItem = &k
		}
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err := h.d.Actions.LogProvision(
		v.ctx(),
		v.actor,
		actions.ProvisionEntry{ID: actionID(v.r), PupilID: p.ID, Cycle: n,
			Description: v.r.PostFormValue("description"), GivenOn: given, PlanItem: planItem},
	)
	h.outcome(
		w,
		v,
		err,
		f,
		labels{"description": "What support was given", "givenOn": "The date", "planItem": "Which support in the plan"},
		func() (string, string) {
			return "The support given is logged.", "/pupils/" + p.ID
		},
	)
}

// ---- Review ----

type reviewData struct {
	Pupil       string
	Cycle       int
	Plan        *store.PlanDetail
	Outcomes    []outcomeView
	Provision   []string
	FamilyViews []store.ParentViewsBy
	Logged      int
	Ratings     []option
	NextSteps   []option
}

var ratingOpts = []option{
	{Value: "achieved", Label: "Achieved"},
	{Value: "partly_achieved", Label: "Partly achieved"},
	{Value: "not_achieved", Label: "Not achieved"},
}

var nextStepOpts = []option{
	{Value: "continue", Label: "Continue SEN support with a new plan"},
	{
		Value: "step_down",
		Label: "Step down: SEN support is not needed now",
		Hint:  "The class teacher keeps watching progress.",
	},
	{
		Value: "refer",
		Label: "Ask a specialist for advice",
		Hint:  "Refer to a service next; its readiness check uses this review.",
	},
	{Value: "request_ehcna", Label: "Request an EHC needs assessment"},
}

// reviewData is the form to review the cycle the address names.
func (h *Handler) reviewData(v *visit, p *store.Pupil) (form, bool, error) {
	ctx, n := v.ctx(), h.cycleNumber(v)
	rv, err := h.d.Store.Pathway(ctx, p.ID)
	if err != nil {
		return form{}, false, nil
	}
	var st workflows.PathwayState
	if err := json.Unmarshal(rv.Pathway.State, &st); err != nil {
		return form{}, false, err
	}
	i := slices.IndexFunc(st.Cycles, func(c workflows.CycleRef) bool { return c.Number == n })
	if i < 0 {
		return form{}, false, nil
	}
	plans, err := h.d.Store.PlansOf(ctx, p.ID)
	if err != nil {
		return form{}, false, err
	}
	views, err := h.d.Store.FamilyViewsOf(ctx, p.ID)
	if err != nil {
		return form{}, false, err
	}
	logged, err := h.d.Store.ProvisionOf(ctx, p.ID)
	if err != nil {
		return form{}, false, err
	}
	d := reviewData{Pupil: name(p), Cycle: n, Ratings: ratingOpts, NextSteps: nextStepOpts}
	for j := range plans {
		if plans[j].ID == st.Cycles[i].PlanID {
			d.Plan = &plans[j]
		}
	}
	if d.Plan != nil {
		var outcomes []struct{ ID, Text string }
		_ = json.Unmarshal(d.Plan.Outcomes, &outcomes)
		for _, o := range outcomes {
			d.Outcomes = append(d.Outcomes, outcomeView{ID: o.ID, Text: o.Text})
		}
		var provision []struct{ Text, Frequency string }
		_ = json.Unmarshal(d.Plan.Provision, &provision)
		for _, pr := range provision {
			d.Provision = append(d.Provision, strings.TrimSpace(pr.Text+" "+parenthesise(pr.Frequency)))
		}
	}
	for _, fv := range views {
		if fv.Cycle == n {
			d.FamilyViews = append(d.FamilyViews, fv)
		}
	}
	for _, l := range logged {
		if l.Cycle == n {
			d.Logged++
		}
	}
	return form{
		name:    "review",
		title:   fmt.Sprintf("Review support plan %d", n),
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, true, nil
}

func parenthesise(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func (h *Handler) reviewForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "review", h.reviewData, nil)
}

func (h *Handler) review(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "review", h.reviewData)
	if !ok {
		return
	}
	n := h.cycleNumber(v)
	vals := v.r.PostForm
	var errs []fieldError
	in := actions.Review{
		ID:          actionID(v.r),
		PupilID:     p.ID,
		Cycle:       n,
		ParentViews: vals.Get("parentViews"),
		PupilViews:  vals.Get("pupilViews"),
		Notes:       vals.Get("notes"),
	}
	for _, o := range f.data.(reviewData).Outcomes {
		r := choice(vals, "rating."+o.ID, "how far “"+o.Text+"” was achieved", ratingOpts, &errs)
		in.Ratings = append(in.Ratings, actions.Rating{OutcomeID: o.ID, Rating: r})
	}
	in.NextStep = choice(vals, "nextStep", "the next step", nextStepOpts, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err := h.d.Actions.ReviewCycle(v.ctx(), v.actor, in)
	h.outcome(
		w,
		v,
		err,
		f,
		labels{"parentViews": "What the parents said", "pupilViews": "What the pupil said", "notes": "Notes"},
		func() (string, string) {
			next := "/pupils/" + p.ID
			switch in.NextStep {
			case "refer":
				next += "/referrals/new"
			case "request_ehcna":
				next += "/ehc-request"
			case "continue":
				next += "/plan"
			}
			return fmt.Sprintf("The review of support plan %d is recorded.", n), next
		},
	)
}

// ---- Meetings ----

var meetingKinds = []option{
	{Value: "review", Label: "Review of the support plan", Hint: "Replaces the plan's own invitation to the review."},
	{Value: "expectation", Label: "A meeting to talk about how things are going"},
	{Value: "annual_review", Label: "Annual review of the EHC plan"},
}

type meetingData struct {
	Pupil   string
	Kinds   []option
	Meeting *store.Meeting
	When    string
}

func (h *Handler) meetingForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "meeting", meetingFormOf, url.Values{"duration": {"60"}})
}

func meetingFormOf(_ *visit, p *store.Pupil) (form, bool, error) {
	return form{name: "meeting", title: "Arrange a meeting with the family", caption: name(p), back: "/pupils/" + p.ID,
		data: meetingData{Pupil: name(p), Kinds: meetingKinds}}, true, nil
}

// localTime reads a date and a time of day (HH:MM) as London time.
func localTime(vals url.Values, dateName, timeName string, errs *[]fieldError) time.Time {
	d := dateField(vals, dateName, "the date", true, errs)
	tm, err := time.Parse("15:04", strings.TrimSpace(vals.Get(timeName)))
	if err != nil {
		*errs = append(*errs, fieldError{Field: timeName, Text: "Enter the time, such as 15:30"})
		return time.Time{}
	}
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), tm.Hour(), tm.Minute(), 0, 0, workflows.London)
}

func (h *Handler) arrangeMeeting(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "meeting", meetingFormOf)
	if !ok {
		return
	}
	vals := v.r.PostForm
	var errs []fieldError
	kind := choice(vals, "kind", "what the meeting is for", meetingKinds, &errs)
	at := localTime(vals, "date", "time", &errs)
	duration, err := strconv.Atoi(strings.TrimSpace(vals.Get("duration")))
	if err != nil || duration < 10 || duration > 480 {
		errs = append(
			errs,
			fieldError{Field: "duration", Text: "Enter how long the meeting lasts in minutes, from 10 to 480"},
		)
	}
	var invitees []string
	for _, s := range strings.FieldsFunc(vals.Get("invitees"), func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if s = strings.TrimSpace(s); s != "" {
			invitees = append(invitees, s)
		}
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	res, err := h.d.Actions.ArrangeMeeting(
		v.ctx(),
		v.actor,
		actions.NewMeeting{ID: actionID(v.r), PupilID: p.ID, Kind: kind, StartsAt: at,
			DurationMinutes: duration, Location: vals.Get("location"), Invitees: invitees},
	)
	lb := labels{"location": "Where the meeting is", "startsAt": "The date"}
	h.outcomeMapped(w, v, err, f, lb, func(field string) string {
		switch {
		case field == "startsAt":
			return "date"
		case strings.HasPrefix(field, "invitees["):
			lb[field] = "An email address of other staff to invite:"
			return "invitees"
		}
		return field
	}, func() (string, string) {
		return fmt.Sprintf(
			"The meeting is arranged for %s. %s sent.",
			at.Format("Monday 2 January 2006 at 3:04pm"),
			locale.Count(res.Invitations, "invitation was", "invitations were"),
		), "/pupils/" + p.ID
	})
}

// meetingOf finds a meeting the visitor may change.
func (h *Handler) meetingOf(w http.ResponseWriter, v *visit) (*store.Meeting, *store.Pupil, string, bool) {
	m, err := h.d.Store.MeetingByID(v.ctx(), v.r.PathValue("meeting"))
	if err != nil {
		h.missing(w, v, ignoreNotFound(err))
		return nil, nil, "", false
	}
	p, role, err := h.d.Actions.Pupil(v.ctx(), v.actor, m.PupilID, "meeting", "create")
	if err != nil {
		var nf *actions.NotFound
		if asNotFound(err, &nf) {
			h.notFound(w, v.r)
		} else {
			h.unavailable(w, v.r, err)
		}
		return nil, nil, "", false
	}
	return m, p, role, true
}

func (h *Handler) changeMeetingFormOf(m *store.Meeting, p *store.Pupil) form {
	return form{name: "meeting-change", title: "Move or cancel the meeting", caption: name(p), back: "/pupils/" + p.ID,
		data: meetingData{
			Pupil:   name(p),
			Meeting: m,
			When:    m.StartsAt.In(workflows.London).Format("Monday 2 January 2006 at 3:04pm"),
		}}
}

func (h *Handler) changeMeetingForm(w http.ResponseWriter, v *visit) {
	m, p, role, ok := h.meetingOf(w, v)
	if !ok {
		return
	}
	h.formRead(v, p, role)
	local := m.StartsAt.In(workflows.London)
	h.show(
		w,
		v,
		http.StatusOK,
		h.changeMeetingFormOf(m, p),
		url.Values{"date": {local.Format(time.DateOnly)}, "time": {local.Format("15:04")}},
		nil,
	)
}

func (h *Handler) moveMeeting(w http.ResponseWriter, v *visit) {
	m, p, _, ok := h.meetingOf(w, v)
	if !ok {
		return
	}
	f := h.changeMeetingFormOf(m, p)
	var errs []fieldError
	at := localTime(v.r.PostForm, "date", "time", &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err := h.d.Actions.MoveMeeting(
		v.ctx(),
		v.actor,
		actions.MeetingMove{ID: actionID(v.r), MeetingID: m.ID, StartsAt: at},
	)
	h.outcomeMapped(w, v, err, f, labels{"startsAt": "The date"}, func(field string) string {
		if field == "startsAt" {
			return "date"
		}
		return field
	}, func() (string, string) {
		return "The meeting is moved to " + at.Format(
			"Monday 2 January 2006 at 3:04pm",
		) + ". Everyone invited has been sent the new time.", "/pupils/" + p.ID
	})
}

func (h *Handler) cancelMeeting(w http.ResponseWriter, v *visit) {
	m, p, _, ok := h.meetingOf(w, v)
	if !ok {
		return
	}
	_, err := h.d.Actions.CancelMeeting(v.ctx(), v.actor, actionID(v.r), m.ID)
	h.outcome(w, v, err, h.changeMeetingFormOf(m, p), nil, func() (string, string) {
		return "The meeting is cancelled. Everyone invited has been told.", "/pupils/" + p.ID
	})
}

// ---- A pupil's class ----

type classData struct {
	Pupil, School string
	Classes       []option
	Teachers      []option // for a class added here
}

func (h *Handler) classData(v *visit, p *store.Pupil) (form, error) {
	classes, err := h.d.Store.SchoolClasses(v.ctx(), p.SchoolID)
	if err != nil {
		return form{}, err
	}
	school, err := h.d.Store.SchoolName(v.ctx(), p.SchoolID)
	if err != nil {
		return form{}, err
	}
	d := classData{Pupil: name(p), School: school}
	for _, c := range classes {
		d.Classes = append(d.Classes, option{Value: c.ID, Label: c.Name})
	}
	for _, role := range []string{"teacher", "teaching_assistant"} {
		staff, err := h.d.Store.SchoolStaff(v.ctx(), p.SchoolID, role)
		if err != nil {
			return form{}, err
		}
		for _, t := range staff {
			d.Teachers = append(d.Teachers, option{Value: t.UserID, Label: t.Name, Hint: strings.ReplaceAll(role, "_", " ")})
		}
	}
	return form{name: "class", title: "Choose a class", caption: name(p), back: "/pupils/" + p.ID, data: d}, nil
}

func (h *Handler) classForm(w http.ResponseWriter, v *visit) {
	h.showFormFor(w, v, "class", "assign", always(h.classData), nil)
}

func (h *Handler) setClass(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formFor(w, v, "class", "assign", always(h.classData))
	if !ok {
		return
	}
	var errs []fieldError
	newName := strings.TrimSpace(v.r.PostFormValue("className"))
	class := ""
	switch {
	case newName != "" && v.r.PostFormValue("class") != "":
		errs = append(errs, fieldError{Field: "className", Text: "Choose a class or name a new one, not both"})
	case newName == "" && len(f.data.(classData).Classes) == 0:
		errs = append(errs, fieldError{Field: "className", Text: "Enter the name of the class"})
	case newName == "":
		class = choice(v.r.PostForm, "class", "a class, or name a new one", f.data.(classData).Classes, &errs)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	var err error
	if newName != "" {
		_, err = h.d.Actions.SetNewClass(v.ctx(), v.actor, p.ID, actionID(v.r), newName, v.r.PostForm["teachers"])
	} else {
		_, err = h.d.Actions.SetClass(v.ctx(), v.actor, p.ID, class)
	}
	h.outcomeMapped(w, v, err, f, labels{"classId": "The class", "className": "The name of the class", "teachers": "The class's teachers"}, func(field string) string {
		if field == "classId" {
			return "class"
		}
		return field
	}, func() (string, string) {
		return name(p) + " is now in this class; its teachers can see their record.", "/pupils/" + p.ID
	})
}
