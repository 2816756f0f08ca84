package email

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sender delivers one composed message.
type Sender interface {
	Send(from, to string, raw []byte) error
}

// Dispatcher drains the outbox. Several dispatchers (one per worker replica) may run at once:
// each claims a few due messages under its own id and keeps the claim alive while it works, so a
// message is handed to SMTP by one of them at a time however slow the server is. A claim left by
// a dispatcher that died lapses after Lease and the message goes again.
//
// Delivery is at least once: a message is marked sent as soon as the server accepts it; only if
// the process dies (or the database is unreachable) between the server's acceptance and that
// mark is it sent again, with the same Message-ID, and the retry is logged as in doubt.
type Dispatcher struct {
	DB       *pgxpool.Pool
	Sender   Sender
	From     string
	Logger   *slog.Logger
	Interval time.Duration // how often to look for due mail (default 1s)
	Lease    time.Duration // how long an unrenewed claim lasts (default 1m); renewed every third of it
	Batch    int           // messages claimed at once (default 5)

	id uuid.UUID // whose claims are whose
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

// addresses matches email addresses, which mail servers quote in their replies ("550 5.1.1
// <jo@example.com>: no such user").
var addresses = regexp.MustCompile(`[^\s<>"'@]+@[^\s<>"'@]+`)

// withoutAddresses is a mail server's reply fit for a log: logs carry ids, never addresses. The
// outbox keeps the whole reply for the SENDCo, who may see it.
func withoutAddresses(s string) string { return addresses.ReplaceAllString(s, "<address>") }

// maxServerWait is the longest the dispatcher waits before knocking again on a server that did not
// answer, so mail moves within half a minute of the server coming back.
const maxServerWait = 30 * time.Second

func (d *Dispatcher) defaults() {
	if d.Interval == 0 {
		d.Interval = time.Second
	}
	if d.Lease == 0 {
		d.Lease = time.Minute
	}
	if d.Batch == 0 {
		d.Batch = 5
	}
	if d.id == uuid.Nil {
		d.id = uuid.New()
	}
}

// Run delivers due messages until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.defaults()
	unreachable := 0 // passes in a row the server did not answer
	for {
		wait := d.Interval
		for {
			n, err := d.DeliverDue(ctx)
			if errors.Is(err, ErrUnreachable) {
				d.noteOutage(ctx, err)
				unreachable++
				wait = min(Backoff(unreachable), maxServerWait)
				if unreachable == 1 || unreachable%10 == 0 {
					d.Logger.Warn(
						"the mail server is not answering; mail waits in the outbox",
						"retry_in",
						wait,
						"error",
						err,
					)
				}
				break
			}
			if unreachable > 0 && err == nil && n > 0 {
				d.Logger.Info("the mail server is answering again")
				unreachable = 0
			}
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
		case <-time.After(wait):
		}
	}
}

// noteOutage records the server's silence on every message waiting for it, so staff looking at a
// pupil's messages see why each one waits, not only the one that was tried.
func (d *Dispatcher) noteOutage(ctx context.Context, err error) {
	if _, e := d.DB.Exec(ctx, `UPDATE email_outbox SET last_error = $1 WHERE status = 'queued' AND claimed_by IS NULL AND last_error <> $1`,
		err.Error()); e != nil &&
		ctx.Err() == nil {
		d.Logger.Warn("could not note the mail server's outage on waiting mail", "error", e)
	}
}

type claimed struct {
	id, to, subject, text, html string
	language, fromName, replyTo string
	created                     time.Time
	attachments                 []Attachment
}

// DeliverDue claims a few due messages and tries each once; it returns how many it claimed. If
// the server does not answer it stops, gives the rest back and returns ErrUnreachable.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	d.defaults()
	rows, err := d.DB.Query(
		ctx,
		`UPDATE email_outbox SET claimed_by = $1, next_attempt_at = now() + make_interval(secs => $2)
		WHERE id IN (SELECT id FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING id, to_address, subject, text_body, html_body, created_at, attachments, language, from_name, reply_to`,
		d.id,
		d.Lease.Seconds(),
		d.Batch,
	)
	if err != nil {
		return 0, fmt.Errorf("claim due mail: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := r.Scan(
			&c.id,
			&c.to,
			&c.subject,
			&c.text,
			&c.html,
			&c.created,
			&c.attachments,
			&c.language,
			&c.fromName,
			&c.replyTo,
		)
		return c, err
	})
	if err != nil {
		return 0, fmt.Errorf("claim due mail: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	stop := d.keepClaims(ctx)
	defer func() {
		stop()
		d.release(batch)
	}()
	for _, m := range batch {
		if ctx.Err() != nil {
			break
		}
		if err := d.deliver(ctx, m); err != nil {
			return len(batch), err
		}
	}
	return len(batch), nil
}

// keepClaims renews this dispatcher's claims until stopped, so a slow server does not let them
// lapse and another dispatcher send the same messages.
func (d *Dispatcher) keepClaims(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := d.DB.Exec(ctx, `UPDATE email_outbox SET next_attempt_at = now() + make_interval(secs => $2)
				WHERE claimed_by = $1 AND status = 'queued'`, d.id, d.Lease.Seconds()); err != nil && ctx.Err() == nil {
				d.Logger.Warn("could not renew mail claims", "error", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// release gives back the claims this dispatcher did not finish (it stopped, or the server went
// away), due at once, so the next pass takes them.
func (d *Dispatcher) release(batch []claimed) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ids := make([]string, len(batch))
	for i, m := range batch {
		ids[i] = m.id
	}
	if _, err := d.DB.Exec(ctx, `UPDATE email_outbox SET claimed_by = NULL, next_attempt_at = now()
		WHERE claimed_by = $1 AND status = 'queued' AND id = ANY($2::uuid[])`, d.id, ids); err != nil {
		d.Logger.Warn("could not give back mail claims; they lapse on their own", "error", err)
	}
}

// deliver tries one claimed message. It returns ErrUnreachable when the server did not answer,
// so the batch stops; every other outcome is recorded on the message.
func (d *Dispatcher) deliver(ctx context.Context, m claimed) error {
	// Still ours? Count the attempt and note the handover before it happens.
	var attempts int
	var inDoubt bool
	err := d.DB.QueryRow(ctx, `UPDATE email_outbox e SET attempts = e.attempts + 1, handed_at = now(),
			next_attempt_at = now() + make_interval(secs => $3)
		FROM (SELECT id, handed_at AS before FROM email_outbox WHERE id = $1) prev
		WHERE e.id = prev.id AND e.claimed_by = $2 AND e.status = 'queued'
		RETURNING e.attempts, prev.before IS NOT NULL`, m.id, d.id, d.Lease.Seconds()).Scan(&attempts, &inDoubt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // another dispatcher has it now
	}
	if err != nil {
		return fmt.Errorf("claim message %s: %w", m.id, err)
	}
	if inDoubt {
		d.Logger.Warn(
			"sending again a message the server may already have (same Message-ID)",
			"outbox_id",
			m.id,
			"attempt",
			attempts,
		)
	}
	// The Date header is when the message was queued, so every attempt composes the same message.
	raw, err := compose(envelope{From: d.From, FromName: m.fromName, ReplyTo: m.replyTo, To: m.to, Subject: m.subject,
		Language: m.language, OutboxID: m.id, Date: m.created}, m.text, m.html, m.attachments...)
	if err == nil {
		err = d.Sender.Send(envelopeAddress(d.From), m.to, raw)
	}
	var perm *PermanentError
	switch {
	case err == nil:
		if err := d.markSent(ctx, m.id); err != nil {
			d.Logger.Error("mail sent but not marked; it may be sent again", "outbox_id", m.id, "error", err)
			return nil
		}
		d.Logger.Info("mail sent", "outbox_id", m.id, "attempt", attempts)
	case errors.As(err, &perm):
		d.Logger.Error("mail refused permanently", "outbox_id", m.id, "reason", withoutAddresses(perm.Reason))
		d.mark(
			ctx,
			`UPDATE email_outbox SET status = 'failed', last_error = $2, claimed_by = NULL, handed_at = NULL WHERE id = $1`,
			m.id,
			perm.Reason,
		)
	case errors.Is(err, ErrUnreachable):
		// Not handed over at all; the dispatcher waits for the server, not this message.
		d.mark(
			ctx,
			`UPDATE email_outbox SET last_error = $2, claimed_by = NULL, handed_at = NULL, next_attempt_at = now() WHERE id = $1`,
			m.id,
			err.Error(),
		)
		return err
	default:
		// A server that answered and then failed may or may not have the message: handed_at stays.
		wait := Backoff(attempts)
		d.Logger.Warn(
			"mail not sent; will retry",
			"outbox_id",
			m.id,
			"attempt",
			attempts,
			"retry_in",
			wait,
			"error",
			withoutAddresses(err.Error()),
		)
		d.mark(
			ctx,
			`UPDATE email_outbox SET last_error = $2, claimed_by = NULL, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
			m.id,
			err.Error(),
			wait.Seconds(),
		)
	}
	return nil
}

// markSent records the server's acceptance, trying for a while if the database blinks: every
// moment between acceptance and this mark is a moment a crash would send the message twice.
func (d *Dispatcher) markSent(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.Lease/2)
	defer cancel()
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		_, err := d.DB.Exec(
			ctx,
			`UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = '', claimed_by = NULL, handed_at = NULL
			WHERE id = $1`,
			id,
		)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
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
