package email

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/mailcapture"
	"github.com/sendflow/sendflow/internal/testenv"
)

func status(t *testing.T, o *Outbox, key string) (st string, attempts int, lastErr string) {
	t.Helper()
	err := o.DB.QueryRow(context.Background(), `SELECT status, attempts, last_error FROM email_outbox WHERE idempotency_key = $1`, key).
		Scan(&st, &attempts, &lastErr)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// TestOutageDelaysMailButLosesNone: with the SMTP server down the message stays queued with the
// server's error; when the server is back it is delivered, once, even though it was queued twice.
func TestOutageDelaysMailButLosesNone(t *testing.T) {
	pool := testenv.Pool(t)
	o := &Outbox{DB: pool}
	port := testenv.FreePort(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := &Dispatcher{DB: pool, From: "sendflow <no-reply@school.example>", Logger: logger,
		Sender: &SMTPSender{Conf: config.SMTP{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 2 * time.Second}}}
	ctx := context.Background()

	msg := Message{Key: "test/1", To: "sendco@school.example", Subject: "Hello", Text: "Plain words.", HTML: "<p>Plain words.</p>",
		Template: "test", TemplateVersion: "1"}
	for i := 0; i < 2; i++ { // a retried activity queues the same intent again
		if _, err := o.Enqueue(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	// The server is down.
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("deliver during outage: n=%d err=%v", n, err)
	}
	st, attempts, lastErr := status(t, o, "test/1")
	if st != "queued" || attempts != 1 || lastErr == "" {
		t.Fatalf("during outage: status=%s attempts=%d error=%q", st, attempts, lastErr)
	}
	// The server comes back; the retry is due after its backoff.
	box, err := mailcapture.Open(t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.Start(fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	if _, err := pool.Exec(ctx, `UPDATE email_outbox SET next_attempt_at = now()`); err != nil { // skip the backoff wait
		t.Fatal(err)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.DeliverDue(ctx); n != 0 {
		t.Errorf("a sent message was claimed again (%d)", n)
	}
	msgs, err := box.Messages()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Subject != "Hello" || msgs[0].To[0] != "sendco@school.example" {
		t.Fatalf("delivered = %+v", msgs)
	}
	if st, _, _ := status(t, o, "test/1"); st != "sent" {
		t.Errorf("status after delivery = %s", st)
	}
	var id string
	_ = pool.QueryRow(ctx, `SELECT id FROM email_outbox WHERE idempotency_key = 'test/1'`).Scan(&id)
	if want := MessageID(id, "no-reply@school.example"); msgs[0].MessageID != want {
		t.Errorf("Message-ID = %s, want the stable %s", msgs[0].MessageID, want)
	}
}

// TestPermanentRefusalIsRecorded: a 5xx from the server marks the message failed with the reply,
// rather than retrying for ever.
func TestPermanentRefusalIsRecorded(t *testing.T) {
	pool := testenv.Pool(t)
	o := &Outbox{DB: pool}
	d := &Dispatcher{DB: pool, From: "no-reply@school.example", Logger: slog.New(slog.DiscardHandler),
		Sender: refusing{}}
	if _, err := o.Enqueue(context.Background(), Message{Key: "k", To: "x@school.example", Subject: "s", Text: "t", HTML: "h", Template: "t", TemplateVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _, lastErr := status(t, o, "k"); st != "failed" || lastErr != "550 mailbox unavailable" {
		t.Errorf("status=%s error=%q", st, lastErr)
	}
}

type refusing struct{}

func (refusing) Send(string, string, []byte) error {
	return &PermanentError{Reason: "550 mailbox unavailable"}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	cases := map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 10: 15 * time.Minute, 50: 15 * time.Minute}
	for attempts, want := range cases {
		if got := Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}
