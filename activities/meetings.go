package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/email/mailname"
	"github.com/sendflow/sendflow/internal/ics"
	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

// MeetingMail queues, for a meeting change the pathway has accepted, one email per parent and
// invited member of staff, each with its own invite.ics for the meeting as that change left it
// (its SEQUENCE). Each is keyed by meeting, SEQUENCE and recipient, so a retry queues none twice.
func (a *Activities) MeetingMail(ctx context.Context, mm workflows.MeetingMail) error {
	c, err := a.Store.MeetingChangeAccepted(ctx, mm.ChangeID)
	if errors.Is(err, store.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(
			"meeting change "+mm.ChangeID+" is not accepted",
			"NotAccepted",
			err,
		)
	}
	if err != nil {
		return err
	}
	m := c.Meeting
	pupil, err := a.Store.PupilByID(ctx, mm.PupilID)
	if err != nil {
		return err
	}
	school, err := a.Store.SchoolByID(ctx, mm.SchoolID)
	if err != nil {
		return err
	}
	parents, err := a.Store.ParentsOf(ctx, mm.PupilID)
	if err != nil {
		return err
	}
	organizer, err := a.Store.UserByID(ctx, m.CreatedBy)
	if err != nil {
		return err
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
		activity.GetLogger(ctx).Warn("meeting has nobody to invite", "meeting_id", m.ID, "pupil_id", mm.PupilID)
		return nil
	}
	now := time.Now()
	// The school organises the meeting: a calendar that answers anyway (RSVP=FALSE asks it not
	// to) reaches the school office, and nobody's own address stands for the school.
	org := ics.Attendee{Name: organizer.Name, Email: organizer.Email}
	if school.Contact.Email != "" {
		org = ics.Attendee{Name: school.Name, Email: school.Contact.Email}
	}
	event := ics.Event{UID: m.ID + "@sendflow", Sequence: m.Sequence, Method: method, Start: m.StartsAt,
		Duration: time.Duration(m.DurationMinutes) * time.Minute,
		Location: m.Location, Organizer: org, Attendees: attendees, Stamp: now}
	data := map[string]string{"PupilFirstName": pupil.FirstName, "SchoolName": school.Name,
		"MeetingTime": locale.English.Clock(m.StartsAt), "Location": m.Location}
	queue := func(key, to, userID, name, language, template, link string, ev ics.Event) error {
		t, ok := email.Lookup(template)
		if !ok {
			return temporal.NewNonRetryableApplicationError("no email template "+template, "MissingTemplate", nil)
		}
		t = email.Localize(t, language)
		ev.Summary, ev.Description, ev.Reminder = web.CalendarText(
			t.Lang,
			m.Kind,
			pupil.FirstName,
			school.Name,
			cancelled,
		) // the calendar speaks the email's language
		d := map[string]string{"RecipientName": name, "Link": link, "MeetingDate": locale.For(t.Lang).Date(m.StartsAt)}
		for k, v := range data {
			d[k] = v
		}
		d = pick(d, email.RequiredKeys(t))
		for k, v := range schoolData(school) {
			if _, ok := d[k]; !ok {
				d[k] = v
			}
		}
		subject, text, html, err := email.Render(t, d)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
		}
		cal, err := ics.Build(ev)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "CalendarError", err)
		}
		_, err = a.Outbox.Enqueue(
			ctx,
			email.Message{Key: key, To: to, ToUserID: userID, Subject: subject, Text: text, HTML: html,
				Template: t.Name, TemplateVersion: t.Version, Language: t.Lang, PupilID: mm.PupilID, FromName: school.Name, ReplyTo: school.Contact.Email,
				Attachments: []email.Attachment{
					{Filename: "invite.ics", ContentType: ics.ContentType(method), Content: cal},
				}},
		)
		return err
	}
	prefix := fmt.Sprintf("meeting/%s/%d/", m.ID, m.Sequence)
	for _, r := range parents {
		template, ev := mailname.MeetingMoved, event
		var link string
		switch {
		case cancelled:
			template = mailname.MeetingCancelled
			link, err = a.Links.Plan(r.UserID, mm.PupilID, now)
		default:
			if m.Sequence == 0 {
				template = mailname.MeetingInvitation
				if m.Kind == string(workflows.MeetingReview) {
					template = mailname.ReviewMeetingInvitation
				}
			}
			// The answer link is the parent's own and stays in the email: calendars are shared and
			// synced, and their Yes/No would not reach sendflow.
			link, err = a.Links.Meeting(r.UserID, mm.PupilID, m.ID, m.Sequence, now)
		}
		if err != nil {
			return err
		}
		if err := queue(prefix+r.UserID, r.Email, r.UserID, r.Name, r.Language, template, link, ev); err != nil {
			return err
		}
	}
	staffTemplate := mailname.MeetingInvitationStaff
	if cancelled {
		staffTemplate = mailname.MeetingCancelledStaff
	}
	for _, addr := range m.Invitees {
		if err := queue(prefix+"staff/"+addr, addr, "", "", "en", staffTemplate, a.PublicURL+staffPage("/v1/pupils/"+mm.PupilID+"/pathway"), event); err != nil {
			return err
		}
	}
	return nil
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
