package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/store"
)

// Messages: every email sendflow queued about a pupil, to the family and to staff, and whether it
// arrived — so the SENDCo can answer "did the parents get the invitation?" and see a failure with
// the mail server's own reply. The bodies are not shown here; they stay in the outbox as the record.

// MessagesInput asks for the emails sendflow sent about a pupil.
type MessagesInput struct {
	PupilPath
	Status string `query:"status" enum:"queued,sent,failed" doc:"Only messages in this state"`
	Limit  int    `query:"limit" minimum:"0" maximum:"200" doc:"How many, newest first (default 50)"`
}

// MessageView is one email sendflow sent about a pupil, and where it is (queued, sent or failed).
type MessageView struct {
	MessageID       string     `json:"messageId" format:"uuid"`
	Template        string     `json:"template" doc:"Which email, e.g. review_meeting_invitation"`
	TemplateVersion string     `json:"templateVersion" doc:"The wording's version, as sent"`
	Language        string     `json:"language" doc:"The language it was written in, e.g. en or pl"`
	To              string     `json:"to" format:"email"`
	ToUserID        *string    `json:"toUserId,omitempty" format:"uuid"`
	Subject         string     `json:"subject"`
	Status          string     `json:"status" enum:"queued,sent,failed" doc:"queued: waiting or being retried; sent: the mail server accepted it; failed: the server refused it for good"`
	Attempts        int        `json:"attempts" doc:"How many times sendflow tried to hand it to the mail server"`
	LastError       string     `json:"lastError,omitempty" doc:"The mail server's last reply when it refused or could not be reached"`
	QueuedAt        time.Time  `json:"queuedAt"`
	NextAttemptAt   *time.Time `json:"nextAttemptAt,omitempty" doc:"When it will be tried again, while queued"`
	SentAt          *time.Time `json:"sentAt,omitempty"`
}

// MessagesOutput lists the emails sent about a pupil.
type MessagesOutput struct {
	Body struct {
		Messages []MessageView `json:"messages"`
	}
}

func (s *Server) registerMessages(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("message", "read", readsPupil),
		OperationID: "list-pupil-messages", Method: http.MethodGet, Path: "/pupils/{pupilId}/messages",
		Summary:     "Emails sent about a pupil and whether each arrived",
		Description: "Every email queued about the pupil, to the family and to staff, newest first: which email and wording version, in which language, to whom, and its delivery state with the mail server's last reply.",
		Tags:        []string{"Pupils"}, Errors: []int{http.StatusNotFound},
	}, s.pupilMessages)
}

func (s *Server) pupilMessages(ctx context.Context, in *MessagesInput) (*MessagesOutput, error) {
	return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*MessagesOutput, error) {
		limit := in.Limit
		if limit == 0 {
			limit = 50
		}
		msgs, err := s.Store.PupilMessages(ctx, p.ID, in.Status, limit)
		if err != nil {
			return nil, s.unavailable(err)
		}
		out := &MessagesOutput{}
		out.Body.Messages = []MessageView{}
		for _, m := range msgs {
			v := MessageView{
				MessageID:       m.ID,
				Template:        m.Template,
				TemplateVersion: m.TemplateVersion,
				Language:        m.Language,
				To:              m.To,
				ToUserID:        m.ToUserID,
				Subject:         m.Subject,
				Status:          m.Status,
				Attempts:        m.Attempts,
				LastError:       m.LastError,
				QueuedAt:        m.QueuedAt,
				SentAt:          m.SentAt,
			}
			if m.Status == "queued" {
				next := m.NextAttemptAt
				v.NextAttemptAt = &next
			}
			out.Body.Messages = append(out.Body.Messages, v)
		}
		return out, nil
	})
}
