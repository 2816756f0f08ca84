package email

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sender delivers one composed message.
type Sender interface {
	Send(from, to string, raw []byte) error
}

// Dispatcher drains the outbox. Several dispatchers (one per worker replica) may run at once:
// each claims due messages with a lease, so a message is handed to SMTP by one of them at a time.
type Dispatcher struct {
	DB       *pgxpool.Pool
	Sender   Sender
	From     string
	Logger   *slog.Logger
	Interval time.Duration // how often to look for due mail (default 1s)
	Lease    time.Duration // how long a claim lasts before another dispatcher may retry (default 2m)
}

// Backoff is the wait before the n-th retry: 5s doubling, at most 15 minutes. Mail is never given
// up on for a temporary fault; it waits until the server is back.
func Backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < 15*time.Minute; i++ {
		d *= 2
	}
	return min(d, 15*time.Minute)
}

// Run delivers due messages until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Interval == 0 {
		d.Interval = time.Second
	}
	if d.Lease == 0 {
		d.Lease = 2 * time.Minute
	}
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		for {
			n, err := d.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				d.Logger.Warn("outbox pass failed; will retry", "error", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type claimed struct {
	id, to, subject, text, html string
	language, fromName, replyTo string
	attempts                    int
	created                     time.Time
	attachments                 []Attachment
}

// DeliverDue claims a batch of due messages and tries each once; it returns how many it tried.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	rows, err := d.DB.Query(ctx, `UPDATE email_outbox SET attempts = attempts + 1,
			next_attempt_at = now() + make_interval(secs => $1)
		WHERE id IN (SELECT id FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
		RETURNING id, to_address, subject, text_body, html_body, attempts, created_at, attachments, language, from_name, reply_to`, d.Lease.Seconds())
	if err != nil {
		return 0, fmt.Errorf("claim due mail: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := r.Scan(&c.id, &c.to, &c.subject, &c.text, &c.html, &c.attempts, &c.created, &c.attachments, &c.language, &c.fromName, &c.replyTo)
		return c, err
	})
	if err != nil {
		return 0, fmt.Errorf("claim due mail: %w", err)
	}
	for _, m := range batch {
		d.deliver(ctx, m)
	}
	return len(batch), nil
}

func (d *Dispatcher) deliver(ctx context.Context, m claimed) {
	// The Date header is when the message was queued, so every attempt composes the same message.
	raw, err := compose(envelope{From: d.From, FromName: m.fromName, ReplyTo: m.replyTo, To: m.to, Subject: m.subject,
		Language: m.language, OutboxID: m.id, Date: m.created}, m.text, m.html, m.attachments...)
	if err == nil {
		err = d.Sender.Send(envelopeAddress(d.From), m.to, raw)
	}
	var perm *PermanentError
	switch {
	case err == nil:
		_, err = d.DB.Exec(ctx, `UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = '' WHERE id = $1`, m.id)
		if err != nil {
			// The lease will expire and the message go again with the same Message-ID.
			d.Logger.Error("mail sent but not marked; it may be sent again", "outbox_id", m.id, "error", err)
			return
		}
		d.Logger.Info("mail sent", "outbox_id", m.id, "attempt", m.attempts)
	case errors.As(err, &perm):
		d.Logger.Error("mail refused permanently", "outbox_id", m.id, "reason", perm.Reason)
		d.mark(ctx, `UPDATE email_outbox SET status = 'failed', last_error = $2 WHERE id = $1`, m.id, perm.Reason)
	default:
		wait := Backoff(m.attempts)
		d.Logger.Warn("mail not sent; will retry", "outbox_id", m.id, "attempt", m.attempts, "retry_in", wait, "error", err)
		d.mark(ctx, `UPDATE email_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
			m.id, err.Error(), wait.Seconds())
	}
}

// envelopeAddress is the bare address SMTP's MAIL FROM needs ("Name <a@b>" -> "a@b").
func envelopeAddress(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return a.Address
	}
	return from
}

func (d *Dispatcher) mark(ctx context.Context, sql string, args ...any) {
	if _, err := d.DB.Exec(ctx, sql, args...); err != nil {
		d.Logger.Error("could not record mail status", "error", err)
	}
}
