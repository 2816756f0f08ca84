// Package activities holds everything the workflows do that touches the world: the PostgreSQL read
// model, the email outbox and the readiness check's evidence. Activities are idempotent, because
// Temporal may run one again.
package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/pagelink"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

// Activities carries the dependencies activities need.
type Activities struct {
	Store     *store.Store
	Outbox    *email.Outbox
	PublicURL string
	// Links signs the links in parents' emails, so a parent answers on a small page without an
	// account (the same links the API's meeting invitations carry).
	Links *web.Links
}

// Register adds the activities to a worker under the names the workflows call.
func (a *Activities) Register(w worker.ActivityRegistry) {
	w.RegisterActivityWithOptions(a.Project, activity.RegisterOptions{Name: workflows.ActivityProject})
	w.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	w.RegisterActivityWithOptions(a.PupilParents, activity.RegisterOptions{Name: workflows.ActivityPupilParents})
	w.RegisterActivityWithOptions(a.CheckReadiness, activity.RegisterOptions{Name: workflows.ActivityCheckReadiness})
	w.RegisterActivityWithOptions(a.MeetingMail, activity.RegisterOptions{Name: workflows.ActivityMeetingMail})
	w.RegisterActivityWithOptions(a.Commit, activity.RegisterOptions{Name: workflows.ActivityCommit})
	w.RegisterActivityWithOptions(a.PupilPlacement, activity.RegisterOptions{Name: workflows.ActivityPupilPlacement})
	w.RegisterActivityWithOptions(a.DeliveryCheck, activity.RegisterOptions{Name: workflows.ActivityDeliveryCheck})
}

// Commit saves one change a workflow has decided: its projection (with the records it accepts),
// then the emails it sends and the meeting invitations it queues. Each part is idempotent, so an
// attempt after a failure part-way does each part once.
func (a *Activities) Commit(ctx context.Context, c workflows.Commit) error {
	if c.Projection != nil {
		if err := a.Project(ctx, *c.Projection); err != nil {
			return err
		}
	}
	for _, n := range c.Notices {
		if err := a.Notify(ctx, n); err != nil {
			return err
		}
	}
	for _, m := range c.Meetings {
		if err := a.MeetingMail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// Project writes a workflow's state to the read model, with the records it accepts. A record
// that was never proposed is a programming error: retrying cannot help, so the workflow's handler
// is told at once and keeps its state as it was.
func (a *Activities) Project(ctx context.Context, p workflows.Projection) error {
	events := make([]store.TimelineEvent, len(p.Events))
	for i, e := range p.Events {
		events[i] = store.TimelineEvent{
			Source:  p.ItemID,
			Seq:     e.Seq,
			At:      e.At,
			Kind:    e.Kind,
			Summary: e.Summary,
			ActorID: e.By,
		}
	}
	deadlines := make([]store.Deadline, len(p.Deadlines))
	for i, d := range p.Deadlines {
		deadlines[i] = store.Deadline{ItemID: p.ItemID, Kind: d.Kind, Ref: d.Ref, Due: d.Due, Label: d.Label}
	}
	accept := make([]store.RecordRef, len(p.Accept))
	for i, r := range p.Accept {
		accept[i] = store.RecordRef{Kind: string(r.Kind), ID: r.ID}
	}
	err := a.Store.Project(ctx, store.Projection{
		PupilID: p.PupilID, SchoolID: p.SchoolID, ItemID: p.ItemID, Kind: p.Kind, Status: p.Status,
		WorkflowID: workflows.PathwayWorkflowID(p.PupilID), Version: p.Version, State: p.State,
		Events: events, Deadlines: deadlines, Accept: accept, UpdatedAt: p.UpdatedAt,
	})
	if errors.Is(err, store.ErrRecordMissing) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "RecordMissing", err)
	}
	var refused *store.MoveRefused
	if errors.As(err, &refused) {
		// The transfer waits again, so both schools see why even if nobody asks again; the
		// pathway refuses the move (its state stays as it was) with the reason as its answer.
		if herr := a.Store.HoldTransfer(ctx, refused.ID); herr != nil {
			return herr
		}
		return temporal.NewNonRetryableApplicationError(refused.Reason, workflows.RefusalType, err)
	}
	return err
}

// PupilParents returns the ids of the people who may consent for a pupil.
func (a *Activities) PupilParents(ctx context.Context, pupilID string) ([]string, error) {
	parents, err := a.Store.ParentsOf(ctx, pupilID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(parents))
	for i, p := range parents {
		ids[i] = p.UserID
	}
	return ids, nil
}

// PupilPlacement tells an annual review what it needs to work out the phase transfer: the
// academic year of the pupil's birth and the year groups of their school (from its statutory age
// range: a school for ages 4 to 11 teaches Reception to Year 6). The date of birth itself does not
// leave PostgreSQL.
func (a *Activities) PupilPlacement(ctx context.Context, pupilID string) (*workflows.Placement, error) {
	dob, low, high, err := a.Store.PupilPlacement(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, temporal.NewNonRetryableApplicationError("no pupil "+pupilID, "PupilMissing", err)
	}
	if err != nil {
		return nil, err
	}
	p := &workflows.Placement{BirthYear: workflows.AcademicYearStart(dob)}
	if low != nil && high != nil {
		lowest, highest := *low-4, *high-5
		if *high <= 5 {
			highest = -1 // a nursery: children leave for Reception
		}
		p.LowestYear, p.HighestYear = &lowest, &highest
	}
	return p, nil
}

// CheckReadiness evaluates the readiness rules on the pupil's evidence.
func (a *Activities) CheckReadiness(ctx context.Context, r workflows.ReadinessRequest) (workflows.Readiness, error) {
	return gather.Readiness(ctx, a.Store, r.PupilID, r.Service)
}

// Notify renders a template for each recipient and queues it. The email says who and what to do;
// details stay behind the link.
func (a *Activities) Notify(ctx context.Context, n workflows.Notice) error {
	t, ok := email.Lookup(n.Template)
	if !ok {
		return temporal.NewNonRetryableApplicationError("no email template "+n.Template, "MissingTemplate", nil)
	}
	pupil, err := a.Store.PupilByID(ctx, n.PupilID)
	if err != nil {
		return err
	}
	// The pupil's school now, not the one the workflow started with: a pupil who moved school is
	// written about by their new school, and the old school's SENDCo is no longer told.
	n.SchoolID = pupil.SchoolID
	school, err := a.Store.SchoolByID(ctx, n.SchoolID)
	if err != nil {
		return err
	}
	base := schoolData(school)
	base["PupilFirstName"], base["Link"] = pupil.FirstName, a.PublicURL+staffPage(n.LinkPath)
	if t.Decision {
		rights, err := a.Store.RightsContactsFor(ctx, n.SchoolID)
		if err != nil {
			return err
		}
		base["MediationContact"], base["SENDIASSContact"] = rights.Mediation, rights.SENDIASS
	}
	for k, v := range n.Vars {
		base[k] = v
	}
	for _, audience := range n.To {
		people, err := a.recipients(ctx, audience, n)
		if err != nil {
			return err
		}
		if len(people) == 0 {
			activity.GetLogger(ctx).
				Warn("nobody to notify", "audience", audience, "template", n.Template, "pupil_id", n.PupilID)
		}
		if audience == workflows.ToParents && n.Parents.SkipIfMeetingBooked {
			booked, err := a.Store.ReviewMeetingBooked(ctx, n.PupilID, n.Parents.Cycle)
			if err != nil {
				return err
			}
			if booked {
				activity.GetLogger(ctx).
					Info("parents already invited to the review meeting", "template", n.Template, "pupil_id", n.PupilID)
				continue
			}
		}
		for _, p := range people {
			data := map[string]string{"RecipientName": p.Name}
			for k, v := range base {
				data[k] = v
			}
			if _, fixed := n.Vars["Link"]; audience == workflows.ToParents && !fixed {
				if data["Link"], err = a.parentLink(n, p.UserID); err != nil {
					return err
				}
			}
			lt := email.Localize(t, p.Language) // staff and agency emails stay English
			localDates(data, lt.Lang)
			subject, text, html, err := email.Render(lt, data)
			if err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
			}
			who := p.UserID
			if who == "" {
				who = p.Email
			}
			if _, err := a.Outbox.Enqueue(ctx, email.Message{
				Key: n.Key + "/" + who, To: p.Email, ToUserID: p.UserID, Subject: subject, Text: text, HTML: html,
				Template: t.Name, TemplateVersion: t.Version, Language: lt.Lang, PupilID: n.PupilID,
				FromName: school.Name, ReplyTo: school.Contact.Email,
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// schoolData is what every email about a pupil says of the school: its name and, for parents'
// emails, how to reach it.
func schoolData(sc *store.School) map[string]string {
	return map[string]string{
		"SchoolName":   sc.Name,
		"ContactName":  sc.Contact.Name,
		"ContactPhone": sc.Contact.Phone,
		"ContactEmail": sc.Contact.Email,
	}
}

// localDates rewrites the dates a workflow wrote in words (always in DateWordsLayout) in the
// email's language, so a Polish email does not say "12 January 2027".
func localDates(data map[string]string, lang string) {
	if lang == "en" || lang == "" {
		return
	}
	for k, v := range data {
		if d, err := time.Parse(workflows.DateWordsLayout, v); err == nil {
			data[k] = locale.For(lang).ShortCalendarDate(d)
		}
	}
}

// parentLink is the parent's own signed link to the page the notice names (unless the notice's
// Vars give a link on purpose).
func (a *Activities) parentLink(n workflows.Notice, parentID string) (string, error) {
	if a.Links == nil {
		return "", temporal.NewNonRetryableApplicationError(
			"the worker has no signing key for parents' links",
			"Misconfigured",
			nil,
		)
	}
	now := time.Now()
	switch n.Parents.Kind {
	case workflows.PageViews:
		return a.Links.Views(parentID, n.PupilID, n.Parents.Cycle, now)
	case workflows.PageConsent:
		return a.Links.Consent(parentID, n.PupilID, n.Parents.ReferralID, now)
	case workflows.PagePlan:
		return a.Links.Plan(parentID, n.PupilID, now)
	}
	return "", temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("no parent page %q", n.Parents.Kind),
		"UnknownPage",
		nil,
	)
}

func (a *Activities) recipients(ctx context.Context, audience string, n workflows.Notice) ([]store.Recipient, error) {
	switch {
	case audience == workflows.ToSENDCo:
		return a.Store.SchoolStaff(ctx, n.SchoolID, "sendco")
	case audience == workflows.ToTeachers:
		return a.Store.TeachersOf(ctx, n.PupilID)
	case audience == workflows.ToParents:
		return a.Store.ParentsOf(ctx, n.PupilID)
	case strings.HasPrefix(audience, "user:"):
		return a.Store.Person(ctx, strings.TrimPrefix(audience, "user:"))
	case audience == workflows.ToCouncil:
		return a.Store.CouncilContacts(ctx, n.PupilID)
	case strings.HasPrefix(audience, "agency:"):
		return a.Store.AgencyInbox(ctx, strings.TrimPrefix(audience, "agency:"))
	}
	return nil, fmt.Errorf("unknown audience %q", audience)
}

// staffPage is the staff page a workflow's link opens (internal/pagelink), not the API's JSON.
func staffPage(linkPath string) string {
	if page, ok := pagelink.StaffPage(linkPath); ok {
		return page
	}
	return linkPath
}
