package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
)

// Meetings with the family: the SENDCo or a teacher arranges, moves or cancels one (see
// actions/meetings.go); once the pathway has accepted the change, every parent with parental
// responsibility is emailed an invitation with a calendar file and a one-tap link to answer, and
// invited staff get the calendar file too.

// MeetingView is a meeting with the family as it was arranged, moved or cancelled.
type MeetingView struct {
	MeetingID       string    `json:"meetingId" format:"uuid"`
	Kind            string    `json:"kind" enum:"review,expectation,annual_review"`
	StartsAt        time.Time `json:"startsAt"`
	DurationMinutes int       `json:"durationMinutes"`
	Location        string    `json:"location"`
	Cycle           int       `json:"cycle,omitempty" doc:"The support cycle a review meeting reviews"`
	Invitees        []string  `json:"invitees" doc:"Staff invited besides the family"`
	Sequence        int       `json:"sequence" doc:"The calendar invitation's SEQUENCE: 0 when arranged, one more on each change"`
	Status          string    `json:"status" enum:"scheduled,cancelled"`
	Invitations     int       `json:"invitations" doc:"How many emails this change queued (parents and invited staff)"`
}

// MeetingOutput answers a meeting arranged, moved or cancelled.
type MeetingOutput struct {
	Status int
	Body   struct {
		Meeting  MeetingView `json:"meeting"`
		Warnings []string    `json:"warnings" doc:"What to check, in plain words: a meeting on a Saturday, a Sunday or a bank holiday is arranged, with a warning"`
		Pathway  PathwayView `json:"pathway"`
	}
}

// CreateMeetingInput arranges a meeting with a pupil's family; the parents are sent an invitation.
type CreateMeetingInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	IdempotencyHeader
	Body struct {
		Kind            string    `json:"kind" enum:"review,expectation,annual_review" doc:"review: the review of a support plan; expectation: a meeting to talk about how things are going; annual_review: an EHC plan's annual review"`
		StartsAt        time.Time `json:"startsAt" doc:"When it starts, RFC 3339 (e.g. 2027-01-12T10:00:00Z). Calendars show it in UK time."`
		DurationMinutes int       `json:"durationMinutes,omitempty" minimum:"10" maximum:"480" doc:"How long it lasts (default 60)"`
		Location        string    `json:"location" minLength:"1" maxLength:"200" doc:"Where, in plain words the family will understand, e.g. the school library. It is shown in emails and calendars: never a clinic's or a service's name."`
		Cycle           int       `json:"cycle,omitempty" minimum:"1" doc:"For a review meeting: the support cycle it reviews (default: the open one), so parents can give their views for it"`
		Invitees        []string  `json:"invitees,omitempty" maxItems:"10" doc:"Email addresses of others to invite: staff of the pupil's school, or practitioners of a service on one of the pupil's open, consented referrals (parents are invited anyway)"`
	}
}

// RescheduleMeetingInput moves a meeting to another time; the parents are told.
type RescheduleMeetingInput struct {
	MeetingID string `path:"meetingId" format:"uuid" doc:"The meeting's id"`
	IdempotencyHeader
	Body struct {
		StartsAt time.Time `json:"startsAt" doc:"The new start, RFC 3339"`
	}
}

// CancelMeetingInput calls a meeting off; the parents are told.
type CancelMeetingInput struct {
	MeetingID string `path:"meetingId" format:"uuid" doc:"The meeting's id"`
	IdempotencyHeader
}

func (s *Server) registerMeetings(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("meeting", "create", byAction),
		OperationID: "create-meeting", Method: http.MethodPost, Path: "/pupils/{pupilId}/meetings",
		Summary:     "Arrange a meeting with the family",
		Description: "Records the meeting on the pathway and emails every parent with parental responsibility an invitation with a calendar file and a link to answer.",
		Tags:        []string{"Meetings"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.createMeeting)
	register(v1, huma.Operation{
		Metadata:    needs("meeting", "create", byAction),
		OperationID: "reschedule-meeting", Method: http.MethodPost, Path: "/meetings/{meetingId}/reschedule",
		Summary:     "Move a meeting to a new time",
		Description: "Sends everyone invited an updated invitation (same calendar UID, SEQUENCE one higher); answers to the old time no longer count.",
		Tags:        []string{"Meetings"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.rescheduleMeeting)
	register(v1, huma.Operation{
		Metadata:    needs("meeting", "create", byAction),
		OperationID: "cancel-meeting", Method: http.MethodPost, Path: "/meetings/{meetingId}/cancel",
		Summary:     "Cancel a meeting",
		Description: "Sends everyone invited a cancellation (METHOD:CANCEL) that removes the meeting from their calendar.",
		Tags:        []string{"Meetings"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.cancelMeeting)
}

func (s *Server) createMeeting(ctx context.Context, in *CreateMeetingInput) (*MeetingOutput, error) {
	return idempotent(ctx, s, "create-meeting", in.IdempotencyKey, in, func(id string) (*MeetingOutput, error) {
		return s.meetingOutput(
			ctx,
		)(
			s.Actions.ArrangeMeeting(
				ctx,
				actor(ctx),
				actions.NewMeeting{ID: id, PupilID: in.PupilID, Kind: in.Body.Kind,
					StartsAt: in.Body.StartsAt, DurationMinutes: in.Body.DurationMinutes, Location: in.Body.Location, Cycle: in.Body.Cycle, Invitees: in.Body.Invitees},
			),
		)
	})
}

func (s *Server) rescheduleMeeting(ctx context.Context, in *RescheduleMeetingInput) (*MeetingOutput, error) {
	return idempotent(ctx, s, "reschedule-meeting", in.IdempotencyKey, in, func(id string) (*MeetingOutput, error) {
		return s.meetingOutput(
			ctx,
		)(
			s.Actions.MoveMeeting(
				ctx,
				actor(ctx),
				actions.MeetingMove{ID: id, MeetingID: in.MeetingID, StartsAt: in.Body.StartsAt},
			),
		)
	})
}

func (s *Server) cancelMeeting(ctx context.Context, in *CancelMeetingInput) (*MeetingOutput, error) {
	return idempotent(ctx, s, "cancel-meeting", in.IdempotencyKey, in, func(id string) (*MeetingOutput, error) {
		return s.meetingOutput(ctx)(s.Actions.CancelMeeting(ctx, actor(ctx), id, in.MeetingID))
	})
}

// meetingOutput answers with the meeting as the change left it and the pathway as it now is.
func (s *Server) meetingOutput(ctx context.Context) func(*actions.MeetingResult, error) (*MeetingOutput, error) {
	return func(r *actions.MeetingResult, err error) (*MeetingOutput, error) {
		if err != nil {
			return nil, s.problem(err)
		}
		view, err := s.pathwayView(ctx, r.Pupil.ID, r.Role)
		if err != nil {
			return nil, err
		}
		m := r.Meeting
		out := &MeetingOutput{Status: http.StatusCreated}
		out.Body.Meeting = MeetingView{
			MeetingID:       m.ID,
			Kind:            m.Kind,
			StartsAt:        m.StartsAt,
			DurationMinutes: m.DurationMinutes,
			Location:        m.Location,
			Cycle:           m.Cycle,
			Invitees:        m.Invitees,
			Sequence:        m.Sequence,
			Status:          m.Status,
			Invitations:     r.Invitations,
		}
		if out.Body.Meeting.Invitees == nil {
			out.Body.Meeting.Invitees = []string{}
		}
		out.Body.Warnings = r.Warnings
		if out.Body.Warnings == nil {
			out.Body.Warnings = []string{}
		}
		out.Body.Pathway = *view
		return out, nil
	}
}
