package activities

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/email/mailname"
	"github.com/sendflow/sendflow/internal/provision"
	provgather "github.com/sendflow/sendflow/internal/provision/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// DeliveryCheck is the delivery watcher's weekly check: for each school, the provision the
// delivery rule finds behind at c.At that it did not find behind a week before, told to the
// school's SENDCos in one email each (the head's, when the school has no SENDCo). The email's
// key is the school, the week and the person, so a retried check, or one run again after the
// worker restarted, queues each email once.
func (a *Activities) DeliveryCheck(ctx context.Context, c workflows.DeliveryCheck) (workflows.DeliveryChecked, error) {
	var out workflows.DeliveryChecked
	ids, err := a.Store.SchoolIDs(ctx)
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		told, err := a.deliveryCheckSchool(ctx, id, c.At)
		if err != nil {
			return out, fmt.Errorf("delivery check of school %s: %w", id, err)
		}
		out.Schools++
		if told {
			out.Told++
		}
	}
	return out, nil
}

// deliveryCheckSchool checks one school and says whether it queued an email.
func (a *Activities) deliveryCheckSchool(ctx context.Context, schoolID string, at time.Time) (bool, error) {
	school, err := provgather.Load(ctx, a.Store, schoolID, "")
	if err != nil {
		return false, err
	}
	if len(school.Plans) == 0 {
		return false, nil
	}
	now := school.Map(at.UTC())
	before := school.Map(at.UTC().AddDate(0, 0, -7))
	// The check read every open plan of the school: each pupil's is a read of their data.
	var read []string
	for _, p := range now.Pupils {
		read = append(read, p.Key)
	}
	if err := a.Store.AuditPupils(ctx, store.AuditEntry{ActorRole: "system", Action: "delivery_watch:read",
		SchoolID: schoolID, Outcome: "ok"}, read); err != nil {
		return false, err
	}
	newly := provision.NewlyBehind(now.Behind, before.Behind)
	if len(newly) == 0 {
		return false, nil
	}
	people, err := a.Store.SchoolStaff(ctx, schoolID, "sendco")
	if err != nil {
		return false, err
	}
	if len(people) == 0 {
		if people, err = a.Store.SchoolStaff(ctx, schoolID, "head"); err != nil {
			return false, err
		}
	}
	if len(people) == 0 {
		activity.GetLogger(ctx).Warn("delivery behind, and the school has no SENDCo or head to tell", "school_id", schoolID)
		return false, nil
	}
	sc, err := a.Store.SchoolByID(ctx, schoolID)
	if err != nil {
		return false, err
	}
	t, ok := email.Lookup(mailname.DeliveryBehind)
	if !ok {
		return false, temporal.NewNonRetryableApplicationError("no template "+mailname.DeliveryBehind, "TemplateError", nil)
	}
	week := workflows.CalendarDate(at).Format(time.DateOnly)
	for _, p := range people {
		data := map[string]string{
			"RecipientName": p.Name,
			"SchoolName":    sc.Name,
			"Link":          a.PublicURL + "/schools/" + schoolID + "/provision",
			"NewlyBehind":   pupils(provision.PupilsIn(newly)),
			"AllBehind":     pupils(provision.PupilsIn(now.Behind)),
		}
		subject, text, html, err := email.Render(t, data)
		if err != nil {
			return false, temporal.NewNonRetryableApplicationError(err.Error(), "TemplateError", err)
		}
		if _, err := a.Outbox.Enqueue(ctx, email.Message{
			Key: "delivery-behind/" + schoolID + "/" + week + "/" + p.UserID, To: p.Email, ToUserID: p.UserID,
			Subject: subject, Text: text, HTML: html, Template: t.Name, TemplateVersion: t.Version, Language: t.Lang,
			FromName: sc.Name, ReplyTo: sc.Contact.Email,
		}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// pupils is a count of pupils in words: "1 pupil", "3 pupils".
func pupils(n int) string {
	if n == 1 {
		return "1 pupil"
	}
	return strconv.Itoa(n) + " pupils"
}
