package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/ics"
)

// capture starts a capture mailbox and a dispatcher that delivers to it.
func capture(t *testing.T, pool *pgxpool.Pool) (*Dispatcher, *mailcapture.Box) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	box, err := mailcapture.Open(t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := box.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	return &Dispatcher{DB: pool, From: "sendflow <no-reply@school.example>", Logger: logger,
		Sender: &SMTPSender{
			Conf: config.SMTP{Host: "127.0.0.1", Port: addr.(*net.TCPAddr).Port, TLS: "none", Timeout: 2 * time.Second},
		}}, box
}

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

	msg := Message{
		Key:             "test/1",
		To:              "sendco@school.example",
		Subject:         "Hello",
		Text:            "Plain words.",
		HTML:            "<p>Plain words.</p>",
		Template:        "test",
		TemplateVersion: "1",
	}
	for i := 0; i < 2; i++ { // a retried activity queues the same intent again
		if _, err := o.Enqueue(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	// The server is down: the dispatcher says so (and waits for it, not for the message).
	if n, err := d.DeliverDue(ctx); !errors.Is(err, ErrUnreachable) || n != 1 {
		t.Fatalf("deliver during outage: n=%d err=%v, want the server named unreachable", n, err)
	}
	st, attempts, lastErr := status(t, o, "test/1")
	if st != "queued" || attempts != 1 || lastErr == "" {
		t.Fatalf("during outage: status=%s attempts=%d error=%q", st, attempts, lastErr)
	}
	// The server comes back; the message is due again at once.
	box, err := mailcapture.Open(t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.Start(fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Fatal(err)
	}
	defer box.Close()
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
	cases := map[int]time.Duration{
		1:  5 * time.Second,
		2:  10 * time.Second,
		3:  20 * time.Second,
		10: 15 * time.Minute,
		50: 15 * time.Minute,
	}
	for attempts, want := range cases {
		if got := Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}

// TestInvitationCarriesItsCalendarFile: a message queued with an invite.ics is delivered as
// multipart/mixed — the text and HTML alternative first, then the calendar file with its method
// parameter and an attachment disposition — that an independent iCalendar parser reads; queued
// twice and delivered twice over, it reaches the server once, with the stable Message-ID.
func TestInvitationCarriesItsCalendarFile(t *testing.T) {
	pool := testenv.Pool(t)
	o := &Outbox{DB: pool}
	d, box := capture(t, pool)
	ctx := context.Background()

	start := time.Date(2027, time.January, 12, 10, 0, 0, 0, time.UTC)
	cal, err := ics.Build(
		ics.Event{UID: "m1@sendflow", Sequence: 1, Method: ics.MethodRequest, Start: start, Duration: time.Hour,
			Summary: "Zuzanna's review meeting", Location: "Room 4", Organizer: ics.Attendee{Name: "Sam", Email: "sendco@school.example"},
			Attendees: []ics.Attendee{{Name: "Robin", Email: "parent@example.org", Required: true}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	msg := Message{
		Key:             "meeting/m1/1/parent",
		To:              "parent@example.org",
		Subject:         "You are invited",
		Text:            "Plain words.",
		HTML:            "<p>Plain words.</p>",
		Template:        "t",
		TemplateVersion: "1",
		Attachments: []Attachment{
			{Filename: "invite.ics", ContentType: ics.ContentType(ics.MethodRequest), Content: cal},
		},
	}
	for i := 0; i < 2; i++ {
		if _, err := o.Enqueue(ctx, msg); err != nil {
			t.Fatal(err)
		}
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
	if len(msgs) != 1 {
		t.Fatalf("delivered %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Text == "" || !strings.Contains(m.HTML, "<p>Plain words.</p>") {
		t.Errorf("bodies lost: text %q html %q", m.Text, m.HTML)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "invite.ics" ||
		!strings.HasPrefix(m.Attachments[0].ContentType, "text/calendar") {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	var id string
	_ = pool.QueryRow(ctx, `SELECT id FROM email_outbox WHERE idempotency_key = $1`, msg.Key).Scan(&id)
	if want := MessageID(id, "no-reply@school.example"); m.MessageID != want {
		t.Errorf("Message-ID = %s, want %s", m.MessageID, want)
	}

	// The structure, read with the standard library.
	parsed, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(parsed.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("Content-Type %s, want multipart/mixed", mt)
	}
	mr := multipart.NewReader(parsed.Body, params["boundary"])
	first, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(first.Header.Get("Content-Type")); mt != "multipart/alternative" {
		t.Errorf("first part %s, want multipart/alternative", mt)
	}
	calPart, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	mt, cp, _ := mime.ParseMediaType(calPart.Header.Get("Content-Type"))
	if mt != "text/calendar" || cp["method"] != "REQUEST" || cp["charset"] != "utf-8" {
		t.Errorf("calendar part Content-Type %q", calPart.Header.Get("Content-Type"))
	}
	if disp, dp, _ := mime.ParseMediaType(calPart.Header.Get("Content-Disposition")); disp != "attachment" ||
		dp["filename"] != "invite.ics" {
		t.Errorf("calendar part disposition %q", calPart.Header.Get("Content-Disposition"))
	}
	// multipart.Reader does not decode base64; the test does, as a mail client would.
	encoded, _ := io.ReadAll(calPart)
	raw, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(encoded)))
	if err != nil {
		t.Fatalf("calendar part is not base64: %v", err)
	}
	if !bytes.Equal(raw, cal) {
		t.Error("the calendar file changed on its way")
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more parts after the calendar file: %v", err)
	}
	parsedCal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v", err)
	}
	if method, _ := parsedCal.Props.Text(ical.PropMethod); method != "REQUEST" {
		t.Errorf("METHOD %q", method)
	}
	ev := parsedCal.Events()
	if len(ev) != 1 {
		t.Fatalf("%d events", len(ev))
	}
	if uid, _ := ev[0].Props.Text(ical.PropUID); uid != "m1@sendflow" {
		t.Errorf("UID %q", uid)
	}
	if got, err := ev[0].DateTimeStart(nil); err != nil || !got.Equal(start) {
		t.Errorf("DTSTART %v %v, want %v", got, err, start)
	}
}

// A message without attachments stays a plain multipart/alternative, as before.
func TestComposeWithoutAttachmentsIsAlternative(t *testing.T) {
	raw, err := compose(
		envelope{From: "a@school.example", To: "b@example.org", Subject: "Hi", OutboxID: "id1", Date: time.Now()},
		"text",
		"<p>html</p>",
	)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(m.Header.Get("Content-Type")); mt != "multipart/alternative" {
		t.Errorf("Content-Type %s", mt)
	}
	if _, err := compose(envelope{From: "a@school.example", To: "b@example.org", Subject: "Hi", OutboxID: "id1", Date: time.Now()}, "t", "h",
		Attachment{Filename: "x\r\nBcc: y", ContentType: "text/plain", Content: []byte("x")}); err == nil {
		t.Error("an attachment name with a line break was composed")
	}
}

// TestSlowServerTwoDispatchersSendEachOnce: two worker replicas drain one outbox through a server
// that takes a while to accept each message. However long a batch takes, no message is handed to
// the server twice, and every one is delivered.
func TestSlowServerTwoDispatchersSendEachOnce(t *testing.T) {
	pool := testenv.Pool(t)
	o := &Outbox{DB: pool}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 24
	for i := range n {
		if _, err := o.Enqueue(ctx, Message{Key: fmt.Sprintf("slow/%d", i), To: fmt.Sprintf("p%d@school.example", i), Subject: "Hello",
			Text: "Plain words.", HTML: "<p>Plain words.</p>", Template: "test", TemplateVersion: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.DiscardHandler)
	box, err := mailcapture.Open(t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	box.Delay = 300 * time.Millisecond // longer than the lease below, many times over per batch
	addr, err := box.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	done := make(chan error, 2)
	for range 2 {
		d := &Dispatcher{
			DB:       pool,
			From:     "no-reply@school.example",
			Logger:   logger,
			Interval: 20 * time.Millisecond,
			Lease:    time.Second,
			Sender: &SMTPSender{
				Conf: config.SMTP{
					Host:    "127.0.0.1",
					Port:    addr.(*net.TCPAddr).Port,
					TLS:     "none",
					Timeout: 5 * time.Second,
				},
			},
		}
		go func() { done <- d.Run(ctx) }()
	}
	testenv.Eventually(t, 2*time.Minute, "every message sent", func() bool {
		var queued int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE status <> 'sent'`).Scan(&queued)
		return queued == 0
	})
	cancel()
	<-done
	<-done
	msgs, err := box.Messages()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.MessageID]++
	}
	if len(seen) != n {
		t.Errorf("%d different messages delivered, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c > 1 {
			t.Errorf("message %s delivered %d times", id, c)
		}
	}
}

// TestDispatcherThatDiedMidSendIsFinishedByAnother: a dispatcher handed a message to the server and
// died before recording the answer. Its claim lapses; another dispatcher sends the message (with
// the same Message-ID) and says it may be a second copy.
func TestDispatcherThatDiedMidSendIsFinishedByAnother(t *testing.T) {
	pool := testenv.Pool(t)
	ctx := context.Background()
	o := &Outbox{DB: pool}
	if _, err := o.Enqueue(ctx, Message{Key: "died/1", To: "parent@school.example", Subject: "Hello", Text: "Plain words.",
		HTML: "<p>Plain words.</p>", Template: "test", TemplateVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	// What the dead dispatcher left: its claim, lapsed, and the handover it noted.
	if _, err := pool.Exec(ctx, `UPDATE email_outbox SET claimed_by = gen_random_uuid(), attempts = 1, handed_at = now() - interval '2 minutes',
		next_attempt_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	d, box := capture(t, pool)
	var log bytes.Buffer
	d.Logger = slog.New(slog.NewTextHandler(&log, nil))
	if n, err := d.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("deliver: n=%d err=%v", n, err)
	}
	if st, attempts, _ := status(t, o, "died/1"); st != "sent" || attempts != 2 {
		t.Errorf("status=%s attempts=%d, want sent on the second attempt", st, attempts)
	}
	if msgs, _ := box.Messages(); len(msgs) != 1 {
		t.Errorf("%d messages delivered, want 1", len(msgs))
	}
	if !strings.Contains(log.String(), "may already have") {
		t.Errorf("the resend is not logged as in doubt:\n%s", log.String())
	}
}

// A mail server's reply quotes the recipient; the log line does not.
func TestServerRepliesAreLoggedWithoutAddresses(t *testing.T) {
	got := withoutAddresses(
		`550 5.1.1 <jo.quill@example.org>: Recipient address rejected; from=no-reply@school.example`,
	)
	if strings.Contains(got, "@") || !strings.Contains(got, "550 5.1.1 <<address>>: Recipient address rejected") {
		t.Errorf("logged as %q", got)
	}
}

// A message about a pupil comes from the school's name at the deployment's address, replies go to
// the school, and it says it was sent automatically and in which language (issue 15). Mail with
// no school (a sign-in link to a parent of children at two schools) keeps the configured name.
func TestMessagesComeFromTheSchool(t *testing.T) {
	pool := testenv.Pool(t)
	d, box := capture(t, pool)
	o := &Outbox{DB: pool}
	ctx := context.Background()
	for _, m := range []Message{
		{Key: "school/1", To: "parent@example.org", Subject: "Cześć", Text: "t", HTML: "<p>t</p>", Template: "x", TemplateVersion: "1",
			Language: "pl", FromName: "Oakfield Primary", ReplyTo: "office@oakfield.example"},
		{Key: "school/2", To: "parent2@example.org", Subject: "Hello", Text: "t", HTML: "<p>t</p>", Template: "x", TemplateVersion: "1"},
	} {
		if _, err := o.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := box.Messages()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages %v", len(msgs), err)
	}
	headers := map[string]mail.Header{}
	for _, m := range msgs {
		parsed, err := mail.ReadMessage(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		headers[m.To[0]] = parsed.Header
	}
	h := headers["parent@example.org"]
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Name != "Oakfield Primary" ||
		from.Address != "no-reply@school.example" {
		t.Errorf("From: %q", h.Get("From"))
	}
	if to, err := mail.ParseAddress(h.Get("Reply-To")); err != nil || to.Address != "office@oakfield.example" ||
		to.Name != "Oakfield Primary" {
		t.Errorf("Reply-To: %q", h.Get("Reply-To"))
	}
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("Content-Language") != "pl" {
		t.Errorf("Auto-Submitted %q, Content-Language %q", h.Get("Auto-Submitted"), h.Get("Content-Language"))
	}
	h = headers["parent2@example.org"]
	if h.Get("From") != `"sendflow" <no-reply@school.example>` || h.Get("Reply-To") != "" ||
		h.Get("Content-Language") != "en" ||
		h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf(
			"without a school: From %q, Reply-To %q, Content-Language %q",
			h.Get("From"),
			h.Get("Reply-To"),
			h.Get("Content-Language"),
		)
	}
}
