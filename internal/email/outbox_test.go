package email

import (
	"context"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestEnqueueRecordsTheLanguage: the outbox records the language a parent's email was written in,
// beside its template and version; a message queued without one is English; queuing the same
// intent again changes nothing; and the Polish email reaches the mailbox with its subject intact.
func TestEnqueueRecordsTheLanguage(t *testing.T) {
	pool := testenv.Pool(t)
	o := &Outbox{DB: pool}
	ctx := context.Background()

	tpl := Localize(mustLookup(t, "consent_request"), "pl-PL")
	subject, text, html := mustRender(t, tpl, sampleData(t, tpl))
	msg := Message{Key: "consent/c1/parent/u1", To: "rodzic@example.org", Subject: subject, Text: text, HTML: html,
		Template: tpl.Name, TemplateVersion: tpl.Version, Language: tpl.Lang}
	if added, err := o.Enqueue(ctx, msg); err != nil || !added {
		t.Fatalf("Enqueue = %v, %v", added, err)
	}
	retry := msg
	retry.Language = "en" // a retried activity that somehow chose otherwise does not rewrite the record
	if added, err := o.Enqueue(ctx, retry); err != nil || added {
		t.Fatalf("second Enqueue = %v, %v; want a no-op", added, err)
	}
	if _, err := o.Enqueue(ctx, Message{Key: "concern/x/sendco/u2", To: "sendco@school.example", Subject: "s", Text: "t", HTML: "h",
		Template: ConcernRaised.Name, TemplateVersion: ConcernRaised.Version}); err != nil {
		t.Fatal(err)
	}

	record := func(key string) (template, version, language string) {
		t.Helper()
		err := pool.QueryRow(ctx, `SELECT template, template_version, language FROM email_outbox WHERE idempotency_key = $1`, key).
			Scan(&template, &version, &language)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if tn, v, l := record(msg.Key); tn != "consent_request" || v != "1" || l != "pl" {
		t.Errorf("Polish record = %s v%s %s, want consent_request v1 pl", tn, v, l)
	}
	if _, _, l := record("concern/x/sendco/u2"); l != "en" {
		t.Errorf("a message without a language was recorded as %q, want en", l)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM email_outbox`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d rows (%v), want 2", n, err)
	}

	// Delivered, the parent sees the Polish subject (RFC 2047 encoded on the way) and body.
	d, box := capture(t, pool)
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, err := box.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var got *mailcapture.Message
	for i := range msgs {
		if msgs[i].To[0] == "rodzic@example.org" {
			got = &msgs[i]
		}
	}
	if got == nil {
		t.Fatalf("the Polish email was not delivered: %+v", msgs)
	}
	if got.Subject != "Prosimy o Twoją zgodę: Zuzanna" {
		t.Errorf("delivered subject %q", got.Subject)
	}
	if !strings.Contains(got.HTML, `<html lang="pl">`) || !strings.Contains(got.Text, "Dzień dobry, Robin Quill,") {
		t.Errorf("delivered bodies are not the Polish ones:\n%s", got.Text)
	}
}
