package staffweb

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// The pupil's page: where they are, what is due and what can be done next, and their record in
// plain words. What a person sees depends on the role they read it in: school staff the whole
// record, an agency practitioner their service's referrals, a council officer the assessment and
// annual reviews.

// audience is who a pupil's page is shaped for.
type audience string

const (
	leaders audience = "leaders" // the SENDCo, the head, trust admins
	class   audience = "class"   // teachers and teaching assistants: no SENDCo's reasons
	agency  audience = "agency"  // practitioners: their own service's referrals only
	council audience = "council" // LA officers: the assessment and the annual reviews only
)

func audienceOf(role string) audience {
	switch role {
	case "sendco", "head", policies.RoleTrustAdmin:
		return leaders
	case "teacher", "teaching_assistant":
		return class
	case policies.RoleLAOfficer:
		return council
	}
	return agency // any other role sees the least
}

type pupilData struct {
	ID, Name, Class, School string
	// ChooseClass is set for the SENDCo and head when the pupil is in no class at their school
	// (a pupil who moved school arrives in none): the page says so and links to choosing one.
	ChooseClass       bool
	Stage, StageWords string
	Today             string
	// TodayISO is set when the pupil's calendar runs faster than real time (a demo).
	TodayISO      string
	Audience      audience
	Next          []navItem // what the reader can do now, each a link to its form
	Deadlines     []caseRow
	Warnings      []string
	Concerns      []concernView
	Cycles        []cycleView // newest first
	Meetings      []meetingView
	Referrals     []referralView
	Assessments   []assessmentView
	AnnualReviews []annualReviewView
	Timeline      []timelineLine
	Records       bool // the reader may see the messages and the audit trail
	// CanExport: the reader may download the pupil's portable record (the SENDCo and head).
	CanExport bool
	// Imported are records other schools sent for the pupil, kept as they were sent.
	Imported []importedRow
	// Provision is the costed provision of the open plans, with delivery against what was promised.
	Provision *provision.Map
	// EHCPlan is the provision of the issued EHC plan (school staff, once a plan is in force).
	EHCPlan *ehcPlanView
}

type timelineLine struct {
	At      time.Time
	Summary string
	School  string // the school the pupil was at (shown when the pupil has been at more than one)
}

type concernView struct {
	ID, RaisedBy, Observed string
	RaisedAt               time.Time
	Areas, Indicators      []string
	Strategies             []strategyView
	ImpactLink             string
}

type strategyView struct {
	ID, Text, Area, StartedOn, Frequency, Notes string
	Impact, ImpactNotes                         string
}

type cycleView struct {
	Number                         int
	Status                         string
	Plan                           *store.PlanDetail
	Outcomes                       []outcomeView
	Provision                      []string
	ReviewDate                     time.Time
	Review                         *store.ReviewDetail
	FamilyViews                    []store.ParentViewsBy
	Logged                         []store.ProvisionGiven
	ReviewLink, ProvisionLink      string
	ParentViewsOnPlan, PupilOnPlan string
}

type outcomeView struct {
	ID, Text, Rating string
}

type meetingView struct {
	ID, Kind, When, Where, Status string
	Answers                       []answerView
	Ahead                         bool
	MoveLink                      string
}

type answerView struct{ By, Response string }

// Words for what a parent answered, a review decided and a rating.
var (
	answerWords = map[string]string{
		"accepted":     "can come",
		"declined":     "cannot come",
		"another_time": "asked for another time",
	}
	nextWords = map[string]string{
		"continue": "Continue SEN support with a new plan", "step_down": "Step down: no SEN support needed now",
		"refer": "Ask a specialist for advice", "request_ehcna": "Request an EHC needs assessment",
	}
	ratingWords = map[string]string{
		"achieved":        "Achieved",
		"partly_achieved": "Partly achieved",
		"not_achieved":    "Not achieved",
	}
	kindWords = map[string]string{
		"review":        "Review meeting",
		"expectation":   "Meeting with the family",
		"annual_review": "Annual review meeting",
	}
	impactWords = map[string]string{"helping": "Helping", "some_change": "Some change", "no_change": "No change"}
)

func (h *Handler) pupilPage(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	p, role, ok := h.pupilFor(w, v, "pathway", "read")
	if !ok {
		return
	}
	d, err := h.pupilData(ctx, v, p, role)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.d.Actions.Audit(ctx, v.actor, role, "pathway:read", p.ID, p.SchoolID, "ok")
	if d.Provision, err = h.d.Actions.PupilProvision(ctx, v.actor, p.ID); err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if d.Stage == string(workflows.StageEHCPlan) && (d.Audience == leaders || d.Audience == class) {
		if d.EHCPlan, err = h.ehcPlanSection(ctx, v, p, d.Provision); err != nil {
			h.unavailable(w, v.r, err)
			return
		}
	}
	h.render(w, v.r, http.StatusOK, "pupil", h.frame(v, "", &page{Title: d.Name, Data: d}))
}

func (h *Handler) pupilData(ctx context.Context, v *visit, p *store.Pupil, role string) (*pupilData, error) {
	aud := audienceOf(role)
	d := &pupilData{ID: p.ID, Name: name(p), Audience: aud, Stage: string(workflows.StageNone)}
	var err error
	if d.School, err = h.d.Store.SchoolName(ctx, p.SchoolID); err != nil {
		return nil, err
	}
	lib, err := h.d.Actions.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	var st workflows.PathwayState
	rv, err := h.d.Store.Pathway(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rv = &store.PathwayView{}
	case err != nil:
		return nil, err
	default:
		d.Stage = rv.Pathway.Stage
		if err := json.Unmarshal(rv.Pathway.State, &st); err != nil {
			return nil, err
		}
	}
	d.StageWords = workflows.Stage(d.Stage).Describe()
	today := workflows.CalendarDate(st.Clock.Now(now))
	d.Today = dayWords(today)
	if !today.Equal(workflows.CalendarDate(now)) {
		d.TodayISO = today.Format(time.DateOnly)
	}
	// Which parts of the record the reader sees.
	shown := map[string]bool{"": aud == leaders || aud == class}
	for _, it := range rv.Items {
		shown[it.ItemID] = policies.ShowsItem(role, v.p.AgencyServices, it.Kind, it.State)
	}
	for _, dl := range rv.Deadlines {
		if !shown[dl.ItemID] {
			continue
		}
		r := caseRow{What: dl.Label, Due: dayWords(dl.Due)}
		r.Status, r.Colour = daysLeft(today, dl.Due)
		d.Deadlines = append(d.Deadlines, r)
	}
	if shown[""] {
		if n, warn := st.ParentMeetings(today); warn {
			d.Warnings = append(
				d.Warnings,
				"Only "+locale.Count(
					n,
					"meeting",
					"meetings",
				)+" with the parents "+isAre(
					n,
				)+" planned this school year; the Code of Practice expects at least "+
					strconv.Itoa(
						st.Timings.Cycle.MinParentMeetingsPerYear,
					)+".",
			)
		}
	}
	for i := len(rv.Timeline) - 1; i >= 0; i-- {
		if e := rv.Timeline[i]; shown[e.Source] {
			d.Timeline = append(d.Timeline, timelineLine{At: e.At, Summary: e.Summary, School: e.SchoolName})
		}
	}
	if !movedSchool(d.Timeline) {
		for i := range d.Timeline {
			d.Timeline[i].School = ""
		}
	}
	items := map[string]store.ItemRow{}
	for _, it := range rv.Items {
		items[it.ItemID] = it
	}
	if aud == leaders || aud == class {
		if err := h.schoolRecord(ctx, v, p, d, &st, items, lib, today); err != nil {
			return nil, err
		}
	}
	if err := h.referralViews(ctx, v, p, d, rv.Items, shown, aud); err != nil {
		return nil, err
	}
	for _, it := range rv.Items {
		if !shown[it.ItemID] {
			continue
		}
		switch it.Kind {
		case "ehc":
			d.Assessments = append(d.Assessments, assessmentOf(p.ID, it, now))
		case "annual_review":
			d.AnnualReviews = append(d.AnnualReviews, annualReviewOf(p.ID, it, now))
		}
	}
	sort.Slice(d.AnnualReviews, func(i, j int) bool { return d.AnnualReviews[i].Number > d.AnnualReviews[j].Number })
	d.Next = h.nextActions(v, p, d, &st)
	d.Records = h.may(v, p, "audit", "read")
	d.CanExport = h.may(v, p, "pupil_bundle", "read")
	if role, ok, err := h.d.Authz.PupilAccess(ctx, v.p, p, "imported_record", "read"); err == nil && ok {
		// Only a pupil with records imported shows any (and only that read is audited).
		rs, err := h.d.Store.ImportedRecords(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			d.Imported = append(d.Imported, importedRow{ImportedRecord: r, Href: importedHref(&r)})
		}
		if len(rs) > 0 {
			h.d.Actions.Audit(ctx, v.actor, role, "imported_record:read", p.ID, p.SchoolID, "ok")
		}
	}
	return d, nil
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// schoolRecord fills in what the school holds: concerns, plans and reviews (with the parents'
// views from their links), provision and meetings.
func (h *Handler) schoolRecord(
	ctx context.Context,
	v *visit,
	p *store.Pupil,
	d *pupilData,
	st *workflows.PathwayState,
	items map[string]store.ItemRow,
	lib *oag.Library,
	today time.Time,
) error {
	concerns, err := h.d.Store.ConcernsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	mayImpact := h.may(v, p, "impact", "create")
	for _, c := range concerns {
		cv := concernView{ID: c.ID, RaisedBy: c.RaisedBy, RaisedAt: c.RaisedAt, Observed: c.Observed}
		for _, a := range c.Areas {
			cv.Areas = append(cv.Areas, oag.AreaName(a))
		}
		for _, id := range c.Indicators {
			if ref, ok := lib.Indicator(id); ok {
				cv.Indicators = append(cv.Indicators, ref.Text)
			}
		}
		cv.Strategies = strategiesOf(c, lib)
		if len(cv.Strategies) > 0 && mayImpact {
			cv.ImpactLink = "/pupils/" + p.ID + "/concerns/" + c.ID + "/impact"
		}
		d.Concerns = append(d.Concerns, cv)
	}
	plans, err := h.d.Store.PlansOf(ctx, p.ID)
	if err != nil {
		return err
	}
	reviews, err := h.d.Store.ReviewsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	views, err := h.d.Store.FamilyViewsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	logged, err := h.d.Store.ProvisionOf(ctx, p.ID)
	if err != nil {
		return err
	}
	mayReview, mayLog := h.may(v, p, "review", "create"), h.may(v, p, "provision", "create")
	for i := len(st.Cycles) - 1; i >= 0; i-- {
		ref := st.Cycles[i]
		cv := cycleView{
			Number:     ref.Number,
			ReviewDate: ref.ReviewDate,
			Status:     "Open: review due " + dayWords(ref.ReviewDate),
		}
		if ref.Reviewed {
			cv.Status = "Reviewed"
		} else if workflows.CalendarDays(today, ref.ReviewDate) < 0 {
			cv.Status = "Review overdue (due " + dayWords(ref.ReviewDate) + ")"
		}
		for j := range plans {
			if plans[j].ID == ref.PlanID {
				cv.Plan = &plans[j]
			}
		}
		for j := range reviews {
			if reviews[j].Cycle == ref.Number {
				cv.Review = &reviews[j]
			}
		}
		ratings := map[string]string{}
		if cv.Review != nil {
			var rs []struct{ OutcomeID, Rating string }
			_ = json.Unmarshal(cv.Review.Ratings, &rs)
			for _, r := range rs {
				ratings[r.OutcomeID] = ratingWords[r.Rating]
			}
		}
		if cv.Plan != nil {
			var outcomes []struct{ ID, Text string }
			_ = json.Unmarshal(cv.Plan.Outcomes, &outcomes)
			for _, o := range outcomes {
				cv.Outcomes = append(cv.Outcomes, outcomeView{ID: o.ID, Text: o.Text, Rating: ratings[o.ID]})
			}
			var provision []struct{ Text, Frequency string }
			_ = json.Unmarshal(cv.Plan.Provision, &provision)
			for _, pr := range provision {
				line := pr.Text
				if pr.Frequency != "" {
					line += " (" + pr.Frequency + ")"
				}
				cv.Provision = append(cv.Provision, line)
			}
		}
		for _, fv := range views {
			if fv.Cycle == ref.Number {
				cv.FamilyViews = append(cv.FamilyViews, fv)
			}
		}
		for _, l := range logged {
			if l.Cycle == ref.Number {
				cv.Logged = append(cv.Logged, l)
			}
		}
		if !ref.Reviewed {
			n := strconv.Itoa(ref.Number)
			if mayReview {
				cv.ReviewLink = "/pupils/" + p.ID + "/cycles/" + n + "/review"
			}
			if mayLog {
				cv.ProvisionLink = "/pupils/" + p.ID + "/cycles/" + n + "/provision"
			}
		}
		d.Cycles = append(d.Cycles, cv)
	}
	meetings, err := h.d.Store.MeetingsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	mayMeet := h.may(v, p, "meeting", "create")
	now := h.now()
	for _, m := range meetings {
		mv := meetingView{
			ID:     m.ID,
			Kind:   kindWords[m.Kind],
			When:   m.StartsAt.In(workflows.London).Format("Monday 2 January 2006 at 3:04pm"),
			Where:  m.Location,
			Status: "Arranged",
			Ahead:  m.StartsAt.After(now),
		}
		if m.Status == "cancelled" {
			mv.Status, mv.Ahead = "Cancelled", false
		} else if !mv.Ahead {
			mv.Status = "Held"
		}
		var answers []struct{ By, Response string }
		_ = json.Unmarshal(m.Answers, &answers)
		for _, a := range answers {
			mv.Answers = append(mv.Answers, answerView{By: a.By, Response: answerWords[a.Response]})
		}
		if mv.Ahead && mayMeet {
			mv.MoveLink = "/meetings/" + m.ID
		}
		d.Meetings = append(d.Meetings, mv)
	}
	if c, err := h.d.Store.ClassName(ctx, p.ID); err == nil {
		d.Class = c
	} else if errors.Is(err, store.ErrNotFound) && d.Audience == leaders {
		d.ChooseClass = true
	}
	return nil
}

// strategiesOf lists a concern's strategies with the latest impact recorded for each.
func strategiesOf(c store.ConcernDetail, lib *oag.Library) []strategyView {
	var tried []struct{ StrategyID, StartedOn, Frequency, Notes string }
	_ = json.Unmarshal(c.Strategies, &tried)
	var recordings []struct {
		Impacts []struct{ StrategyID, Impact, Notes string }
	}
	_ = json.Unmarshal(c.Impacts, &recordings) // newest first
	var out []strategyView
	for _, t := range tried {
		sv := strategyView{ID: t.StrategyID, Text: t.StrategyID, Frequency: t.Frequency, Notes: t.Notes}
		if ref, ok := lib.Strategy(t.StrategyID); ok {
			sv.Text, sv.Area = ref.Text, oag.AreaName(ref.Area)
		}
		if d, err := time.Parse(time.DateOnly, t.StartedOn); err == nil {
			sv.StartedOn = dayWords(d)
		}
	latest:
		for _, rec := range recordings {
			for _, im := range rec.Impacts {
				if im.StrategyID == t.StrategyID {
					sv.Impact, sv.ImpactNotes = impactWords[im.Impact], im.Notes
					if sv.Impact == "" {
						sv.Impact = im.Impact
					}
					break latest
				}
			}
		}
		out = append(out, sv)
	}
	return out
}

// nextActions are the actions the reader may take now, given where the pupil is. The pathway
// decides in the end: a form sent out of turn is refused with its reason.
func (h *Handler) nextActions(v *visit, p *store.Pupil, d *pupilData, st *workflows.PathwayState) []navItem {
	base := "/pupils/" + p.ID
	var out []navItem
	add := func(obj, verb, href, text string) {
		if h.may(v, p, obj, verb) {
			out = append(out, navItem{Href: href, Text: text})
		}
	}
	add("concern", "create", base+"/concern", "Raise a concern")
	if st.Stage == workflows.StageAwaitingTriage || st.Stage == workflows.StageMonitoring {
		add("triage", "create", base+"/triage", "Triage the concern")
	}
	switch st.Stage {
	case workflows.StageSENSupport, workflows.StageEHCAssessment, workflows.StageEHCPlan:
		if !hasOpenCycle(st) {
			add("cycle", "create", base+"/plan", "Agree a support plan")
		}
	}
	add("meeting", "create", base+"/meetings/new", "Arrange a meeting with the family")
	add("referral", "create", base+"/referrals/new", "Refer to a specialist service")
	if st.Stage != workflows.StageEHCAssessment && st.Stage != workflows.StageEHCPlan {
		add("ehc_request", "create", base+"/ehc-request", "Request an EHC needs assessment")
	}
	if st.EHC != nil {
		add("ehc_officer", "create", base+"/ehc-officer", "Name the council's EHC officer")
	}
	return out
}

// assessmentView is an EHC needs assessment as a clock: its steps with due dates and days left,
// pauses, and how it ended.
type assessmentView struct {
	RequestID, Status, Outcome, AppealBy string
	RequestedOn                          string
	Steps                                []stepView
	Pauses                               []pauseView
	PausedDays                           int
	Href                                 string
}

type stepView struct {
	What, Due, DueWithout, Done, Words, Status, Colour string
	Council                                            bool
}

type pauseView struct{ Reason, From, To string }

var ehcStatusWords = map[string]string{
	"requested": "Waiting for the council to decide whether to assess", "assessing": "Being assessed: advice is being gathered",
	"draft_issued": "The draft plan has been issued", "finished": "Finished",
}

var outcomeWords = map[string]string{
	"refused_to_assess": "The council decided not to assess", "not_issuing": "The council decided not to issue a plan", "plan_issued": "The EHC plan was issued",
}

func assessmentOf(pupilID string, it store.ItemRow, now time.Time) assessmentView {
	var e workflows.EHCState
	_ = json.Unmarshal(it.State, &e)
	a := assessmentView{
		RequestID:   e.RequestID,
		Status:      ehcStatusWords[string(e.Status)],
		Outcome:     outcomeWords[string(e.Outcome)],
		RequestedOn: dayWords(e.Timeline.RequestedAt),
		Href:        "/pupils/" + pupilID + "/ehc/" + e.RequestID,
	}
	if a.Status == "" {
		a.Status = string(e.Status)
	}
	if e.AppealBy != nil {
		a.AppealBy = dayWords(*e.AppealBy)
	}
	cal := e.Clock.Now(now)
	a.Steps = stepsOf(e.Timeliness(cal))
	for _, pz := range e.Timeline.Pauses {
		pv := pauseView{Reason: pz.Reason.Describe(), From: dayWords(pz.From), To: "still paused"}
		if pz.To != nil {
			pv.To = dayWords(*pz.To)
		}
		a.Pauses = append(a.Pauses, pv)
	}
	a.PausedDays = e.Timeline.PausedDays(cal)
	return a
}

func stepsOf(ts []workflows.StepTimeliness) []stepView {
	var out []stepView
	for _, st := range ts {
		sv := stepView{What: st.What, Due: dayWords(st.Due), Words: st.Words, Council: st.Council}
		if !st.DueWithoutExceptions.Equal(st.Due) {
			sv.DueWithout = dayWords(st.DueWithoutExceptions)
		}
		if st.DoneAt != nil {
			sv.Done = dayWords(*st.DoneAt)
		}
		sv.Status, sv.Colour = statusWords(st)
		out = append(out, sv)
	}
	return out
}

// annualReviewView is an annual review of an EHC plan and its statutory steps.
type annualReviewView struct {
	Number                     int
	Due, Meeting, Held, Status string
	Decision                   string
	Steps                      []stepView
	Href                       string
}

var decisionWords = map[string]string{
	"keep":  "Keep the plan as it is",
	"amend": "Amend the plan",
	"cease": "Stop maintaining the plan",
}

func annualReviewOf(pupilID string, it store.ItemRow, now time.Time) annualReviewView {
	var a workflows.AnnualReviewState
	_ = json.Unmarshal(it.State, &a)
	av := annualReviewView{Number: a.Number, Due: dayWords(a.Due()), Decision: decisionWords[a.Decision],
		Href: "/pupils/" + pupilID + "/annual-reviews/" + strconv.Itoa(a.Number), Status: "Open"}
	if a.MeetingAt != nil {
		av.Meeting = dayWords(*a.MeetingAt)
	}
	if a.HeldAt != nil {
		av.Held = dayWords(*a.HeldAt)
	}
	if a.Done {
		av.Status = "Finished"
	}
	av.Steps = stepsOf(a.Timeliness(a.Clock.Now(now)))
	return av
}

// recordsPage shows the emails sent about a pupil with whether each arrived, and who read or
// changed their record: for the SENDCo and the head.
type recordsData struct {
	ID, Name string
	Messages []store.Message
	Audit    []store.AuditRow
	Older    string
}

func (h *Handler) recordsPage(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	p, role, ok := h.pupilFor(w, v, "audit", "read")
	if !ok {
		return
	}
	d := recordsData{ID: p.ID, Name: name(p)}
	var err error
	if h.may(v, p, "message", "read") {
		if d.Messages, err = h.d.Store.PupilMessages(ctx, p.ID, "", 200); err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		h.d.Actions.Audit(ctx, v.actor, role, "message:read", p.ID, p.SchoolID, "ok")
	}
	before, _ := strconv.ParseInt(v.r.URL.Query().Get("before"), 10, 64)
	rows, ids, err := h.d.Store.AuditTrail(ctx, p.ID, before, 101)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if len(rows) > 100 {
		rows, d.Older = rows[:100], "/pupils/"+p.ID+"/records?before="+strconv.FormatInt(ids[99], 10)+"#audit"
	}
	d.Audit = rows
	h.d.Actions.Audit(ctx, v.actor, role, "audit:read", p.ID, p.SchoolID, "ok")
	h.render(
		w,
		v.r,
		http.StatusOK,
		"records",
		h.frame(v, "", &page{Title: "Emails and audit trail", Caption: d.Name, Back: "/pupils/" + p.ID, Data: d}),
	)
}

// auditWords says what an audit line's action was.
func auditWords(action string) string {
	obj, verb, _ := strings.Cut(action, ":")
	return strings.ReplaceAll(obj, "_", " ") + " (" + verb + ")"
}

// movedSchool reports whether a pupil's story was written at more than one school: only then does
// each line say which.
func movedSchool(lines []timelineLine) bool {
	for _, l := range lines {
		if l.School != "" && l.School != lines[0].School {
			return true
		}
	}
	return false
}
