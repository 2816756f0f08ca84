package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Message is one email sendflow queued about a pupil, as the outbox records it.
type Message struct {
	ID              string
	Template        string
	TemplateVersion string
	Language        string
	To              string
	ToUserID        *string
	Subject         string
	Status          string // queued, sent or failed
	Attempts        int
	LastError       string // the mail server's last reply, when it refused or could not be reached
	QueuedAt        time.Time
	NextAttemptAt   time.Time
	SentAt          *time.Time
}

// PupilMessages lists the emails about a pupil, newest first; status "" means all.
func (s *Store) PupilMessages(ctx context.Context, pupilID, status string, limit int) ([]Message, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT id::text, template, template_version, language, to_address, to_user_id::text, subject,
			status, attempts, last_error, created_at, next_attempt_at, sent_at
		FROM email_outbox WHERE pupil_id = $1 AND ($2 = '' OR status = $2)
		ORDER BY created_at DESC, id LIMIT $3`,
		pupilID,
		status,
		limit,
	)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Message])
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, nil
}
