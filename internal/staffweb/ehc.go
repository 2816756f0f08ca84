package staffweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/readiness"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/statutory"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// The statutory side: a request for an EHC needs assessment, the assessment as a clock with the
// council's steps, the EHC plan's annual reviews, the council's EHC officer, and the council's
// own view of every request in its area.

func (h *Handler) statutoryPages(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/ehc-request", h.staff(h.ehcRequestForm))
	m.HandleFunc("POST /pupils/{pupil}/ehc-request", h.staff(h.requestEHC))
	m.HandleFunc("GET /pupils/{pupil}/ehc/{request}", h.staff(h.ehcPage))
	m.HandleFunc("POST /pupils/{pupil}/ehc/{request}", h.staff(h.ehcStep))
	m.HandleFunc("GET /pupils/{pupil}/annual-reviews/{review}", h.staff(h.annualReviewPage))
	m.HandleFunc("POST /pupils/{pupil}/annual-reviews/{review}", h.staff(h.annualReviewStep))
	m.HandleFunc("GET /pupils/{pupil}/ehc-officer", h.staff(h.officerForm))
	m.HandleFunc("POST /pupils/{pupil}/ehc-officer", h.staff(h.assignOfficer))
	m.HandleFunc("GET /council", h.staff(h.councilIndex))
	m.HandleFunc("GET /council/{la}", h.staff(h.councilPage))
}

// ---- Request an assessment ----

var requestedByOpts = []option{
	{
		Value: "school",
		Label: "The school",
		Hint:  "You ask on the school's behalf, having talked it through with the parents.",
	},
	{Value: "parent", Label: "The parents", Hint: "The parents asked, and you record their request for them."},
	{Value: "young_person", Label: "The young person (16 or over)"},
}

type ehcRequestData struct {
	Pupil    string
	Options  []option
	Criteria []readiness.Criterion
}

func (h *Handler) ehcRequestData(v *visit, p *store.Pupil) (form, error) {
	cs, err := gather.Criteria(v.ctx(), h.d.Store, p.ID, "ehcna")
	if err != nil {
		return form{}, err
	}
	return form{
		name:    "ehc-request",
		title:   "Request an EHC needs assessment",
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    ehcRequestData{Pupil: name(p), Options: requestedByOpts, Criteria: cs},
	}, nil
}

func (h *Handler) ehcRequestForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "ehc_request", "create")
	if !ok {
		return
	}
	f, err := h.ehcRequestData(v, p)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.formRead(v, p, role)
	h.show(w, v, http.StatusOK, f, url.Values{"requestedBy": {"school"}}, nil)
}

func (h *Handler) requestEHC(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "ehc_request", "create")
	if !ok {
		return
	}
	f, err := h.ehcRequestData(v, p)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	by := choice(v.r.PostForm, "requestedBy", "who is asking for the assessment", requestedByOpts, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	id := actionID(v.r)
	_, err = h.d.Actions.RequestEHCNA(v.ctx(), v.actor, actions.EHCRequest{ID: id, PupilID: p.ID, RequestedBy: by})
	h.outcome(w, v, err, f, nil, func() (string, string) {
		const done = "The request for an EHC needs assessment is recorded. The statutory clock has started; the council must decide whether to assess within 6 weeks."
		if !h.settled(v, "ehc_request", id) {
			return done + " It shows on this page in a moment.", "/pupils/" + p.ID
		}
		return done, "/pupils/" + p.ID + "/ehc/" + id
	})
}

// ---- The assessment ----

var ehcStepOpts = []option{
	{Value: "decision_to_assess", Label: "The council decided to assess"},
	{
		Value: "refuse_to_assess",
		Label: "The council decided not to assess",
		Hint:  "The parents are told their rights to mediation and appeal.",
	},
	{Value: "advice_requested", Label: "The council asked professionals for advice"},
	{Value: "advice_received", Label: "All the advice has arrived"},
	{
		Value: "exception_started",
		Label: "A prescribed exception started: pause the time limits",
		Hint:  "Choose the reason below. The parents are told.",
	},
	{
		Value: "exception_ended",
		Label: "The exception ended: the time limits run again",
		Hint:  "Record this on the first day the exception no longer applies.",
	},
	{
		Value: "draft_issued",
		Label: "The draft EHC plan was issued",
		Hint:  "The parents have at least 15 days to comment.",
	},
	{
		Value: "decision_not_to_issue",
		Label: "The council decided not to issue a plan",
		Hint:  "The parents are told their rights to mediation and appeal.",
	},
	{Value: "final_plan_issued", Label: "The final EHC plan was issued"},
}

func reasonOpts() []option {
	var out []option
	for _, r := range workflows.ExceptionReasons() {
		out = append(out, option{Value: string(r), Label: r.Describe()})
	}
	return out
}

type ehcPageData struct {
	PupilID, Pupil string
	Assessment     assessmentView
	Steps          []option
	Reasons        []option
	Record         bool // the reader may record the council's steps
	Officer        string
	Timeline       []timelineLine
}

// ehcOf finds an assessment of the pupil the reader may see.
func (h *Handler) ehcOf(v *visit, p *store.Pupil) (*store.ItemRow, []timelineLine, error) {
	rv, err := h.d.Store.Pathway(v.ctx(), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return itemAndTimeline(rv, "ehc/"+v.r.PathValue("request"))
}

func itemAndTimeline(rv *store.PathwayView, itemID string) (*store.ItemRow, []timelineLine, error) {
	var item *store.ItemRow
	for i := range rv.Items {
		if rv.Items[i].ItemID == itemID {
			item = &rv.Items[i]
		}
	}
	if item == nil {
		return nil, nil, nil
	}
	var lines []timelineLine
	for i := len(rv.Timeline) - 1; i >= 0; i-- {
		if e := rv.Timeline[i]; e.Source == itemID {
			lines = append(lines, timelineLine{At: e.At, Summary: e.Summary})
		}
	}
	return item, lines, nil
}

func (h *Handler) ehcForm(v *visit, p *store.Pupil) (form, bool, error) {
	item, lines, err := h.ehcOf(v, p)
	if err != nil || item == nil {
		return form{}, false, err
	}
	d := ehcPageData{
		PupilID:    p.ID,
		Pupil:      name(p),
		Assessment: assessmentOf(p.ID, *item, h.now()),
		Steps:      ehcStepOpts,
		Reasons:    reasonOpts(),
		Record:     h.may(v, p, "ehc_event", "create") && item.Status != string(workflows.EHCDone),
		Timeline:   lines,
	}
	if _, officer, err := h.d.Store.EHCOfficerOf(v.ctx(), p.ID); err == nil {
		d.Officer = officer
	}
	return form{
		name:    "ehc",
		title:   "EHC needs assessment",
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, true, nil
}

func (h *Handler) ehcPage(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "pathway", "read")
	if !ok {
		return
	}
	if audienceOf(role) == agency {
		h.notFound(w, v.r)
		return
	}
	f, found, err := h.ehcForm(v, p)
	if err != nil || !found {
		h.missing(w, v, err)
		return
	}
	h.d.Actions.Audit(v.ctx(), v.actor, role, "pathway:read", p.ID, p.SchoolID, "ok")
	h.show(w, v, http.StatusOK, f, nil, nil)
}

func (h *Handler) ehcStep(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "ehc_event", "create")
	if !ok {
		return
	}
	f, found, err := h.ehcForm(v, p)
	if err != nil || !found {
		h.missing(w, v, err)
		return
	}
	var errs []fieldError
	typ := choice(v.r.PostForm, "type", "the step the council took", ehcStepOpts, &errs)
	reason := ""
	if typ == string(workflows.EHCExceptionStarted) {
		reason = choice(v.r.PostForm, "reason", "the prescribed exception", reasonOpts(), &errs)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err = h.d.Actions.RecordEHCStep(
		v.ctx(),
		v.actor,
		actions.EHCStep{ID: actionID(v.r), RequestID: v.r.PathValue("request"), Type: typ, Reason: reason},
	)
	h.outcome(w, v, err, f, nil, func() (string, string) {
		return "The step is recorded.", v.r.URL.Path
	})
}

// ---- Annual reviews ----

var arStepOpts = []option{
	{
		Value: "meeting_scheduled",
		Label: "The review meeting is booked",
		Hint:  "Give its date below. Invitations and advice are due 2 weeks before.",
	},
	{Value: "meeting_held", Label: "The review meeting was held"},
	{
		Value: "report_sent",
		Label: "The school sent its review report to the council",
		Hint:  "Due within 2 weeks of the meeting.",
	},
	{
		Value: "la_decision",
		Label: "The council decided",
		Hint:  "Choose the decision below. Due within 4 weeks of the meeting.",
	},
	{Value: "amended_plan_issued", Label: "The amended EHC plan was issued"},
	{
		Value: "transfer_corrected",
		Label: "Correct the phase transfer worked out for the pupil",
		Hint:  "Choose the move below and say why the worked-out one is wrong.",
	},
}

var arDecisionOpts = []option{
	{Value: "keep", Label: "Keep the plan as it is"},
	{Value: "amend", Label: "Amend the plan"},
	{Value: "cease", Label: "Stop maintaining the plan"},
}

var transferOpts = []option{
	{Value: "none", Label: "No move next September"},
	{Value: "early_years_to_school", Label: "From early years to school"},
	{Value: "infant_to_junior", Label: "From infant to junior school"},
	{Value: "primary_to_middle", Label: "From primary to middle school"},
	{Value: "primary_to_secondary", Label: "From primary to secondary school"},
	{Value: "middle_to_secondary", Label: "From middle to secondary school"},
	{Value: "secondary_to_post16", Label: "From secondary school to post-16"},
}

type annualReviewData struct {
	PupilID, Pupil string
	Review         annualReviewView
	Steps          []option
	Decisions      []option
	Transfers      []option
	Record         bool
	Timeline       []timelineLine
}

func (h *Handler) annualReviewForm(v *visit, p *store.Pupil) (form, bool, error) {
	rv, err := h.d.Store.Pathway(v.ctx(), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return form{}, false, nil
	}
	if err != nil {
		return form{}, false, err
	}
	item, lines, err := itemAndTimeline(rv, "annual-review/"+v.r.PathValue("review"))
	if err != nil || item == nil {
		return form{}, false, err
	}
	d := annualReviewData{
		PupilID:   p.ID,
		Pupil:     name(p),
		Review:    annualReviewOf(p.ID, *item, h.now()),
		Steps:     arStepOpts,
		Decisions: arDecisionOpts,
		Transfers: transferOpts,
		Record:    h.may(v, p, "annual_review_event", "create") && item.Status != "finished",
		Timeline:  lines,
	}
	return form{
		name:    "annual-review",
		title:   fmt.Sprintf("Annual review %d of the EHC plan", d.Review.Number),
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, true, nil
}

func (h *Handler) annualReviewPage(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "pathway", "read")
	if !ok {
		return
	}
	if audienceOf(role) == agency {
		h.notFound(w, v.r)
		return
	}
	f, found, err := h.annualReviewForm(v, p)
	if err != nil || !found {
		h.missing(w, v, err)
		return
	}
	h.d.Actions.Audit(v.ctx(), v.actor, role, "pathway:read", p.ID, p.SchoolID, "ok")
	h.show(w, v, http.StatusOK, f, nil, nil)
}

func (h *Handler) annualReviewStep(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "annual_review_event", "create")
	if !ok {
		return
	}
	f, found, err := h.annualReviewForm(v, p)
	if err != nil || !found {
		h.missing(w, v, err)
		return
	}
	vals := v.r.PostForm
	var errs []fieldError
	in := actions.AnnualReviewStep{ID: actionID(v.r), PupilID: p.ID, Review: f.data.(annualReviewData).Review.Number}
	in.Type = choice(vals, "type", "the step", arStepOpts, &errs)
	switch in.Type {
	case "meeting_scheduled":
		d := dateField(vals, "meetingOn", "the date of the meeting", true, &errs)
		if !d.IsZero() {
			in.MeetingOn = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, workflows.London)
		}
	case "la_decision":
		in.Decision = choice(vals, "decision", "the council's decision", arDecisionOpts, &errs)
	case "transfer_corrected":
		in.Transfer = choice(vals, "transfer", "the move the pupil makes next September", transferOpts, &errs)
		in.Reason = vals.Get("reason")
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err = h.d.Actions.RecordAnnualReviewStep(v.ctx(), v.actor, in)
	h.outcome(
		w,
		v,
		err,
		f,
		labels{
			"meetingOn": "The date of the meeting",
			"reason":    "Why the worked-out move is wrong",
			"transfer":  "The move",
		},
		func() (string, string) {
			return "The step is recorded.", v.r.URL.Path
		},
	)
}

// ---- The council's EHC officer ----

type officerData struct {
	Pupil    string
	Officers []option
	Current  string
}

func (h *Handler) officerForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "ehc_officer", "create")
	if !ok {
		return
	}
	f, err := h.officerData(v, p)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.formRead(v, p, role)
	var vals url.Values
	if id, _, err := h.d.Store.EHCOfficerOf(v.ctx(), p.ID); err == nil {
		vals = url.Values{"officer": {id}}
	}
	h.show(w, v, http.StatusOK, f, vals, nil)
}

func (h *Handler) officerData(v *visit, p *store.Pupil) (form, error) {
	officers, err := h.d.Store.OfficersFor(v.ctx(), p.ID)
	if err != nil {
		return form{}, err
	}
	d := officerData{Pupil: name(p)}
	for _, o := range officers {
		d.Officers = append(d.Officers, option{Value: o.ID, Label: o.Name, Hint: o.Email})
	}
	if _, n, err := h.d.Store.EHCOfficerOf(v.ctx(), p.ID); err == nil {
		d.Current = n
	}
	return form{
		name:    "officer",
		title:   "The council's EHC officer",
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, nil
}

func (h *Handler) assignOfficer(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "ehc_officer", "create")
	if !ok {
		return
	}
	f, err := h.officerData(v, p)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	officer := choice(v.r.PostForm, "officer", "the EHC officer", f.data.(officerData).Officers, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err = h.d.Actions.AssignEHCOfficer(v.ctx(), v.actor, p.ID, officer)
	h.outcomeMapped(w, v, err, f, labels{"officerId": "The EHC officer"}, func(field string) string {
		if field == "officerId" {
			return "officer"
		}
		return field
	}, func() (string, string) {
		return "The EHC officer is recorded. They will be told when a council step is at risk or late.", "/pupils/" + p.ID
	})
}

// ---- The council's view ----

type councilSummary struct {
	Code, Name                string
	Assessments, Reviews      int
	Late, AtRisk              int
	PlansIssued               int
	OnTime, OnTimeCounting    int
	OnTimePercent, CountingPc string
}

func (h *Handler) councilSummary(ctx context.Context, v *visit, code string) (councilSummary, error) {
	name, err := h.d.Store.LAByCode(ctx, code)
	if err != nil {
		return councilSummary{}, err
	}
	items, err := h.d.Store.StatutoryItems(ctx, "", code)
	if err != nil {
		return councilSummary{}, err
	}
	c := statutory.CouncilView(items, h.now())
	return summaryOf(code, name, c), nil
}

func summaryOf(code, name string, c statutory.Council) councilSummary {
	s := councilSummary{
		Code:           code,
		Name:           name,
		Assessments:    c.AssessmentsOpen,
		Reviews:        c.ReviewsOpen,
		Late:           len(c.Late),
		AtRisk:         len(c.AtRisk),
		PlansIssued:    c.PlansIssued,
		OnTime:         c.OnTimeWithoutExceptions,
		OnTimeCounting: c.OnTimeCountingExceptions,
	}
	if c.PlansIssued > 0 {
		s.OnTimePercent = strconv.Itoa(c.OnTimeWithoutExceptions*100/c.PlansIssued) + "%"
		s.CountingPc = strconv.Itoa(c.OnTimeCountingExceptions*100/c.PlansIssued) + "%"
	}
	return s
}

type councilData struct {
	Summary            councilSummary
	Late, AtRisk, Open []councilRow
}

type councilRow struct {
	Pupil, School, What, Due, Words, Status, Colour, Href string
}

func (h *Handler) councilIndex(w http.ResponseWriter, v *visit) {
	switch len(v.p.LACodes) {
	case 0:
		h.notFound(w, v.r)
	case 1:
		http.Redirect(w, v.r, "/council/"+v.p.LACodes[0], http.StatusSeeOther)
	default:
		http.Redirect(w, v.r, "/", http.StatusSeeOther)
	}
}

func (h *Handler) councilPage(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	code := v.r.PathValue("la")
	if !slices.Contains(v.p.LACodes, code) {
		h.d.Actions.Audit(ctx, v.actor, "", "council_statutory:read", "", "", "denied")
		h.notFound(w, v.r)
		return
	}
	name, err := h.d.Store.LAByCode(ctx, code)
	if err != nil {
		h.missing(w, v, ignoreNotFound(err))
		return
	}
	items, err := h.d.Store.StatutoryItems(ctx, "", code)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	c := statutory.CouncilView(items, h.now())
	for _, it := range c.Pupils {
		h.d.Actions.Audit(ctx, v.actor, "la_officer", "council_statutory:read", it.PupilID, it.SchoolID, "ok")
	}
	d := councilData{Summary: summaryOf(code, name, c)}
	conv := func(steps []statutory.Step) []councilRow {
		var out []councilRow
		for _, st := range steps {
			r := councilRow{
				Pupil:  st.Item.FirstName + " " + st.Item.LastName,
				School: st.Item.School,
				What:   st.What,
				Due:    dayWords(st.Due),
				Words:  st.Words,
			}
			r.Status, r.Colour = statusWords(st.StepTimeliness)
			r.Href, _ = statutoryLink(st.Item.PupilID, st.Item.ItemID)
			out = append(out, r)
		}
		return out
	}
	d.Late, d.AtRisk, d.Open = conv(c.Late), conv(c.AtRisk), conv(c.Open)
	h.render(w, v.r, http.StatusOK, "council", h.frame(v, "/council", &page{Title: "EHC requests in " + name, Data: d}))
}
