// Package email delivers sendflow's mail: every message is written to the PostgreSQL outbox first,
// then a dispatcher sends it over SMTP with retries. An SMTP outage delays mail and loses none;
// a message's idempotency key means a retried activity or restarted process never queues it twice.
package email

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Message is one email to one recipient, rendered and ready to queue.
type Message struct {
	// Key identifies the intent (e.g. "concern/<id>/sendco/<user>"); queuing it again is a no-op.
	Key             string
	To              string
	ToUserID        string
	Subject         string
	Text            string
	HTML            string
	Template        string
	TemplateVersion string
	// PupilID is the pupil the message is about ("" for none, e.g. a sign-in link), so staff can
	// see what was sent about a pupil and whether it arrived.
	PupilID string
	// Language is the language the message is written in: the rendered template's Lang ("en",
	// "pl"). With Template and TemplateVersion it records which words the person received.
	// "" is stored as "en".
	Language string
	// Attachments follow the text and HTML bodies, e.g. a meeting's invite.ics.
	Attachments []Attachment
	// FromName is the name the message is sent under (the school's) at the deployment's address;
	// "" keeps SENDFLOW_MAIL_FROM's own. ReplyTo is where replies go (the school's contact email);
	// "" for none.
	FromName string
	ReplyTo  string
}

// Attachment is a file sent with a message. A text/calendar attachment carries its iTIP method in
// ContentType (e.g. ics.ContentType("REQUEST")), which mail clients read to show an invitation.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Content     []byte `json:"content"`
}

// Outbox queues messages in PostgreSQL.
type Outbox struct{ DB *pgxpool.Pool }

// idNamespace derives message ids from keys, so the Message-ID is stable for an intent.
var idNamespace = uuid.MustParse("6f1d2a0e-5c55-4d2e-9a34-3f0a3d1c9e11")

// Enqueue stores the message unless one with the same key exists; it reports whether it was new.
func (o *Outbox) Enqueue(ctx context.Context, m Message) (bool, error) {
	id := uuid.NewSHA1(idNamespace, []byte(m.Key))
	var toUser any
	if m.ToUserID != "" {
		toUser = m.ToUserID
	}
	for _, a := range m.Attachments {
		if err := a.check(); err != nil {
			return false, fmt.Errorf("queue email %s: %w", m.Key, err)
		}
	}
	attachments := m.Attachments
	if attachments == nil {
		attachments = []Attachment{}
	}
	language := m.Language
	if language == "" {
		language = "en"
	}
	var pupil any
	if m.PupilID != "" {
		pupil = m.PupilID
	}
	if strings.ContainsAny(m.FromName, "\r\n") {
		return false, fmt.Errorf("queue email %s: the sender's name %q must be one line", m.Key, m.FromName)
	}
	if m.ReplyTo != "" {
		if a, err := mail.ParseAddress(m.ReplyTo); err != nil || a.Address != m.ReplyTo {
			return false, fmt.Errorf("queue email %s: reply-to %q is not a plain address", m.Key, m.ReplyTo)
		}
	}
	tag, err := o.DB.Exec(
		ctx,
		`INSERT INTO email_outbox
		(id, idempotency_key, to_address, to_user_id, subject, text_body, html_body, template, template_version, language, attachments, pupil_id,
		 from_name, reply_to)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (idempotency_key) DO NOTHING`,
		id,
		m.Key,
		m.To,
		toUser,
		m.Subject,
		m.Text,
		m.HTML,
		m.Template,
		m.TemplateVersion,
		language,
		attachments,
		pupil,
		m.FromName,
		m.ReplyTo,
	)
	if err != nil {
		return false, fmt.Errorf("queue email %s: %w", m.Key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// check refuses an attachment that could not be written safely into a MIME header.
func (a Attachment) check() error {
	if a.Filename == "" || strings.ContainsAny(a.Filename, "\"\\/\r\n") {
		return fmt.Errorf("attachment filename %q: want a plain file name", a.Filename)
	}
	if strings.ContainsAny(a.ContentType, "\r\n") {
		return fmt.Errorf("attachment %s: content type %q: a header value is one line", a.Filename, a.ContentType)
	}
	if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
		return fmt.Errorf("attachment %s: content type %q: %w", a.Filename, a.ContentType, err)
	}
	return nil
}
