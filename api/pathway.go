package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// TimelineEntry is one line of a pupil's story on the pathway, in plain words.
type TimelineEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind" example:"concern_raised"`
	Summary string    `json:"summary" example:"A teacher raised a concern. The SENDCo has been asked to look at it."`
	By      string    `json:"by,omitempty" doc:"Who did it, where the line says a parent did something (a parent's views, an answer to an invitation)"`
	ByID    string    `json:"byId,omitempty" format:"uuid"`
	School  string    `json:"school,omitempty" doc:"The school the pupil was at when it happened: the history moves with the pupil to a new school"`
}

// ParentViewsView is what a parent wrote before a review, from the link in their email.
type ParentViewsView struct {
	Cycle     int       `json:"cycle" doc:"The support cycle whose review the views are for"`
	ParentID  string    `json:"parentId" format:"uuid"`
	Parent    string    `json:"parent" doc:"Who wrote them"`
	GivenAt   time.Time `json:"givenAt"`
	GoingWell string    `json:"goingWell" doc:"What is going well"`
	Hard      string    `json:"hard" doc:"What is hard"`
	WouldHelp string    `json:"wouldHelp" doc:"What would help"`
}

func parentViewsViews(vs []store.ParentViews) []ParentViewsView {
	out := make([]ParentViewsView, len(vs))
	for i, v := range vs {
		out[i] = ParentViewsView{Cycle: v.Cycle, ParentID: v.ParentID, Parent: v.ParentName, GivenAt: v.CreatedAt,
			GoingWell: v.GoingWell, Hard: v.Hard, WouldHelp: v.WouldHelp}
	}
	return out
}

// DeadlineView is an open deadline on a pupil's pathway.
type DeadlineView struct {
	Due  string `json:"due" format:"date" doc:"The date, on the pathway's calendar"`
	What string `json:"what" doc:"What must happen, in plain words"`
	Kind string `json:"kind"`
	Item string `json:"item,omitempty" doc:"The part of the pathway it belongs to, e.g. cycle/2"`
	Late bool   `json:"late"`
}

// What each role sees of a pathway is designed, not the workflows' state serialised: the
// audience a role belongs to picks the items, the details of each, the timeline and the
// deadlines (README, "What each role sees"). Free text a role is not meant to read (the SENDCo's
// reason for approving an unmet readiness check) is in no other audience's shape.

// ItemView is one part of the pathway: one of Cycle, Referral, EHC or AnnualReview is set, as its
// kind says.
type ItemView struct {
	ID           string            `json:"id" doc:"e.g. cycle/2, referral/<id>, ehc/<id>, annual-review/1"`
	Kind         string            `json:"kind" enum:"cycle,referral,ehc,annual_review"`
	Status       string            `json:"status"`
	Cycle        *CycleView        `json:"cycle,omitempty"`
	Referral     *ReferralView     `json:"referral,omitempty"`
	EHC          *EHCView          `json:"ehc,omitempty"`
	AnnualReview *AnnualReviewView `json:"annualReview,omitempty"`
}

// CycleView is a support cycle: its plan's review date and what has happened under it.
type CycleView struct {
	Number          int    `json:"number"`
	ReviewDate      string `json:"reviewDate" format:"date"`
	ReviewedOn      string `json:"reviewedOn,omitempty" format:"date"`
	NextStep        string `json:"nextStep,omitempty" doc:"What the review decided"`
	ProvisionLogged int    `json:"provisionLogged" doc:"Entries of support given under the plan"`
	ParentViews     int    `json:"parentViews" doc:"Parents who gave their views before the review"`
}

// ReferralView is a referral to an agency service.
type ReferralView struct {
	ReferralID     string   `json:"referralId" format:"uuid"`
	Service        string   `json:"service"`
	ConsentGiven   bool     `json:"consentGiven"`
	SubmittedOn    string   `json:"submittedOn,omitempty" format:"date"`
	AdviceReceived bool     `json:"adviceReceived"`
	ReadinessMet   *bool    `json:"readinessMet,omitempty" doc:"Staff: whether the service's readiness check was met when the SENDCo decided"`
	Missing        []string `json:"missing,omitempty" doc:"Staff: what the readiness check found missing"`
	OverrideReason string   `json:"overrideReason,omitempty" doc:"The SENDCo, the head and trust admins: why an unmet check was approved"`
}

// EHCView is an EHC needs assessment.
type EHCView struct {
	RequestID     string `json:"requestId" format:"uuid"`
	RequestedBy   string `json:"requestedBy" enum:"school,parent,young_person"`
	RequestedOn   string `json:"requestedOn" format:"date"`
	Paused        bool   `json:"paused" doc:"The time limits are paused by a prescribed exception"`
	DraftIssuedOn string `json:"draftIssuedOn,omitempty" format:"date"`
	Outcome       string `json:"outcome,omitempty" enum:"refused_to_assess,not_issuing,plan_issued"`
	AppealBy      string `json:"appealBy,omitempty" format:"date"`
}

// AnnualReviewView is an annual review of an EHC plan.
type AnnualReviewView struct {
	Number              int    `json:"number"`
	Due                 string `json:"due" format:"date" doc:"The meeting must be held by"`
	MeetingOn           string `json:"meetingOn,omitempty" format:"date"`
	HeldOn              string `json:"heldOn,omitempty" format:"date"`
	ReportSentOn        string `json:"reportSentOn,omitempty" format:"date"`
	Decision            string `json:"decision,omitempty" enum:"keep,amend,cease"`
	DecidedOn           string `json:"decidedOn,omitempty" format:"date"`
	AmendedPlanIssuedOn string `json:"amendedPlanIssuedOn,omitempty" format:"date"`
}

// PathwayView is a pupil's pathway as the reader's role may see it: the stage, what is open and
// due, and the story so far.
type PathwayView struct {
	PupilID          string            `json:"pupilId" format:"uuid"`
	Stage            string            `json:"stage" enum:"none,monitoring,awaiting_triage,sen_support,ehc_assessment,ehc_plan,closed"`
	StageDescription string            `json:"stageDescription"`
	Today            string            `json:"today" format:"date" doc:"Today on the pathway's calendar (differs from the real date only when time is compressed for a demo)"`
	Concerns         *int              `json:"concerns,omitempty" doc:"How many concerns have been raised (not shown to agencies and councils)"`
	Version          int64             `json:"version" doc:"Grows with every change"`
	UpdatedAt        *time.Time        `json:"updatedAt,omitempty"`
	Items            []ItemView        `json:"items" doc:"The parts of the pathway the reader may see: support cycles, referrals, assessments and annual reviews"`
	Deadlines        []DeadlineView    `json:"deadlines" doc:"Open deadlines of those parts, soonest first"`
	Warnings         []string          `json:"warnings" doc:"Staff: things to put right, in plain words"`
	Statutory        []StatutoryView   `json:"statutory" doc:"Every statutory step of the EHC needs assessment and the annual reviews the reader may see: due dates with and without the exceptions, and whether each is on track, at risk, late or done in time"`
	Timeline         []TimelineEntry   `json:"timeline" doc:"The story of those parts, in plain words"`
	ParentViews      []ParentViewsView `json:"parentViews" doc:"School staff and parents: what the parents wrote before each review from the link in their email, newest first"`
}

// audience is who a view is shaped for.
type audience int

const (
	leaders audience = iota // the SENDCo, the head, trust admins: everything the view has
	class                   // teachers and teaching assistants: no SENDCo's reasons
	family                  // parents: what happened and what is next, no staff checklists
	agency                  // practitioners: their own service's referrals only
	council                 // LA officers: the EHC assessment and the plan's annual reviews
)

// viewer is who reads a pathway: the role they read it in, and their services (for agencies).
type viewer struct {
	audience audience
	role     string
	services []string
}

// viewerAs is the signed-in person reading in role.
func viewerAs(ctx context.Context, role string) viewer {
	v := viewer{audience: leaders, role: role}
	switch role {
	case "teacher", "teaching_assistant":
		v.audience = class
	case "parent":
		v.audience = family
	case policies.RoleAgency:
		v.audience = agency
	case policies.RoleLAOfficer:
		v.audience = council
	case "sendco", "head", policies.RoleTrustAdmin:
	default: // a role that reads pathways but is not listed here sees the least
		v.audience = agency
	}
	if p := currentUser(ctx); p != nil {
		v.services = p.AgencyServices
	}
	return v
}

// shows says whether the viewer sees an item at all.
func (v viewer) shows(kind string, st json.RawMessage) bool {
	return policies.ShowsItem(v.role, v.services, kind, st)
}

// item shapes one part of the pathway for the viewer.
func (v viewer) item(it store.ItemRow) ItemView {
	out := ItemView{ID: it.ItemID, Kind: it.Kind, Status: it.Status}
	switch it.Kind {
	case "cycle":
		var c workflows.CycleState
		if json.Unmarshal(it.State, &c) == nil {
			out.Cycle = &CycleView{Number: c.Number, ReviewDate: day(&c.Plan.ReviewDate), ReviewedOn: day(c.ReviewedAt),
				ProvisionLogged: len(c.ProvisionLogged), ParentViews: len(c.ViewsFrom)}
			if c.Review != nil {
				out.Cycle.NextStep = string(c.Review.NextStep)
			}
		}
	case "referral":
		var r workflows.ReferralState
		if json.Unmarshal(it.State, &r) == nil {
			out.Referral = &ReferralView{ReferralID: r.ReferralID, Service: r.Service, ConsentGiven: r.ConsentGiven,
				SubmittedOn: day(r.SubmittedAt), AdviceReceived: r.AdviceID != ""}
			if v.audience == leaders || v.audience == class {
				met := r.Readiness.Met
				out.Referral.ReadinessMet, out.Referral.Missing = &met, r.Readiness.Missing
			}
			if v.audience == leaders {
				out.Referral.OverrideReason = r.OverrideReason
			}
		}
	case "ehc":
		var e workflows.EHCState
		if json.Unmarshal(it.State, &e) == nil {
			out.EHC = &EHCView{
				RequestID:     e.RequestID,
				RequestedBy:   e.RequestedBy,
				RequestedOn:   day(&e.Timeline.RequestedAt),
				Paused:        e.Timeline.Paused(),
				DraftIssuedOn: day(e.Timeline.DraftIssuedAt),
				Outcome:       string(e.Outcome),
				AppealBy:      day(e.AppealBy),
			}
		}
	case "annual_review":
		var a workflows.AnnualReviewState
		if json.Unmarshal(it.State, &a) == nil {
			due := a.Due()
			out.AnnualReview = &AnnualReviewView{
				Number:    a.Number,
				Due:       day(&due),
				MeetingOn: day(a.MeetingAt),
				HeldOn:    day(a.HeldAt),
				ReportSentOn: day(
					a.ReportSentAt,
				),
				Decision:            a.Decision,
				DecidedOn:           day(a.DecidedAt),
				AmendedPlanIssuedOn: day(a.AmendedIssuedAt),
			}
		}
	}
	return out
}

// day is a date as the view writes it (the calendar date in London, as every date sendflow
// shows); "" for none.
func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return dateOnly(*t)
}

// GetPathwayInput names the pupil whose pathway is read.
type GetPathwayInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
}

// GetPathwayOutput is a pupil's pathway.
type GetPathwayOutput struct{ Body PathwayView }

func (s *Server) registerPathway(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("pathway", "read", readsPupil),
		OperationID: "get-pathway", Method: http.MethodGet, Path: "/pupils/{pupilId}/pathway",
		Summary: "Where a pupil is on the graduated approach, what is open and due, and the story so far in plain words",
		Tags:    []string{"Pathway"},
		Errors:  []int{http.StatusNotFound},
	}, func(ctx context.Context, in *GetPathwayInput) (*GetPathwayOutput, error) {
		v, err := read(ctx, s, in.PupilID, func(p *store.Pupil, role string) (*PathwayView, error) {
			return s.pathwayView(ctx, p.ID, role)
		})
		if err != nil {
			return nil, err
		}
		return &GetPathwayOutput{Body: *v}, nil
	})
}

// pathwayView reads the read model and shapes it for the signed-in person reading in role; a
// pupil with no pathway yet is shown at stage "none".
func (s *Server) pathwayView(ctx context.Context, pupilID, role string) (*PathwayView, error) {
	who := viewerAs(ctx, role)
	rv, err := s.Store.Pathway(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		v := &PathwayView{
			PupilID:          pupilID,
			Stage:            string(workflows.StageNone),
			StageDescription: workflows.StageNone.Describe(),
			Today: dateOnly(
				time.Now(),
			),
			Items:       []ItemView{},
			Deadlines:   []DeadlineView{},
			Warnings:    []string{},
			Statutory:   []StatutoryView{},
			Timeline:    []TimelineEntry{},
			ParentViews: []ParentViewsView{},
		}
		if who.audience != agency && who.audience != council {
			v.Concerns = new(int)
		}
		return v, nil
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	var st workflows.PathwayState
	if err := json.Unmarshal(rv.Pathway.State, &st); err != nil {
		return nil, s.unavailable(err)
	}
	today := st.Clock.Now(time.Now())
	v := &PathwayView{
		PupilID: pupilID, Stage: rv.Pathway.Stage, StageDescription: workflows.Stage(rv.Pathway.Stage).Describe(),
		Today: dateOnly(today), Version: rv.Pathway.Version,
		UpdatedAt: &rv.Pathway.UpdatedAt, Items: []ItemView{}, Deadlines: []DeadlineView{}, Warnings: []string{}, Statutory: []StatutoryView{}, Timeline: []TimelineEntry{},
	}
	// Agencies and councils see their parts only: the pathway's own story and dates (source "")
	// and the other parts are the school's and the family's.
	shown := map[string]bool{"": who.audience != agency && who.audience != council}
	for _, it := range rv.Items {
		if who.shows(it.Kind, it.State) {
			shown[it.ItemID] = true
			v.Items = append(v.Items, who.item(it))
			if steps, ok := statutoryOf(it.ItemID, it.Kind, it.State, time.Now()); ok {
				v.Statutory = append(v.Statutory, steps...)
			}
		}
	}
	if shown[""] {
		n := len(st.Concerns)
		v.Concerns = &n
	}
	for _, d := range rv.Deadlines {
		if shown[d.ItemID] {
			// Deadlines are calendar dates: late once their day is over in London.
			v.Deadlines = append(v.Deadlines, DeadlineView{Due: dateOnly(d.Due), What: d.Label, Kind: d.Kind,
				Item: d.ItemID, Late: workflows.CalendarDays(today, d.Due) < 0})
		}
	}
	if n, warn := st.ParentMeetings(today); warn && (who.audience == leaders || who.audience == class) {
		v.Warnings = append(
			v.Warnings,
			"Only "+strconv.Itoa(
				n,
			)+" meetings with the parents are planned this school year; the Code of Practice expects at least "+
				strconv.Itoa(
					st.Timings.Cycle.MinParentMeetingsPerYear,
				)+".",
		)
	}
	for _, e := range rv.Timeline {
		if shown[e.Source] {
			v.Timeline = append(
				v.Timeline,
				TimelineEntry{
					At:      e.At,
					Kind:    e.Kind,
					Summary: e.Summary,
					By:      e.ActorName,
					ByID:    e.ActorID,
					School:  e.SchoolName,
				},
			)
		}
	}
	v.ParentViews = []ParentViewsView{}
	if who.audience == leaders || who.audience == class ||
		who.audience == family { // the family's words are for the school and the family
		views, err := s.Store.ParentViewsOf(ctx, pupilID, 0)
		if err != nil {
			return nil, s.unavailable(err)
		}
		v.ParentViews = parentViewsViews(views)
	}
	return v, nil
}
