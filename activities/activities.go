// Package activities holds everything the workflows do that touches the world: the PostgreSQL read
// model and the email outbox. Activities are idempotent, because Temporal may run one again.
package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Activities carries the dependencies activities need.
type Activities struct {
	Store     *store.Store
	Outbox    *email.Outbox
	PublicURL string
}

// Register adds the activities to a worker under the names the workflows call.
func (a *Activities) Register(w worker.Registry) {
	w.RegisterActivityWithOptions(a.ProjectPathway, activity.RegisterOptions{Name: workflows.ActivityProjectPathway})
	w.RegisterActivityWithOptions(a.NotifyConcernRaised, activity.RegisterOptions{Name: workflows.ActivityNotifyConcern})
}

// ProjectPathway writes the workflow's state to the read model.
func (a *Activities) ProjectPathway(ctx context.Context, p workflows.Projection) error {
	state, err := json.Marshal(p.State)
	if err != nil {
		return fmt.Errorf("encode pathway state: %w", err)
	}
	events := make([]store.TimelineEvent, len(p.Events))
	for i, e := range p.Events {
		events[i] = store.TimelineEvent{Seq: e.Seq, At: e.At, Kind: e.Kind, Summary: e.Summary}
	}
	return a.Store.ProjectPathway(ctx, store.PathwayRow{
		PupilID:    p.State.PupilID,
		SchoolID:   p.State.SchoolID,
		WorkflowID: workflows.PathwayWorkflowID(p.State.PupilID),
		Stage:      string(p.State.Stage),
		Version:    p.State.Version,
		State:      state,
		UpdatedAt:  p.UpdatedAt,
	}, events)
}

// NotifyConcernRaised queues an email to each SENDCo of the pupil's school. The message says who
// and where, never what was seen: the details stay behind sign-in.
func (a *Activities) NotifyConcernRaised(ctx context.Context, n workflows.NotifyConcern) error {
	pupil, err := a.Store.PupilByID(ctx, n.PupilID)
	if err != nil {
		return err
	}
	school, err := a.Store.SchoolName(ctx, n.SchoolID)
	if err != nil {
		return err
	}
	sendcos, err := a.Store.StaffWithRole(ctx, n.SchoolID, "sendco")
	if err != nil {
		return err
	}
	if len(sendcos) == 0 {
		activity.GetLogger(ctx).Warn("school has no SENDCo to notify", "school_id", n.SchoolID)
	}
	for _, s := range sendcos {
		subject, text, html, err := email.Render(email.ConcernRaised, map[string]string{
			"RecipientName":  s.Name,
			"PupilFirstName": pupil.FirstName,
			"SchoolName":     school,
			"Link":           a.PublicURL + "/v1/pupils/" + pupil.ID + "/pathway",
		})
		if err != nil {
			return err
		}
		_, err = a.Outbox.Enqueue(ctx, email.Message{
			Key:      "concern/" + n.ConcernID + "/sendco/" + s.ID,
			To:       s.Email,
			ToUserID: s.ID,
			Subject:  subject, Text: text, HTML: html,
			Template: email.ConcernRaised.Name, TemplateVersion: email.ConcernRaised.Version,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
