package api

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// CaseView is one thing on the SENDCo's caseload: which pupil, what needs doing and by when.
type CaseView struct {
	PupilID string `json:"pupilId" format:"uuid"`
	Pupil   string `json:"pupil" doc:"The pupil's name"`
	Item    string `json:"item,omitempty" doc:"The part of the pathway, e.g. referral/<id>"`
	What    string `json:"what"`
	Due     string `json:"due,omitempty" format:"date"`
	// For statutory steps: where it stands, and in words (see the pathway's statutory).
	Status string `json:"status,omitempty" enum:"on_track,at_risk,late,paused"`
	Words  string `json:"words,omitempty"`
	// ParentViews counts the views the parents sent from their phones for a review.
	ParentViews int `json:"parentViews,omitempty" doc:"For a review: how many sets of views the parents have sent for it (read them on the review form)"`
}

// CaseloadOutput is what the SENDCo has to act on in a school, grouped by kind.
type CaseloadOutput struct {
	Body struct {
		AwaitingTriage   []CaseView `json:"awaitingTriage"`
		Approvals        []CaseView `json:"approvals" doc:"Referrals waiting for the SENDCo's decision"`
		ReviewsDue       []CaseView `json:"reviewsDue" doc:"Reviews in the next two weeks"`
		ReviewsOverdue   []CaseView `json:"reviewsOverdue"`
		Statutory        []CaseView `json:"statutory" doc:"Open steps of EHC needs assessments and annual reviews, soonest due first: on track, at risk, late or paused, in words and dates"`
		MeetingsWarnings []CaseView `json:"meetingsWarnings" doc:"Pupils with fewer than three parent meetings planned this school year"`
	}
}

// AuditInput asks for a page of a pupil's audit trail.
type AuditInput struct {
	PupilPath
	Before int64 `query:"before" minimum:"0" doc:"From the previous page's next"`
	Limit  int   `query:"limit" minimum:"0" maximum:"200"`
}

// AuditLine is one entry of a pupil's audit trail: who read or changed the record, when, in which
// role, and what happened.
type AuditLine struct {
	At        time.Time `json:"at"`
	ActorID   *string   `json:"actorId,omitempty"`
	Actor     *string   `json:"actor,omitempty"`
	Role      string    `json:"role"`
	Action    string    `json:"action" example:"pathway:read"`
	Outcome   string    `json:"outcome" enum:"ok,denied,refused,not_found"`
	RequestID string    `json:"requestId"`
}

// AuditOutput is a page of a pupil's audit trail, newest first; Next asks for the page after.
type AuditOutput struct {
	Body struct {
		Entries []AuditLine `json:"entries"`
		Next    int64       `json:"next,omitempty"`
	}
}

func (s *Server) registerCaseload(v1 *huma.Group) {
	errs := []int{http.StatusNotFound}
	register(v1, huma.Operation{
		Metadata:    needs("caseload", "read", inSchool),
		OperationID: "get-caseload", Method: http.MethodGet, Path: "/schools/{schoolId}/caseload",
		Summary: "What the SENDCo has to act on: triage, approvals, reviews due and overdue, statutory deadlines, meetings warnings",
		Tags:    []string{"Schools"}, Errors: errs,
	}, s.caseload)
	register(v1, huma.Operation{
		Metadata:    needs("audit", "read", readsPupil),
		OperationID: "get-audit", Method: http.MethodGet, Path: "/pupils/{pupilId}/audit",
		Summary: "Who read or changed a pupil's records, newest first", Tags: []string{"Pupils"}, Errors: errs,
	}, s.auditTrail)
}

func (s *Server) caseload(ctx context.Context, in *SchoolPath) (*CaseloadOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	c, err := s.Store.LoadCaseload(ctx, sc.ID, now.Truncate(24*time.Hour), 14*24*time.Hour)
	if err != nil {
		return nil, s.unavailable(err)
	}
	parentViews, err := s.Store.ParentViewsCounts(ctx, sc.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	out := &CaseloadOutput{}
	conv := func(items []store.CaseItem) []CaseView {
		views := []CaseView{}
		for _, it := range items {
			v := CaseView{PupilID: it.PupilID, Pupil: it.FirstName + " " + it.LastName, Item: it.ItemID, What: it.What,
				ParentViews: parentViews[it.PupilID+"/"+it.ItemID]}
			if it.Due != nil && it.ItemID != "" {
				v.Due = it.Due.UTC().Format(time.DateOnly)
			}
			views = append(views, v)
		}
		return views
	}
	b := &out.Body
	b.AwaitingTriage, b.Approvals, b.ReviewsDue = conv(c.AwaitingTriage), conv(c.Approvals), conv(c.ReviewsDue)
	b.ReviewsOverdue, b.MeetingsWarnings = conv(c.ReviewsOverdue), []CaseView{}
	b.Statutory = statutoryCases(c.Statutory, now)
	for _, sp := range c.Supported {
		var st workflows.PathwayState
		if json.Unmarshal(sp.State, &st) != nil {
			continue
		}
		if n, warn := st.ParentMeetings(st.Clock.Now(now)); warn {
			b.MeetingsWarnings = append(
				b.MeetingsWarnings,
				CaseView{PupilID: sp.PupilID, Pupil: sp.FirstName + " " + sp.LastName,
					What: "Only " + strconv.Itoa(
						n,
					) + " parent meetings planned this school year; at least " + strconv.Itoa(
						st.Timings.Cycle.MinParentMeetingsPerYear,
					) + " are expected"},
			)
		}
	}
	sort.Slice(
		b.MeetingsWarnings,
		func(i, j int) bool { return b.MeetingsWarnings[i].Pupil < b.MeetingsWarnings[j].Pupil },
	)
	// The caseload shows names and what is due: a read of each pupil it shows, once, written in
	// one statement (a school's caseload may show hundreds).
	seen := map[string]bool{}
	var shown []string
	for _, list := range [][]CaseView{b.AwaitingTriage, b.Approvals, b.ReviewsDue, b.ReviewsOverdue, b.Statutory, b.MeetingsWarnings} {
		for _, c := range list {
			if !seen[c.PupilID] {
				seen[c.PupilID] = true
				shown = append(shown, c.PupilID)
			}
		}
	}
	s.notePupils(ctx, role, sc.ID, shown)
	return out, nil
}

// statutoryCases lists the open statutory steps of a school's pupils, soonest due first, with
// the same timeliness the pathway shows.
func statutoryCases(items []store.StatutoryItem, now time.Time) []CaseView {
	out := []CaseView{}
	for _, it := range items {
		views, _ := statutoryOf(it.ItemID, it.Kind, it.State, now)
		for _, v := range views {
			if v.DoneOn != "" {
				continue
			}
			out = append(out, CaseView{PupilID: it.PupilID, Pupil: it.FirstName + " " + it.LastName, Item: it.ItemID,
				What: v.What, Due: v.Due, Status: v.Status, Words: v.Words})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due < out[j].Due })
	return out
}

func (s *Server) auditTrail(ctx context.Context, in *AuditInput) (*AuditOutput, error) {
	return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*AuditOutput, error) {
		limit := in.Limit
		if limit == 0 {
			limit = 50
		}
		rows, ids, err := s.Store.AuditTrail(ctx, p.ID, in.Before, limit+1)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &AuditOutput{}
		out.Body.Entries = []AuditLine{}
		if len(rows) > limit {
			rows, out.Body.Next = rows[:limit], ids[limit-1]
		}
		for _, r := range rows {
			out.Body.Entries = append(
				out.Body.Entries,
				AuditLine{
					At:        r.At,
					ActorID:   r.ActorID,
					Actor:     r.ActorName,
					Role:      r.Role,
					Action:    r.Action,
					Outcome:   r.Outcome,
					RequestID: r.RequestID,
				},
			)
		}
		return out, nil
	})
}
