package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/ics"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

// Meetings with the family: the SENDCo or a teacher arranges, moves or cancels one; the pathway
// workflow records it (and counts it towards the meetings the Code of Practice expects); every
// parent with parental responsibility is emailed an invitation with a calendar file (the same
// UID throughout, SEQUENCE one higher on every change, METHOD:CANCEL when cancelled) and a
// one-tap link to answer. Invited staff get the calendar file too.

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

type MeetingOutput struct {
	Status int
	Body   struct {
		Meeting MeetingView `json:"meeting"`
		Pathway PathwayView `json:"pathway"`
	}
}

type CreateMeetingInput struct {
	PupilID string `path:"pupilId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		Kind            string    `json:"kind" enum:"review,expectation,annual_review" doc:"review: the review of a support plan; expectation: a meeting to talk about how things are going; annual_review: an EHC plan's annual review"`
		StartsAt        time.Time `json:"startsAt" doc:"When it starts, RFC 3339 (e.g. 2027-01-12T10:00:00Z). Calendars show it in UK time."`
		DurationMinutes int       `json:"durationMinutes,omitempty" minimum:"10" maximum:"480" doc:"How long it lasts (default 60)"`
		Location        string    `json:"location" minLength:"1" maxLength:"200" doc:"Where, in plain words the family will understand, e.g. the school library. It is shown in emails and calendars: never a clinic's or a service's name."`
		Cycle           int       `json:"cycle,omitempty" minimum:"1" doc:"For a review meeting: the support cycle it reviews (default: the open one), so parents can give their views for it"`
		Invitees        []string  `json:"invitees,omitempty" maxItems:"10" doc:"Email addresses of other staff to invite"`
	}
}

type RescheduleMeetingInput struct {
	MeetingID string `path:"meetingId" format:"uuid"`
	IdempotencyHeader
	Body struct {
		StartsAt time.Time `json:"startsAt" doc:"The new start, RFC 3339"`
	}
}

type CancelMeetingInput struct {
	MeetingID string `path:"meetingId" format:"uuid"`
	IdempotencyHeader
}

func (s *Server) registerMeetings(api huma.API) {
	errs := []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}
	huma.Register(api, huma.Operation{
		OperationID: "create-meeting", Method: http.MethodPost, Path: "/v1/pupils/{pupilId}/meetings",
		Summary:     "Arrange a meeting with the family",
		Description: "Records the meeting on the pathway and emails every parent with parental responsibility an invitation with a calendar file and a link to answer.",
		Tags:        []string{"Meetings"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.createMeeting)
	huma.Register(api, huma.Operation{
		OperationID: "reschedule-meeting", Method: http.MethodPost, Path: "/v1/meetings/{meetingId}/reschedule",
		Summary:     "Move a meeting to a new time",
		Description: "Sends everyone invited an updated invitation (same calendar UID, SEQUENCE one higher); answers to the old time no longer count.",
		Tags:        []string{"Meetings"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.rescheduleMeeting)
	huma.Register(api, huma.Operation{
		OperationID: "cancel-meeting", Method: http.MethodPost, Path: "/v1/meetings/{meetingId}/cancel",
		Summary:     "Cancel a meeting",
		Description: "Sends everyone invited a cancellation (METHOD:CANCEL) that removes the meeting from their calendar.",
		Tags:        []string{"Meetings"}, Security: bearer, DefaultStatus: http.StatusCreated, Errors: errs,
	}, s.cancelMeeting)
}

func (s *Server) createMeeting(ctx context.Context, in *CreateMeetingInput) (*MeetingOutput, error) {
	invitees, err := cleanInvitees(in.Body.Invitees)
	if err != nil {
		return nil, err
	}
	if in.Body.Cycle > 0 && in.Body.Kind != string(workflows.MeetingReview) {
		return nil, huma.Error422UnprocessableEntity("Only a review meeting belongs to a support cycle.",
			&huma.ErrorDetail{Location: "body.cycle", Message: "only for kind review", Value: in.Body.Cycle})
	}
	location := strings.TrimSpace(in.Body.Location)
	if location == "" || strings.ContainsAny(location, "\r\n") {
		return nil, huma.Error422UnprocessableEntity("Say where the meeting is, on one line.",
			&huma.ErrorDetail{Location: "body.location", Message: "one line of plain words", Value: in.Body.Location})
	}
	duration := in.Body.DurationMinutes
	if duration == 0 {
		duration = 60
	}
	return act(ctx, s, in.PupilID, "meeting", "create", func(p *store.Pupil, _ string) (*MeetingOutput, error) {
		cycle := in.Body.Cycle
		if in.Body.Kind == string(workflows.MeetingReview) {
			if cycle == 0 {
				n, err := s.Store.OpenCycle(ctx, p.ID)
				if err != nil {
					return nil, s.unavailable(err)
				}
				cycle = n
			} else if ok, err := s.Store.CycleExists(ctx, p.ID, cycle); err != nil {
				return nil, s.unavailable(err)
			} else if !ok {
				return nil, huma.Error422UnprocessableEntity("The pupil has no support cycle with this number.",
					&huma.ErrorDetail{Location: "body.cycle", Message: "no such cycle", Value: cycle})
			}
		}
		return idempotent(ctx, s, "create-meeting", in.IdempotencyKey, in, func(id string) (*MeetingOutput, error) {
			u := currentUser(ctx)
			m := &store.Meeting{ID: id, PupilID: p.ID, Kind: in.Body.Kind, Cycle: cycle, StartsAt: in.Body.StartsAt.UTC(),
				DurationMinutes: duration, Location: location, Invitees: invitees, CreatedBy: u.ID}
			return s.changeMeeting(ctx, p, store.MeetingChange{ID: id, Kind: store.MeetingCreate, Meeting: m, By: u.ID})
		})
	})
}

func (s *Server) rescheduleMeeting(ctx context.Context, in *RescheduleMeetingInput) (*MeetingOutput, error) {
	return s.meetingAction(ctx, in.MeetingID, "reschedule-meeting", in.IdempotencyKey, in, store.MeetingReschedule, in.Body.StartsAt.UTC())
}

func (s *Server) cancelMeeting(ctx context.Context, in *CancelMeetingInput) (*MeetingOutput, error) {
	return s.meetingAction(ctx, in.MeetingID, "cancel-meeting", in.IdempotencyKey, in, store.MeetingCancel, time.Time{})
}

// meetingAction moves or cancels a meeting; a meeting out of the caller's reach is 404 like one
// that does not exist.
func (s *Server) meetingAction(ctx context.Context, meetingID, op, key string, request any, kind string, at time.Time) (*MeetingOutput, error) {
	m, err := s.Store.MeetingByID(ctx, meetingID)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, "", "meeting:create", "", "", "not_found")
		return nil, huma.Error404NotFound("No meeting with this id is available to you.")
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return act(ctx, s, m.PupilID, "meeting", "create", func(p *store.Pupil, _ string) (*MeetingOutput, error) {
		return idempotent(ctx, s, op, key, request, func(id string) (*MeetingOutput, error) {
			return s.changeMeeting(ctx, p, store.MeetingChange{ID: id, Kind: kind, MeetingID: meetingID, StartsAt: at, By: currentUser(ctx).ID})
		})
	})
}

// changeMeeting makes the change (the pathway must accept it, or nothing is kept) and queues the
// emails. A retry of the same change finds it made and queues the same emails, which the outbox
// keeps once.
func (s *Server) changeMeeting(ctx context.Context, p *store.Pupil, c store.MeetingChange) (*MeetingOutput, error) {
	m, err := s.Store.ChangeMeeting(ctx, c, func(m store.Meeting) error {
		_, err := workflows.Update[workflows.PathwayState](ctx, s.Temporal, workflows.PathwayWorkflowID(p.ID), workflows.UpdateMeeting,
			"meeting/"+c.ID, workflows.MeetingChange{MeetingID: m.ID, Kind: workflows.MeetingKind(m.Kind), At: m.StartsAt,
				Cancelled: m.Status == "cancelled", By: c.By})
		return err
	})
	if errors.Is(err, store.ErrMeetingCancelled) {
		return nil, huma.Error409Conflict("This meeting was cancelled; arrange a new one.")
	}
	if err != nil {
		return nil, err
	}
	sent, err := s.sendMeetingMail(ctx, p, m)
	if err != nil {
		return nil, s.unavailable(err)
	}
	view, err := s.pathwayView(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := &MeetingOutput{Status: http.StatusCreated}
	out.Body.Meeting = MeetingView{MeetingID: m.ID, Kind: m.Kind, StartsAt: m.StartsAt, DurationMinutes: m.DurationMinutes,
		Location: m.Location, Cycle: m.Cycle, Invitees: m.Invitees, Sequence: m.Sequence, Status: m.Status, Invitations: sent}
	if out.Body.Meeting.Invitees == nil {
		out.Body.Meeting.Invitees = []string{}
	}
	out.Body.Pathway = *view
	return out, nil
}

// sendMeetingMail queues one email per parent and invited member of staff for the meeting as it
// now is (its Sequence), each with its own invite.ics. It returns how many it queued.
func (s *Server) sendMeetingMail(ctx context.Context, p *store.Pupil, m *store.Meeting) (int, error) {
	school, err := s.Store.SchoolName(ctx, p.SchoolID)
	if err != nil {
		return 0, err
	}
	parents, err := s.Store.ParentsOf(ctx, p.ID)
	if err != nil {
		return 0, err
	}
	organizer, err := s.Store.UserByID(ctx, m.CreatedBy)
	if err != nil {
		return 0, err
	}
	cancelled := m.Status == "cancelled"
	method := ics.MethodRequest
	if cancelled {
		method = ics.MethodCancel
	}
	var attendees []ics.Attendee
	for _, r := range parents {
		attendees = append(attendees, ics.Attendee{Name: r.Name, Email: r.Email, Required: true})
	}
	for _, addr := range m.Invitees {
		attendees = append(attendees, ics.Attendee{Email: addr})
	}
	if len(attendees) == 0 {
		s.Logger.Warn("meeting has nobody to invite", "meeting_id", m.ID, "pupil_id", p.ID)
		return 0, nil
	}
	now := time.Now()
	event := ics.Event{UID: m.ID + "@sendflow", Sequence: m.Sequence, Method: method, Start: m.StartsAt,
		Duration: time.Duration(m.DurationMinutes) * time.Minute,
		Location: m.Location, Organizer: ics.Attendee{Name: organizer.Name, Email: organizer.Email}, Attendees: attendees, Stamp: now}
	data := map[string]string{"PupilFirstName": p.FirstName, "SchoolName": school,
		"MeetingTime": web.MeetingTime(m.StartsAt), "Location": m.Location}
	links := web.NewLinks(s.SigningKey, s.PublicURL)
	queue := func(key, to, userID, name, language, template, link string, ev ics.Event) error {
		t, ok := email.Lookup(template)
		if !ok {
			return fmt.Errorf("no email template %s", template)
		}
		t = email.Localize(t, language)
		ev.Summary, ev.Description = web.CalendarText(t.Lang, m.Kind, p.FirstName, school, cancelled) // the calendar speaks the email's language
		d := map[string]string{"RecipientName": name, "Link": link, "MeetingDate": web.MeetingDateIn(t.Lang, m.StartsAt)}
		for k, v := range data {
			d[k] = v
		}
		subject, text, html, err := email.Render(t, pick(d, email.RequiredKeys(t)))
		if err != nil {
			return err
		}
		cal, err := ics.Build(ev)
		if err != nil {
			return err
		}
		_, err = s.Outbox.Enqueue(ctx, email.Message{Key: key, To: to, ToUserID: userID, Subject: subject, Text: text, HTML: html,
			Template: t.Name, TemplateVersion: t.Version, Language: t.Lang, PupilID: p.ID,
			Attachments: []email.Attachment{{Filename: "invite.ics", ContentType: ics.ContentType(method), Content: cal}}})
		return err
	}
	prefix := fmt.Sprintf("meeting/%s/%d/", m.ID, m.Sequence)
	n := 0
	for _, r := range parents {
		template, ev := "meeting_moved", event
		var link string
		switch {
		case cancelled:
			template = "meeting_cancelled"
			link, err = links.Plan(r.UserID, p.ID, now)
		default:
			if m.Sequence == 0 {
				template = "meeting_invitation"
				if m.Kind == string(workflows.MeetingReview) {
					template = "review_meeting_invitation"
				}
			}
			link, err = links.Meeting(r.UserID, p.ID, m.ID, m.Sequence, now)
			ev.URL = link
		}
		if err != nil {
			return n, err
		}
		if err := queue(prefix+r.UserID, r.Email, r.UserID, r.Name, r.Language, template, link, ev); err != nil {
			return n, err
		}
		n++
	}
	staffTemplate := "meeting_invitation_staff"
	if cancelled {
		staffTemplate = "meeting_cancelled_staff"
	}
	for _, addr := range m.Invitees {
		if err := queue(prefix+"staff/"+addr, addr, "", "", "en", staffTemplate, s.PublicURL+"/v1/pupils/"+p.ID+"/pathway", event); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// pick keeps the listed keys of a map, so a template is given only the keys it declares and one
// that uses another key fails to render instead of quietly using it.
func pick(m map[string]string, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

// cleanInvitees checks staff addresses: plain addresses only, lower-cased, no repeats.
func cleanInvitees(in []string) ([]string, error) {
	var out []string
	for i, raw := range in {
		a, err := mail.ParseAddress(strings.TrimSpace(raw))
		if err != nil || a.Name != "" || a.Address != strings.TrimSpace(raw) {
			return nil, huma.Error422UnprocessableEntity("Invitees are plain email addresses, like name@school.example.",
				&huma.ErrorDetail{Location: fmt.Sprintf("body.invitees[%d]", i), Message: "not a plain email address", Value: raw})
		}
		addr := strings.ToLower(a.Address)
		if !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out, nil
}
