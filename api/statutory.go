package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/statutory"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// StatutoryView is one statutory step of an EHC needs assessment or an annual review: when it
// is due (counting the prescribed exceptions, and without them), whether it is on track, at
// risk, late or done in time, in words.
type StatutoryView struct {
	Item                    string `json:"item" doc:"ehc/<request id> or annual-review/<n>"`
	Step                    string `json:"step" doc:"The milestone or step, e.g. final_plan, la_decision_due"`
	What                    string `json:"what" example:"The final EHC plan"`
	Due                     string `json:"due" format:"date" doc:"Due by, counting the days the EHC time limits were paused"`
	DueWithoutExceptions    string `json:"dueWithoutExceptions" format:"date" doc:"Due by the limit itself"`
	DoneOn                  string `json:"doneOn,omitempty" format:"date"`
	Status                  string `json:"status" enum:"on_track,at_risk,late,paused,done_on_time,done_on_time_counting_pauses,done_late"`
	OnTimeWithExceptions    *bool  `json:"onTimeWithExceptions,omitempty" doc:"Once done: in time counting the pauses"`
	OnTimeWithoutExceptions *bool  `json:"onTimeWithoutExceptions,omitempty" doc:"Once done: in time by the limit itself"`
	Council                 bool   `json:"council" doc:"The council owns this step; its EHC officer and team are warned and told"`
	Words                   string `json:"words" example:"Due by 23 May 2027: 20 April 2027 (20 weeks from 1 December 2026), moved 33 days by pauses. On track: 40 days to go."`
}

// statutoryOf reads the timeliness of one projected assessment or annual review, on its own
// calendar (compressed in demos); ok is false for other items.
func statutoryOf(itemID, kind string, state json.RawMessage, now time.Time) ([]StatutoryView, bool) {
	steps, ok := statutory.Steps(kind, state, now)
	if !ok {
		return nil, false
	}
	out := make([]StatutoryView, 0, len(steps))
	for _, st := range steps {
		out = append(out, stepView(itemID, st))
	}
	return out, true
}

func stepView(itemID string, st workflows.StepTimeliness) StatutoryView {
	v := StatutoryView{
		Item:                    itemID,
		Step:                    st.Step,
		What:                    st.What,
		Due:                     dateOnly(st.Due),
		DueWithoutExceptions:    dateOnly(st.DueWithoutExceptions),
		Status:                  st.Status,
		OnTimeWithExceptions:    st.OnTimeWithExceptions,
		OnTimeWithoutExceptions: st.OnTimeWithoutExceptions,
		Council:                 st.Council,
		Words:                   st.Words,
	}
	if st.DoneAt != nil {
		v.DoneOn = dateOnly(*st.DoneAt)
	}
	return v
}

// dateOnly writes the London calendar date of t, as statutory dates are read.
func dateOnly(t time.Time) string { return workflows.CalendarDate(t).Format(time.DateOnly) }

// EHCOfficerInput names the council's EHC officer for a pupil.
type EHCOfficerInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Body    struct {
		OfficerID string `json:"officerId" format:"uuid" doc:"The LA officer (a user of the pupil's local authority)"`
	}
}

// EHCOfficerOutput is the EHC officer now named for the pupil.
type EHCOfficerOutput struct {
	Body struct {
		PupilID   string `json:"pupilId" format:"uuid"`
		OfficerID string `json:"officerId" format:"uuid"`
		Officer   string `json:"officer" doc:"The officer's name"`
	}
}

// CouncilPath names a local authority by its code.
type CouncilPath struct {
	LACode string `path:"laCode" pattern:"^[0-9]{3}$" doc:"The local authority's three-digit code"`
}

// CouncilStep is one statutory step in the council's view, with the pupil and the school.
type CouncilStep struct {
	PupilID string `json:"pupilId" format:"uuid"`
	Pupil   string `json:"pupil"`
	School  string `json:"school"`
	StatutoryView
}

// CouncilStatutoryOutput is a council's view of the EHC needs assessments and annual reviews in
// its area: what is late, at risk and open.
type CouncilStatutoryOutput struct {
	Body struct {
		Authority string `json:"authority"`
		Name      string `json:"name"`
		Summary   struct {
			AssessmentsOpen          int `json:"assessmentsOpen"`
			ReviewsOpen              int `json:"reviewsOpen"`
			PlansIssued              int `json:"plansIssued" doc:"Final EHC plans issued"`
			OnTimeWithoutExceptions  int `json:"onTimeWithoutExceptions" doc:"Plans issued within 20 weeks of the request"`
			OnTimeCountingExceptions int `json:"onTimeCountingExceptions" doc:"Plans issued within 20 weeks counting the days paused for the prescribed exceptions (these include the ones above)"`
		} `json:"summary" doc:"Timeliness of the final plans, as the DfE reports it: with and without the exceptions"`
		Late   []CouncilStep `json:"late" doc:"Steps past their due day, soonest due first"`
		AtRisk []CouncilStep `json:"atRisk" doc:"Steps due within 2 weeks"`
		Open   []CouncilStep `json:"open" doc:"Every other open step"`
	}
}

func (s *Server) registerStatutory(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("ehc_officer", "create", byAction),
		OperationID: "assign-ehc-officer", Method: http.MethodPut, Path: "/pupils/{pupilId}/ehc-officer",
		Summary:     "Name the council's EHC officer for a pupil",
		Description: "The officer, with the council's EHC team address from its directory, is warned before each statutory step the council owns is due and told when one is late.",
		Tags:        []string{"EHC needs assessment"},
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *EHCOfficerInput) (*EHCOfficerOutput, error) {
		r, err := s.Actions.AssignEHCOfficer(ctx, actor(ctx), in.PupilID, in.Body.OfficerID)
		if err != nil {
			return nil, s.problem(err)
		}
		id, name, err := s.Store.EHCOfficerOf(ctx, r.Pupil.ID)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &EHCOfficerOutput{}
		out.Body.PupilID, out.Body.OfficerID, out.Body.Officer = r.Pupil.ID, id, name
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("council_statutory", "read", ownRule),
		OperationID: "get-council-statutory", Method: http.MethodGet, Path: "/local-authorities/{laCode}/statutory",
		Summary:     "The council's view: every EHC needs assessment and annual review in its area, what is late and what is at risk",
		Description: "For the council's own LA officers. Timeliness is given in words and dates, with and without the prescribed exceptions.",
		Tags:        []string{"EHC needs assessment"},
		Errors:      []int{http.StatusNotFound},
	}, s.councilStatutory)
}

func (s *Server) councilStatutory(ctx context.Context, in *CouncilPath) (*CouncilStatutoryOutput, error) {
	notFound := huma.Error404NotFound("No local authority with this code is available to you.")
	p := currentUser(ctx)
	if !slices.Contains(p.LACodes, in.LACode) {
		s.note(ctx, "", "", "", "denied")
		return nil, notFound
	}
	name, err := s.Store.LAByCode(ctx, in.LACode)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	items, err := s.Store.StatutoryItems(ctx, "", in.LACode)
	if err != nil {
		return nil, s.unavailable(err)
	}
	out := &CouncilStatutoryOutput{}
	b := &out.Body
	b.Authority, b.Name = in.LACode, name
	c := statutory.CouncilView(items, time.Now())
	for _, it := range c.Pupils {
		// Every pupil the council's view shows is a read of their record.
		s.note(ctx, "la_officer", it.PupilID, it.SchoolID, "ok")
	}
	b.Summary.AssessmentsOpen, b.Summary.ReviewsOpen, b.Summary.PlansIssued = c.AssessmentsOpen, c.ReviewsOpen, c.PlansIssued
	b.Summary.OnTimeWithoutExceptions, b.Summary.OnTimeCountingExceptions = c.OnTimeWithoutExceptions, c.OnTimeCountingExceptions
	conv := func(steps []statutory.Step) []CouncilStep {
		out := []CouncilStep{}
		for _, st := range steps {
			out = append(
				out,
				CouncilStep{
					PupilID:       st.Item.PupilID,
					Pupil:         st.Item.FirstName + " " + st.Item.LastName,
					School:        st.Item.School,
					StatutoryView: stepView(st.Item.ItemID, st.StepTimeliness),
				},
			)
		}
		return out
	}
	b.Late, b.AtRisk, b.Open = conv(c.Late), conv(c.AtRisk), conv(c.Open)
	return out, nil
}
