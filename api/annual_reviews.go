package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
)

// AnnualReviewEventInput is one step of an EHC plan's annual review: the meeting booked or held,
// the report sent, the council's decision, the amended plan issued, or a corrected phase transfer.
type AnnualReviewEventInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Review  int    `path:"review" minimum:"1" doc:"The annual review's number"`
	IdempotencyHeader
	Body struct {
		Type      string `json:"type" enum:"meeting_scheduled,meeting_held,report_sent,la_decision,amended_plan_issued,transfer_corrected"`
		MeetingOn Date   `json:"meetingOn,omitzero" format:"date" doc:"With meeting_scheduled"`
		Transfer  string `json:"transfer,omitempty" enum:"none,early_years_to_school,infant_to_junior,primary_to_middle,primary_to_secondary,middle_to_secondary,secondary_to_post16" doc:"The move the pupil makes next September. sendflow works it out from the date of birth and the school's age range; with meeting_scheduled it must match, with transfer_corrected it replaces it (none: no move)"`
		Reason    string `json:"reason,omitempty" maxLength:"2000" doc:"With transfer_corrected: why the worked-out move is wrong (e.g. taught out of year group, leaving the sixth form for college)"`
		Decision  string `json:"decision,omitempty" enum:"keep,amend,cease" doc:"With la_decision"`
	}
}

func (s *Server) registerAnnualReviews(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("annual_review_event", "create", byAction),
		OperationID: "annual-review-event", Method: http.MethodPost, Path: "/pupils/{pupilId}/annual-reviews/{review}/events",
		Summary: "Record a step of an EHC plan's annual review", Tags: []string{"Annual reviews"},
		DefaultStatus: http.StatusCreated,
		Errors:        actionErrors,
	}, func(ctx context.Context, in *AnnualReviewEventInput) (*PathwayOutput, error) {
		return idempotent(
			ctx,
			s,
			"annual-review-event",
			in.IdempotencyKey,
			in,
			func(id string) (*PathwayOutput, error) {
				return s.answer(
					ctx,
				)(
					s.Actions.RecordAnnualReviewStep(
						ctx,
						actor(ctx),
						actions.AnnualReviewStep{ID: id, PupilID: in.PupilID,
							Review: in.Review, Type: in.Body.Type, MeetingOn: in.Body.MeetingOn.Time(), Transfer: in.Body.Transfer, Reason: in.Body.Reason, Decision: in.Body.Decision},
					),
				)
			},
		)
	})
}
