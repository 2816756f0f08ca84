package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// envelope is who a message is from and to, and what it is.
type envelope struct {
	// From is the deployment's sending address (SENDFLOW_MAIL_FROM), maybe with a name.
	From string
	// FromName, when set, is the name the message is sent under in place of From's own: the
	// school's, so families see who it is from. ReplyTo is where replies go: the school's contact.
	FromName, ReplyTo string
	To, Subject       string
	// Language is the message's language tag ("en" when empty), for Content-Language.
	Language string
	OutboxID string
	Date     time.Time
}

// compose builds an RFC 5322 message with a plain-text and an HTML alternative. The Message-ID is
// derived from the outbox id so a resend after a crash is recognisable as the same message.
// Every message is marked Auto-Submitted (RFC 3834), so out-of-office replies are not sent back.
//
// With attachments the message is multipart/mixed: first the multipart/alternative of the two
// bodies, then each attachment, base64-encoded with Content-Disposition: attachment. A calendar
// invitation keeps its method parameter (text/calendar; method=REQUEST), which Gmail, Outlook
// and Apple Mail read to offer the invitation's buttons.
func compose(e envelope, text, html string, attachments ...Attachment) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(e.From)
	if err != nil {
		return nil, fmt.Errorf("from address %q: %w", e.From, err)
	}
	if e.FromName != "" {
		fromAddr.Name = e.FromName
	}
	toAddr, err := mail.ParseAddress(e.To)
	if err != nil {
		return nil, fmt.Errorf("the recipient's address: %w", err) // not the address: errors are logged
	}
	language := e.Language
	if language == "" {
		language = "en"
	}
	if strings.ContainsAny(language, "\r\n") {
		return nil, fmt.Errorf("language %q: a header value is one line", language)
	}
	var buf bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	header("From", fromAddr.String())
	if e.ReplyTo != "" {
		replyTo, err := mail.ParseAddress(e.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("reply-to address %q: %w", e.ReplyTo, err)
		}
		replyTo.Name = e.FromName
		header("Reply-To", replyTo.String())
	}
	header("To", toAddr.String())
	header("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	header("Date", e.Date.Format(time.RFC1123Z))
	header("Message-ID", MessageID(e.OutboxID, fromAddr.Address))
	header("Auto-Submitted", "auto-generated")
	header("Content-Language", language)
	header("MIME-Version", "1.0")

	if len(attachments) == 0 {
		alt := multipart.NewWriter(&buf)
		header("Content-Type", `multipart/alternative; boundary="`+alt.Boundary()+`"`)
		buf.WriteString("\r\n")
		if err := writeAlternative(alt, text, html); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}

	mixed := multipart.NewWriter(&buf)
	header("Content-Type", `multipart/mixed; boundary="`+mixed.Boundary()+`"`)
	buf.WriteString("\r\n")
	// The alternative part's boundary must be known before its header is written.
	var body bytes.Buffer
	alt := multipart.NewWriter(&body)
	if err := writeAlternative(alt, text, html); err != nil {
		return nil, err
	}
	w, err := mixed.CreatePart(
		textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + alt.Boundary() + `"`}},
	)
	if err != nil {
		return nil, fmt.Errorf("mime part: %w", err)
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return nil, fmt.Errorf("mime part: %w", err)
	}
	for _, a := range attachments {
		if err := a.check(); err != nil {
			return nil, err
		}
		ctype := a.ContentType
		if mt, params, _ := mime.ParseMediaType(ctype); params["name"] == "" {
			params["name"] = a.Filename
			ctype = mime.FormatMediaType(mt, params)
		}
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type": {ctype},
			"Content-Disposition": {
				mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}),
			},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, fmt.Errorf("mime part: %w", err)
		}
		if err := writeBase64(w, a.Content); err != nil {
			return nil, fmt.Errorf("encode attachment %s: %w", a.Filename, err)
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, fmt.Errorf("close mime: %w", err)
	}
	return buf.Bytes(), nil
}

// writeAlternative writes the text and HTML bodies, quoted-printable, and closes mw.
func writeAlternative(mw *multipart.Writer, text, html string) error {
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", html},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return fmt.Errorf("mime part: %w", err)
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.body, "\r\n", "\n"))); err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
		if err := qp.Close(); err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("close mime: %w", err)
	}
	return nil
}

// writeBase64 writes b in base64 lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, b []byte) error {
	enc := base64.StdEncoding.EncodeToString(b)
	for len(enc) > 76 {
		if _, err := io.WriteString(w, enc[:76]+"\r\n"); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err := io.WriteString(w, enc+"\r\n")
	return err
}

// MessageID is the stable Message-ID header of an outbox message.
func MessageID(outboxID, fromAddress string) string {
	domain := "sendflow.invalid"
	if at := strings.LastIndex(fromAddress, "@"); at >= 0 && at < len(fromAddress)-1 {
		domain = fromAddress[at+1:]
	}
	return "<" + outboxID + "@" + domain + ">"
}
