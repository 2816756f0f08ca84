package staffweb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/statutory"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// The home page is where each role starts: the SENDCo's (and head's) caseload, a teacher's
// classes with what is due from them, the council's EHC requests, an agency's referrals.

type homeData struct {
	Caseloads []*caseload
	Classes   []classView
	Council   []councilSummary
	Agency    *agencyList
	// Nothing is set for a system administrator with no school role.
	Nothing bool
}

// schoolsWhere lists the schools where a person may do obj:act, by name.
func schoolsWhere(p *store.Principal, obj, act string, h *Handler) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		if _, ok, err := h.d.Authz.SchoolAccess(p, id, obj, act); err == nil && ok {
			ids = append(ids, id)
		}
	}
	for _, m := range p.Memberships {
		add(m.SchoolID)
	}
	for id := range p.TrustSchools {
		add(id)
	}
	sort.Strings(ids)
	return ids
}

func (h *Handler) home(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	d := homeData{}
	for _, school := range schoolsWhere(v.p, "caseload", "read", h) {
		c, err := h.caseload(ctx, v, school)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		d.Caseloads = append(d.Caseloads, c)
	}
	classes, err := h.d.Store.ClassesOf(ctx, v.p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	for _, c := range classes {
		cv, err := h.classView(ctx, v, c)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		d.Classes = append(d.Classes, cv)
	}
	for _, la := range v.p.LACodes {
		s, err := h.councilSummary(ctx, v, la)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		d.Council = append(d.Council, s)
	}
	if len(v.p.AgencyServices) > 0 {
		if d.Agency, err = h.agencyList(ctx, v); err != nil {
			h.unavailable(w, v.r, err)
			return
		}
	}
	d.Nothing = len(d.Caseloads) == 0 && len(d.Classes) == 0 && len(d.Council) == 0 && d.Agency == nil
	h.render(w, v.r, http.StatusOK, "home", h.frame(v, "/", &page{Title: "Home", Data: d}))
}

// caseRow is one line of the caseload: a pupil, what is needed, by when, and the page to do it.
type caseRow struct {
	PupilID, Pupil string
	What           string
	Due            string // a date in words, or ""
	Status         string // words such as "Late by 3 days" or "12 days left"
	Colour         string // the status tag's colour
	Href, Link     string // where to act, and the words of the link
}

// caseload is what a SENDCo has to act on in one school.
type caseload struct {
	School string
	// Sections in the order a SENDCo works through them.
	Sections []caseSection
	Empty    bool
}

type caseSection struct {
	ID, Title, Empty string
	Rows             []caseRow
}

// caseload reads one school's caseload from the read model; each pupil it shows is a read of
// their record, audited once.
func (h *Handler) caseload(ctx context.Context, v *visit, schoolID string) (*caseload, error) {
	role, _, err := h.d.Authz.SchoolAccess(v.p, schoolID, "caseload", "read")
	if err != nil {
		return nil, err
	}
	school, err := h.d.Store.SchoolName(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	now := h.now()
	today := workflows.CalendarDate(now)
	c, err := h.d.Store.LoadCaseload(ctx, schoolID, today.UTC(), 14*24*time.Hour)
	if err != nil {
		return nil, err
	}
	out := &caseload{School: school}
	row := func(it store.CaseItem) caseRow {
		r := caseRow{PupilID: it.PupilID, Pupil: it.FirstName + " " + it.LastName, What: it.What}
		if it.Due != nil && it.ItemID != "" {
			r.Due = dayWords(*it.Due)
			r.Status, r.Colour = daysLeft(today, *it.Due)
		}
		return r
	}
	var triage, approvals, reviewsDue, overdue []caseRow
	for _, it := range c.AwaitingTriage {
		r := row(it)
		r.Href, r.Link = "/pupils/"+it.PupilID+"/triage", "Triage the concern"
		// When it was raised is a fact, not a status: said in the words, not as a coloured tag.
		r.What += ", raised " + dayWords(*it.Due)
		r.Due, r.Status = "", ""
		triage = append(triage, r)
	}
	for _, it := range c.Approvals {
		r := row(it)
		r.Href, r.Link = "/referrals/"+strings.TrimPrefix(it.ItemID, "referral/"), "Decide the referral"
		r.Due, r.Status = "", ""
		approvals = append(approvals, r)
	}
	reviewLink := func(pupil, item string) (string, string) {
		if n, ok := strings.CutPrefix(item, "cycle/"); ok {
			return "/pupils/" + pupil + "/cycles/" + n + "/review", "Record the review"
		}
		if n, ok := strings.CutPrefix(item, "annual-review/"); ok {
			return "/pupils/" + pupil + "/annual-reviews/" + n, "Open the annual review"
		}
		return "/pupils/" + pupil, "Open the pupil's page"
	}
	for _, it := range c.ReviewsDue {
		r := row(it)
		r.Href, r.Link = reviewLink(it.PupilID, it.ItemID)
		reviewsDue = append(reviewsDue, r)
	}
	for _, it := range c.ReviewsOverdue {
		r := row(it)
		r.Href, r.Link = reviewLink(it.PupilID, it.ItemID)
		overdue = append(overdue, r)
	}
	// Plans to agree: pupils on SEN support with no plan open.
	var plans, meetings []caseRow
	pws, err := h.d.Store.SchoolPathways(
		ctx,
		schoolID,
		[]string{
			string(workflows.StageSENSupport),
			string(workflows.StageEHCAssessment),
			string(workflows.StageEHCPlan),
		},
	)
	if err != nil {
		return nil, err
	}
	for _, pw := range pws {
		var st workflows.PathwayState
		if json.Unmarshal(pw.State, &st) != nil {
			continue
		}
		pupil := pw.FirstName + " " + pw.LastName
		if st.Stage == workflows.StageSENSupport && !hasOpenCycle(&st) {
			plans = append(
				plans,
				caseRow{
					PupilID: pw.PupilID,
					Pupil:   pupil,
					What:    "SEN support has started: agree a plan with the family",
					Href:    "/pupils/" + pw.PupilID + "/plan",
					Link:    "Agree a plan",
				},
			)
		}
		if n, warn := st.ParentMeetings(st.Clock.Now(now)); warn {
			meetings = append(meetings, caseRow{PupilID: pw.PupilID, Pupil: pupil,
				What: fmt.Sprintf(
					"%s with the parents planned this school year; at least %d are expected",
					locale.Count(n, "meeting", "meetings"),
					st.Timings.Cycle.MinParentMeetingsPerYear,
				),
				Status: "Too few meetings", Colour: "orange",
				Href: "/pupils/" + pw.PupilID + "/meetings/new", Link: "Arrange a meeting"})
		}
	}
	// Consents waiting for parents, and referrals the agency has not acknowledged in time.
	var consents, sla []caseRow
	due, err := h.d.Store.DueOf(ctx, schoolID, []string{workflows.ReferralConsentExpiry}, today.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	for _, d := range due {
		r := caseRow{
			PupilID: d.PupilID,
			Pupil:   d.FirstName + " " + d.LastName,
			What:    "The parents have not answered the request for consent; it expires on this date",
			Due: dayWords(
				d.Due,
			),
			Href: "/referrals/" + strings.TrimPrefix(d.ItemID, "referral/"),
			Link: "See the referral",
		}
		r.Status, r.Colour = daysLeft(today, d.Due)
		consents = append(consents, r)
	}
	escalated, err := h.d.Store.OverdueReferrals(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	for _, e := range escalated {
		sla = append(sla, caseRow{PupilID: e.PupilID, Pupil: e.FirstName + " " + e.LastName,
			What: e.Service + " has not acknowledged the referral sent on " + dayWords(
				e.SubmittedAt,
			) + "; contact the service",
			Status: "Past its time to reply", Colour: "red", Href: "/referrals/" + e.ReferralID, Link: "See the referral"})
	}
	// Statutory steps, soonest due first, with the same timeliness as the pathway and the council.
	var statutory []caseRow
	items, err := h.d.Store.StatutoryItems(ctx, schoolID, "")
	if err != nil {
		return nil, err
	}
	type dated struct {
		row caseRow
		due time.Time
	}
	var steps []dated
	for _, it := range items {
		for _, st := range timelinessOf(it.Kind, it.State, now) {
			if st.DoneAt != nil {
				continue
			}
			r := caseRow{
				PupilID: it.PupilID,
				Pupil:   it.FirstName + " " + it.LastName,
				What:    st.What,
				Due:     dayWords(st.Due),
			}
			r.Status, r.Colour = statusWords(st)
			r.Href, r.Link = statutoryLink(it.PupilID, it.ItemID)
			steps = append(steps, dated{r, st.Due})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].due.Before(steps[j].due) })
	for _, s := range steps {
		statutory = append(statutory, s.row)
	}
	// Provision whose delivery has fallen behind what the plan promised, two weeks running.
	var behind []caseRow
	lines, err := h.d.Actions.DeliveryBehind(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		row := caseRow{PupilID: l.PupilID, Pupil: l.Pupil, What: l.Name + ": " + l.Shortfall.Reason,
			Status: "Delivery behind", Colour: "red", Href: "/pupils/" + l.PupilID + "/cycles/" + strconv.Itoa(l.Cycle) + "/provision", Link: "Log the support given"}
		if l.EHC {
			row.Status, row.Href, row.Link = "EHC plan provision behind", "/pupils/"+l.PupilID+"#costed", "See the EHC plan's provision"
		}
		behind = append(behind, row)
	}
	out.Sections = []caseSection{
		{ID: "triage", Title: "Concerns waiting for triage", Empty: "No concerns are waiting.", Rows: triage},
		{ID: "plans", Title: "Plans to agree", Empty: "Every pupil on SEN support has a plan.", Rows: plans},
		{ID: "overdue", Title: "Reviews overdue", Empty: "No reviews are overdue.", Rows: overdue},
		{
			ID:    "due",
			Title: "Reviews due in the next 2 weeks",
			Empty: "No reviews are due in the next 2 weeks.",
			Rows:  reviewsDue,
		},
		{
			ID:    "decisions",
			Title: "Referrals waiting for your decision",
			Empty: "No referrals are waiting for a decision.",
			Rows:  approvals,
		},
		{ID: "consents", Title: "Consents waiting for parents", Empty: "No consents are waiting.", Rows: consents},
		{
			ID:    "agencies",
			Title: "Referrals past the agency's time to reply",
			Empty: "No referrals are past their time.",
			Rows:  sla,
		},
		{
			ID:    "statutory",
			Title: "EHC needs assessments and annual reviews: statutory dates",
			Empty: "No statutory steps are open.",
			Rows:  statutory,
		},
		{
			ID:    "delivery",
			Title: "Support delivered below what the plan promised",
			Empty: "Every costed plan's support is being delivered as promised.",
			Rows:  behind,
		},
		{
			ID:    "meetings",
			Title: "Pupils with fewer than 3 parent meetings planned this school year",
			Empty: "Every pupil on support has enough meetings planned.",
			Rows:  meetings,
		},
	}
	out.Empty = true
	seen := map[string]bool{}
	for _, s := range out.Sections {
		for _, r := range s.Rows {
			out.Empty = false
			if !seen[r.PupilID] {
				seen[r.PupilID] = true
				h.d.Actions.Audit(ctx, v.actor, role, "caseload:read", r.PupilID, schoolID, "ok")
			}
		}
	}
	return out, nil
}

// hasOpenCycle says whether a plan is open (agreed, not yet reviewed).
func hasOpenCycle(st *workflows.PathwayState) bool {
	return slices.ContainsFunc(st.Cycles, func(c workflows.CycleRef) bool { return !c.Reviewed })
}

// daysLeft words the days to a due date: "12 days left", "Due today", "Late by 3 days".
func daysLeft(today, due time.Time) (string, string) {
	n := workflows.CalendarDays(today, due)
	switch {
	case n < 0:
		return "Late by " + locale.Count(-n, "day", "days"), "red"
	case n == 0:
		return "Due today", "orange"
	case n <= 14:
		return locale.Count(n, "day", "days") + " left", "yellow"
	}
	return locale.Count(n, "day", "days") + " left", "grey"
}

// timelinessOf reads the statutory steps of a projected assessment or annual review.
func timelinessOf(kind string, state json.RawMessage, now time.Time) []workflows.StepTimeliness {
	steps, _ := statutory.Steps(kind, state, now)
	return steps
}

// statusWords is a statutory step's status as a tag.
func statusWords(st workflows.StepTimeliness) (string, string) {
	switch st.Status {
	case workflows.TimelyLate:
		return "Late", "red"
	case workflows.TimelyAtRisk:
		return "At risk", "orange"
	case workflows.TimelyPaused:
		return "Paused", "grey"
	case workflows.TimelyOnTrack:
		return "On track", "green"
	case workflows.TimelyDone:
		return "Done in time", "green"
	case workflows.TimelyDoneCountingExceptions:
		return "Done in time, counting the pauses", "yellow"
	case workflows.TimelyDoneLate:
		return "Done late", "red"
	}
	return st.Status, "grey"
}

func statutoryLink(pupil, item string) (string, string) {
	if id, ok := strings.CutPrefix(item, "ehc/"); ok {
		return "/pupils/" + pupil + "/ehc/" + id, "Open the assessment"
	}
	if n, ok := strings.CutPrefix(item, "annual-review/"); ok {
		return "/pupils/" + pupil + "/annual-reviews/" + n, "Open the annual review"
	}
	return "/pupils/" + pupil, "Open the pupil's page"
}

// classView is a teacher's class: each pupil's stage and what is due from the teacher.
type classView struct {
	Name   string
	Pupils []classPupil
}

type classPupil struct {
	ID, Name, Stage string
	Due             []caseRow
}

// What a class teacher does, from the deadlines of their pupils.
var teacherDeadlines = map[string]string{
	"trial_window": "Record how the classroom strategies worked",
	"cycle_review": "Review the support plan with the SENDCo and the family",
}

func (h *Handler) classView(ctx context.Context, v *visit, c store.Class) (classView, error) {
	out := classView{Name: c.Name}
	pupils, err := h.d.Store.ListPupils(ctx, c.SchoolID, v.p.ID, "", 500)
	if err != nil {
		return out, err
	}
	var ids []string
	for _, p := range pupils {
		if p.ClassName == nil || *p.ClassName != c.Name {
			continue
		}
		ids = append(ids, p.ID)
		out.Pupils = append(
			out.Pupils,
			classPupil{ID: p.ID, Name: p.FirstName + " " + p.LastName, Stage: workflows.Stage(p.Stage).Describe()},
		)
	}
	if len(ids) == 0 {
		return out, nil
	}
	due, err := h.d.Store.PupilDeadlines(ctx, ids)
	if err != nil {
		return out, err
	}
	today := workflows.CalendarDate(h.now())
	for _, d := range due {
		what, ok := teacherDeadlines[d.Kind]
		if !ok {
			continue
		}
		i := slices.IndexFunc(out.Pupils, func(p classPupil) bool { return p.ID == d.PupilID })
		r := caseRow{What: what, Due: dayWords(d.Due), Href: "/pupils/" + d.PupilID}
		r.Status, r.Colour = daysLeft(today, d.Due)
		out.Pupils[i].Due = append(out.Pupils[i].Due, r)
	}
	role := "teacher"
	if rs := v.p.RolesIn(c.SchoolID); len(rs) > 0 {
		role = rs[0]
	}
	for _, id := range ids {
		h.d.Actions.Audit(ctx, v.actor, role, "pupils:list", id, c.SchoolID, "ok")
	}
	return out, nil
}

// pupilList is the pupils a person may list: a school's for the SENDCo and head, a teacher's
// classes.
type pupilListData struct {
	Schools []schoolPupils
}

type schoolPupils struct {
	School string
	Pupils []store.PupilSummary
}

func (h *Handler) pupilList(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	var d pupilListData
	for _, school := range schoolsWhere(v.p, "pupils", "list", h) {
		role, _, err := h.d.Authz.SchoolAccess(v.p, school, "pupils", "list")
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		teacher := ""
		if role == "teacher" || role == "teaching_assistant" {
			teacher = v.p.ID
		}
		name, err := h.d.Store.SchoolName(ctx, school)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		pupils, err := h.d.Store.ListPupils(ctx, school, teacher, "", 1000)
		if err != nil {
			h.unavailable(w, v.r, err)
			return
		}
		for _, p := range pupils {
			h.d.Actions.Audit(ctx, v.actor, role, "pupils:list", p.ID, school, "ok")
		}
		d.Schools = append(d.Schools, schoolPupils{School: name, Pupils: pupils})
	}
	h.render(w, v.r, http.StatusOK, "pupils", h.frame(v, "/pupils", &page{Title: "Pupils", Data: d}))
}

func stageWords(stage string) string { return workflows.Stage(stage).Describe() }
