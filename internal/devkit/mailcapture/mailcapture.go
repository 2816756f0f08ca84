// Package mailcapture is the SMTP capture mailbox behind `sendflow dev`.
//
// It runs a real SMTP server that accepts every message (authenticated or
// not) and stores it as an .eml file on disk, so a newcomer can see every
// email the product sends without configuring a real mail server, and the
// mail survives a restart of the dev process. Handler serves the captured
// mail as an HTML page and as JSON.
package mailcapture

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	// Domain is the name the SMTP server greets clients with.
	Domain = "sendflow.dev"
	// MaxMessageBytes is the largest message the server accepts.
	MaxMessageBytes = 10 << 20

	// Headers prepended to each stored message. The .eml file is the only
	// storage, so the SMTP envelope (which can differ from the From/To
	// headers, e.g. for Bcc) has to live inside it to survive a restart.
	hdrEnvelopeFrom = "X-Sendflow-Envelope-From"
	hdrEnvelopeTo   = "X-Sendflow-Envelope-To"

	// idTimeLayout is UTC with millisecond precision so that IDs (and file
	// names) sort chronologically as plain strings.
	idTimeLayout = "20060102T150405.000"
	emlExt       = ".eml"
	tmpPattern   = ".incoming-*.tmp"

	// maxMIMEDepth bounds recursion into nested multiparts so a hostile
	// message cannot exhaust the stack.
	maxMIMEDepth = 16
)

// idPattern matches the IDs this package generates. Every ID that reaches
// the file system is checked against it, which also rules out path
// traversal ("../", separators) in IDs taken from URLs.
var idPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}\.[0-9]{3}-[0-9]+$`)

// Message is one captured email, parsed from its .eml file.
type Message struct {
	ID         string // file-based, sortable: "20261123T080102.123-000001"
	ReceivedAt time.Time
	From       string   // SMTP envelope sender (MAIL FROM)
	To         []string // SMTP envelope recipients (RCPT TO)
	Subject    string   // decoded from RFC 2047 encoded words
	MessageID  string   // Message-ID header, as written by the sender
	Text       string   // text/plain body, or the stripped HTML body if there is none
	HTML       string   // text/html body, if any
	// Attachments lists non-body parts, e.g. text/calendar invites.
	Attachments []Attachment
	// Raw is the stored .eml file: the message as received, preceded by
	// the X-Sendflow-Envelope-* headers.
	Raw []byte `json:"-"`
}

// Attachment describes a non-body MIME part. Size is the decoded size in bytes.
type Attachment struct {
	Filename    string
	ContentType string
	Size        int
}

// Box is a capture mailbox: an SMTP server backed by a directory of .eml files.
type Box struct {
	// Delay holds each reply to DATA this long after the message is stored, as a slow or busy
	// server does, so clients can be tried against one. Set it before Start.
	Delay time.Duration

	dir    string
	logger *slog.Logger
	seq    atomic.Uint64 // last sequence number used in an ID

	mu       sync.Mutex
	srv      *smtp.Server
	addr     net.Addr
	served   chan error // result of srv.Serve, for ListenAndServe
	closed   bool
	inflight sync.WaitGroup // DATA commands being written to disk
}

// Open opens (creating if needed) the mailbox stored in dir. Messages are
// stored as dir/<id>.eml. A nil logger means slog.Default().
func Open(dir string, logger *slog.Logger) (*Box, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("mailcapture: create mail dir: %w", err)
	}
	b := &Box{dir: dir, logger: logger.With("component", "mailcapture")}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mailcapture: read mail dir: %w", err)
	}
	var maxSeq uint64
	for _, e := range entries {
		name := e.Name()
		// A temp file left behind means the process died mid-DATA; the
		// client never got a 250 for it, so it is safe to drop.
		if ok, _ := filepath.Match(tmpPattern, name); ok {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				b.logger.Warn("remove stale temp file", "file", name, "err", err)
			}
			continue
		}
		id, ok := strings.CutSuffix(name, emlExt)
		if !ok || !idPattern.MatchString(id) {
			continue
		}
		// Continue the sequence after the stored messages so IDs created
		// by this process never collide with ones from a previous run.
		if _, seq, ok := splitID(id); ok && seq > maxSeq {
			maxSeq = seq
		}
	}
	b.seq.Store(maxSeq)
	return b, nil
}

// Dir returns the directory the messages are stored in.
func (b *Box) Dir() string { return b.dir }

// Start binds addr (e.g. "127.0.0.1:1025" or "127.0.0.1:0") and serves SMTP
// in the background until Close. It returns the bound address.
func (b *Box) Start(addr string) (net.Addr, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("mailcapture: box is closed")
	}
	if b.srv != nil {
		return nil, fmt.Errorf("mailcapture: already listening on %s", b.addr)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mailcapture: listen on %s: %w", addr, err)
	}

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{box: b, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = Domain
	srv.AllowInsecureAuth = true // dev only: plaintext AUTH so clients configured with credentials work
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = 1000
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = smtpLogger{b.logger}

	b.srv = srv
	b.addr = ln.Addr()
	b.served = make(chan error, 1)
	go func() { b.served <- srv.Serve(ln) }()

	b.logger.Info("SMTP capture mailbox listening", "addr", b.addr.String(), "dir", b.dir)
	return b.addr, nil
}

// ListenAndServe is Start followed by waiting until the server stops. It
// returns nil after Close.
func (b *Box) ListenAndServe(addr string) error {
	if _, err := b.Start(addr); err != nil {
		return err
	}
	err := <-b.served
	if err != nil {
		return fmt.Errorf("mailcapture: serve SMTP: %w", err)
	}
	return nil
}

// Addr returns the address the SMTP server is bound to, or nil if it is
// not started.
func (b *Box) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Close stops the SMTP server, dropping open connections, and waits for
// in-progress deliveries to finish or abort. Stored mail stays on disk.
// Close is safe to call more than once and on a Box that was never started.
func (b *Box) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	srv := b.srv
	b.mu.Unlock()

	var err error
	if srv != nil {
		if cerr := srv.Close(); cerr != nil && !errors.Is(cerr, smtp.ErrServerClosed) {
			err = fmt.Errorf("mailcapture: close SMTP server: %w", cerr)
		}
	}
	// srv.Close does not wait for connection goroutines; wait for ours so
	// no file is being written once Close returns.
	b.inflight.Wait()
	return err
}

// Messages returns all stored messages, newest first. A message that cannot
// be parsed is still returned (with what could be read) so that malformed
// mail is visible rather than hidden.
func (b *Box) Messages() ([]Message, error) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, fmt.Errorf("mailcapture: list mail dir: %w", err)
	}
	var ids []string
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), emlExt)
		if ok && e.Type().IsRegular() && idPattern.MatchString(id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return compareIDs(b, a) })

	msgs := make([]Message, 0, len(ids))
	for _, id := range ids {
		raw, err := os.ReadFile(filepath.Join(b.dir, id+emlExt))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted between ReadDir and ReadFile
		}
		if err != nil {
			return nil, fmt.Errorf("mailcapture: read message %s: %w", id, err)
		}
		m, err := parseMessage(id, raw)
		if err != nil {
			b.logger.Warn("parse captured message", "id", id, "err", err)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// rawMessage returns the stored bytes of message id. It reports
// os.ErrNotExist for unknown or invalid IDs.
func (b *Box) rawMessage(id string) ([]byte, error) {
	if !idPattern.MatchString(id) {
		return nil, os.ErrNotExist
	}
	raw, err := os.ReadFile(filepath.Join(b.dir, id+emlExt))
	if err != nil {
		return nil, fmt.Errorf("mailcapture: read message %s: %w", id, err)
	}
	return raw, nil
}

// newID returns a fresh message ID and the receive time it encodes.
func (b *Box) newID() (string, time.Time) {
	// Truncate so ReceivedAt parsed back from the ID equals this one.
	now := time.Now().UTC().Truncate(time.Millisecond)
	// Zero-padded so file names also sort correctly in a directory listing.
	return fmt.Sprintf("%s-%06d", now.Format(idTimeLayout), b.seq.Add(1)), now
}

// store writes one message atomically: the data goes to a temp file in the
// mail dir and is renamed into place only once complete, so Messages never
// sees a half-written message.
func (b *Box) store(from string, to []string, r io.Reader) (id string, size int64, err error) {
	tmp, err := os.CreateTemp(b.dir, tmpPattern)
	if err != nil {
		return "", 0, fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	w := bufio.NewWriter(tmp)
	fmt.Fprintf(w, "%s: <%s>\r\n", hdrEnvelopeFrom, headerSafe(from))
	for _, rcpt := range to {
		fmt.Fprintf(w, "%s: <%s>\r\n", hdrEnvelopeTo, headerSafe(rcpt))
	}
	// Errors from r are returned as-is: go-smtp turns an *smtp.SMTPError
	// such as ErrDataTooLarge into the matching reply code.
	if size, err = io.Copy(w, r); err != nil {
		return "", 0, err
	}
	if err = w.Flush(); err != nil {
		return "", 0, fmt.Errorf("write temp file: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("sync temp file: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("close temp file: %w", err)
	}
	id, _ = b.newID()
	if err = os.Rename(tmp.Name(), filepath.Join(b.dir, id+emlExt)); err != nil {
		return "", 0, fmt.Errorf("rename temp file: %w", err)
	}
	return id, size, nil
}

// headerSafe keeps an envelope address from breaking the header line it is
// written into.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", "", "\n", "", "<", "", ">", "").Replace(s)
}

// session is one SMTP connection. It accepts everything.
type session struct {
	box    *Box
	remote string
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

// AuthMechanisms advertises PLAIN so that clients configured with
// credentials can log in; authentication is never required.
func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		return nil // any credentials are fine in the dev mailbox
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.to = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.box.inflight.Add(1)
	defer s.box.inflight.Done()

	id, size, err := s.box.store(s.from, s.to, r)
	if err != nil {
		if smtpErr, ok := errors.AsType[*smtp.SMTPError](err); ok {
			s.box.logger.Warn("rejected message", "remote", s.remote, "reason", smtpErr.Message)
			return smtpErr
		}
		s.box.logger.Error("store captured message", "remote", s.remote, "err", err)
		// Don't leak local paths to the client; a 4xx makes it retry.
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Could not store message"}
	}
	time.Sleep(s.box.Delay)

	// Ids only: addresses and subjects name people and pupils; the mailbox's page shows them.
	s.box.logger.Info("captured mail", "id", id, "recipients", len(s.to), "bytes", size)
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// smtpLogger routes go-smtp's internal log lines (connection errors) to slog.
type smtpLogger struct{ l *slog.Logger }

func (s smtpLogger) Printf(format string, v ...any) {
	s.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (s smtpLogger) Println(v ...any) { s.l.Debug(strings.TrimSpace(fmt.Sprintln(v...))) }

// splitID returns the time and sequence parts of a valid ID.
func splitID(id string) (time.Time, uint64, bool) {
	ts, seqStr, ok := strings.Cut(id, "-")
	if !ok {
		return time.Time{}, 0, false
	}
	t, err := time.Parse(idTimeLayout, ts)
	if err != nil {
		return time.Time{}, 0, false
	}
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if err != nil {
		return time.Time{}, 0, false
	}
	return t, seq, true
}

// compareIDs orders IDs by time, then numerically by sequence (so the order
// holds even if the sequence outgrows its zero padding).
func compareIDs(a, b string) int {
	ta, sa, _ := splitID(a)
	tb, sb, _ := splitID(b)
	if c := ta.Compare(tb); c != 0 {
		return c
	}
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

var wordDecoder = &mime.WordDecoder{}

// decodeHeader decodes RFC 2047 encoded words, falling back to the raw
// value when the encoding is broken or the charset unknown.
func decodeHeader(v string) string {
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(d)
}

// parseMessage builds a Message from a stored .eml file. On error it still
// returns the fields it could fill (always ID, ReceivedAt and Raw).
func parseMessage(id string, raw []byte) (Message, error) {
	m := Message{ID: id, Raw: raw}
	m.ReceivedAt, _, _ = splitID(id)

	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.Text = string(raw)
		return m, fmt.Errorf("read header: %w", err)
	}
	m.From = strings.Trim(msg.Header.Get(hdrEnvelopeFrom), "<>")
	for _, rcpt := range msg.Header[textproto.CanonicalMIMEHeaderKey(hdrEnvelopeTo)] {
		m.To = append(m.To, strings.Trim(rcpt, "<>"))
	}
	m.Subject = decodeHeader(msg.Header.Get("Subject"))
	m.MessageID = strings.TrimSpace(msg.Header.Get("Message-Id"))

	err = m.parsePart(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	if m.Text == "" && m.HTML != "" {
		m.Text = stripHTML(m.HTML)
	}
	if err != nil {
		return m, fmt.Errorf("parse body: %w", err)
	}
	return m, nil
}

// parsePart walks one MIME part: multiparts are recursed into, the first
// inline text/plain and text/html parts become the bodies, and everything
// else is recorded as an attachment.
func (m *Message) parsePart(h textproto.MIMEHeader, body io.Reader, depth int) error {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		// RFC 2045: a missing or invalid Content-Type means plain ASCII text.
		mediaType, params = "text/plain", map[string]string{}
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxMIMEDepth {
			return fmt.Errorf("multipart nested deeper than %d levels", maxMIMEDepth)
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart, unlike NextPart, leaves Content-Transfer-Encoding
			// to us so that every part is decoded the same way.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s part: %w", mediaType, err)
			}
			if err := m.parsePart(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}

	data, err := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mediaType, err)
	}

	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = decodeHeader(filename) // some mailers RFC 2047-encode filenames
	inline := disposition != "attachment" && filename == ""

	switch {
	case inline && mediaType == "text/plain" && m.Text == "":
		m.Text = toUTF8(data, params["charset"])
	case inline && mediaType == "text/html" && m.HTML == "":
		m.HTML = toUTF8(data, params["charset"])
	default:
		m.Attachments = append(m.Attachments, Attachment{
			Filename:    filename,
			ContentType: mediaType,
			Size:        len(data),
		})
	}
	return nil
}

// decodeTransfer undoes a Content-Transfer-Encoding. 7bit, 8bit, binary and
// unknown encodings are passed through unchanged.
func decodeTransfer(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		// base64.NewDecoder skips the CR/LF line breaks in MIME bodies.
		return base64.NewDecoder(base64.StdEncoding, r)
	default:
		return r
	}
}

// toUTF8 converts a text body to UTF-8. Only ISO-8859-1 needs converting
// without pulling in x/text; other charsets are kept as-is, which is fine
// for a dev tool whose mail is generated as UTF-8.
func toUTF8(b []byte, charset string) string {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	default:
		return string(b)
	}
}

var (
	htmlDropRe   = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>|<!--.*?-->`)
	htmlBreakRe  = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|tr|li|h[1-6]|table|blockquote)\s*>`)
	htmlTagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	hSpaceRe     = regexp.MustCompile(`[ \t\r\f\v\x{00a0}]+`)
	blankLinesRe = regexp.MustCompile(`\n{3,}`)
)

// stripHTML turns an HTML body into readable plain text for messages that
// have no text/plain part. It is deliberately simple: enough to read an
// email, not a full HTML renderer.
func stripHTML(s string) string {
	s = htmlDropRe.ReplaceAllString(s, "")
	s = strings.NewReplacer("\r\n", " ", "\n", " ").Replace(s) // source newlines are not line breaks in HTML
	s = htmlBreakRe.ReplaceAllString(s, "\n")
	s = htmlTagRe.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = hSpaceRe.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankLinesRe.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}
