package mailcapture

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	testSubject = "Réservation confirmée ✓ for Zoë"
	calendarICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Demo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

// inviteMessage is a multipart/mixed message wrapping a multipart/alternative
// (quoted-printable text, base64 HTML) plus a base64 text/calendar
// attachment, the shape of a typical booking confirmation.
func inviteMessage() string {
	b64 := func(s string) string {
		return wrap76(base64Std(s))
	}
	return strings.ReplaceAll(`From: Sendflow <noreply@example.com>
To: Zoë <zoe@example.com>
Subject: `+mime.BEncoding.Encode("UTF-8", testSubject)+`
Message-ID: <invite-1@sendflow.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello Zo=C3=AB, your booking is confirmed. This line is long enough to need=
 a soft line break.
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

`+b64("<p>Hello <b>Zoë</b>, your booking is confirmed.</p>")+`
--inner--

--outer
Content-Type: text/calendar; charset=utf-8; method=REQUEST; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

`+b64(calendarICS)+`
--outer--
`, "\n", "\r\n")
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func wrap76(s string) string {
	var lines []string
	for len(s) > 76 {
		lines = append(lines, s[:76])
		s = s[76:]
	}
	return strings.Join(append(lines, s), "\n")
}

func openBox(t *testing.T, dir string) (*Box, string) {
	t.Helper()
	box, err := Open(dir, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	addr, err := box.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { box.Close() })
	return box, addr.String()
}

// send delivers msg over a real SMTP connection, authenticating with PLAIN
// first when auth is set.
func send(t *testing.T, addr string, auth bool, from string, to []string, msg string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	if auth {
		if err := c.Auth(sasl.NewPlainClient("", "anyone", "whatever")); err != nil {
			t.Fatalf("AUTH PLAIN: %v", err)
		}
	}
	if err := c.SendMail(from, to, strings.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

func TestCaptureParsePersistAndServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail") // does not exist yet: Open creates it
	box, addr := openBox(t, dir)

	// Authenticated delivery of the invite, then an unauthenticated
	// HTML-only message: both must be accepted.
	if err := send(t, addr, true, "noreply@example.com", []string{"zoe@example.com", "bcc@example.com"}, inviteMessage()); err != nil {
		t.Fatalf("send invite: %v", err)
	}
	htmlOnly := "From: a@example.com\r\nTo: b@example.com\r\nSubject: HTML only\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>p{}</style></head><body><p>First&nbsp;para</p><p>Second</p></body></html>\r\n"
	if err := send(t, addr, false, "a@example.com", []string{"b@example.com"}, htmlOnly); err != nil {
		t.Fatalf("send unauthenticated: %v", err)
	}

	msgs, err := box.Messages()
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	if msgs[0].Subject != "HTML only" {
		t.Errorf("newest first: msgs[0].Subject = %q, want %q", msgs[0].Subject, "HTML only")
	}
	if got, want := msgs[0].Text, "First para\nSecond"; got != want {
		t.Errorf("stripped HTML text = %q, want %q", got, want)
	}
	checkInvite(t, msgs[1])

	// The HTTP views.
	h := box.Handler()
	rec := get(t, h, "/dev/mail.json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /dev/mail.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var fromJSON []Message
	if err := json.Unmarshal(rec.Body.Bytes(), &fromJSON); err != nil {
		t.Fatalf("decode JSON: %v\n%s", err, rec.Body)
	}
	if len(fromJSON) != 2 || fromJSON[0].ID != msgs[0].ID {
		t.Fatalf("JSON messages not newest first: %+v", fromJSON)
	}
	checkInvite(t, fromJSON[1])
	if strings.Contains(rec.Body.String(), `"Raw"`) {
		t.Errorf("JSON must not include Raw")
	}

	rec = get(t, h, "/dev/mail")
	page := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dev/mail: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="en">`,
		testSubject,
		"your booking is confirmed",
		"zoe@example.com",
		"invite.ics",
		`href="/dev/mail/` + msgs[1].ID + `.eml"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML page lacks %q", want)
		}
	}

	rec = get(t, h, "/dev/mail/"+msgs[1].ID+".eml")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Message-ID: <invite-1@sendflow.test>") {
		t.Errorf("GET raw .eml: %d\n%s", rec.Code, rec.Body)
	}

	// Mail survives a restart: close, reopen on the same dir, and new IDs
	// continue after the stored ones.
	if err := box.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	box2, addr2 := openBox(t, dir)
	msgs2, err := box2.Messages()
	if err != nil {
		t.Fatalf("Messages after reopen: %v", err)
	}
	if len(msgs2) != 2 {
		t.Fatalf("after reopen got %d messages, want 2", len(msgs2))
	}
	checkInvite(t, msgs2[1])
	if err := send(t, addr2, false, "c@example.com", []string{"d@example.com"}, "Subject: third\r\n\r\nhi\r\n"); err != nil {
		t.Fatalf("send after reopen: %v", err)
	}
	msgs3, err := box2.Messages()
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if len(msgs3) != 3 || msgs3[0].Subject != "third" ||
		slices.Contains([]string{msgs[0].ID, msgs[1].ID}, msgs3[0].ID) {
		t.Errorf("after reopen, newest should be the new message with a fresh ID; got %+v", msgs3[0])
	}
}

func checkInvite(t *testing.T, m Message) {
	t.Helper()
	if m.Subject != testSubject {
		t.Errorf("Subject = %q, want %q", m.Subject, testSubject)
	}
	if m.From != "noreply@example.com" || !slices.Equal(m.To, []string{"zoe@example.com", "bcc@example.com"}) {
		t.Errorf("envelope = %q -> %q", m.From, m.To)
	}
	if m.MessageID != "<invite-1@sendflow.test>" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if want := "Hello Zoë, your booking is confirmed. This line is long enough to need a soft line break."; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	if want := "<p>Hello <b>Zoë</b>, your booking is confirmed.</p>"; m.HTML != want {
		t.Errorf("HTML = %q, want %q", m.HTML, want)
	}
	want := []Attachment{{Filename: "invite.ics", ContentType: "text/calendar", Size: len(calendarICS)}}
	if !slices.Equal(m.Attachments, want) {
		t.Errorf("Attachments = %+v, want %+v", m.Attachments, want)
	}
	if m.ReceivedAt.IsZero() {
		t.Errorf("ReceivedAt is zero")
	}
}

func TestRawEndpointRefusesBadIDs(t *testing.T) {
	root := t.TempDir()
	// A file next to the mail dir that traversal would reach.
	if err := os.WriteFile(filepath.Join(root, "secret.eml"), []byte("TOP SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	box, err := Open(filepath.Join(root, "mail"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	h := box.Handler()

	if rec := get(t, h, "/dev/mail/20261123T080102.123-000001.eml"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown id: status %d, want 404", rec.Code)
	}
	for _, path := range []string{
		"/dev/mail/..%2Fsecret.eml",
		"/dev/mail/..%2f..%2fmail%2f..%2fsecret.eml",
		"/dev/mail/../secret.eml",
		"/dev/mail/..",
		"/dev/mail/secret.eml",
	} {
		rec := get(t, h, path)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "TOP SECRET") {
			t.Errorf("%s: status %d, body %q: traversal not refused", path, rec.Code, rec.Body)
		}
	}
	if rec := get(t, h, "/dev/mail/..%2Fsecret.eml"); rec.Code != http.StatusBadRequest {
		t.Errorf("encoded traversal: status %d, want 400", rec.Code)
	}
}

func TestOversizedMessageIsRejectedAndLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	box, addr := openBox(t, dir)

	big := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", MaxMessageBytes/1000+10)
	err := send(t, addr, false, "a@example.com", []string{"b@example.com"}, big)
	if err == nil {
		t.Fatal("oversized message was accepted")
	}
	if smtpErr, ok := err.(*smtp.SMTPError); !ok || smtpErr.Code != 552 {
		t.Errorf("error = %v, want SMTP 552", err)
	}
	box.Close()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("unexpected file left in mail dir: %s", e.Name())
	}
}

func TestOpenRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".incoming-123.tmp")
	if err := os.WriteFile(stale, []byte("Subject: half"), 0o644); err != nil {
		t.Fatal(err)
	}
	box, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp file still present: %v", err)
	}
	if msgs, err := box.Messages(); err != nil || len(msgs) != 0 {
		t.Errorf("Messages = %v, %v; want empty", msgs, err)
	}
	rec := get(t, box.Handler(), "/dev/mail.json")
	if strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("empty JSON = %q, want []", rec.Body)
	}
}

func TestStripHTML(t *testing.T) {
	got := stripHTML(
		"<div>Hi&amp;bye<br/>line\n two</div><!-- c --><script>x()</script><table><tr><td>a</td></tr></table>",
	)
	if want := "Hi&bye\nline two\na"; got != want {
		t.Errorf("stripHTML = %q, want %q", got, want)
	}
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// testWriter sends the Box's logs to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
