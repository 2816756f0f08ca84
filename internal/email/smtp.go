package email

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/sendflow/sendflow/internal/config"
)

// SMTPSender delivers one composed message over SMTP.
type SMTPSender struct {
	Conf      config.SMTP
	TLSConfig *tls.Config // nil means verify against system roots for Conf.Host
}

// Send delivers raw to one recipient. A permanent refusal (5xx) is reported as *PermanentError so
// the dispatcher stops retrying it; anything else is worth another try.
func (s *SMTPSender) Send(from, to string, raw []byte) error {
	c, err := s.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if s.Conf.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return &PermanentError{Reason: "the SMTP server does not offer AUTH but SMTP_URL has credentials"}
		}
		if err := c.Auth(sasl.NewPlainClient("", s.Conf.Username, s.Conf.Password)); err != nil {
			return classify("authenticate", err)
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return classify("send", err)
	}
	return c.Quit()
}

// Check connects and says hello, so a wrong SMTP_URL is reported at start-up.
func (s *SMTPSender) Check() error {
	c, err := s.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if s.Conf.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Conf.Username, s.Conf.Password)); err != nil {
			return fmt.Errorf("SMTP_URL credentials refused by %s: %w", s.addr(), err)
		}
	}
	return c.Quit()
}

func (s *SMTPSender) addr() string { return net.JoinHostPort(s.Conf.Host, strconv.Itoa(s.Conf.Port)) }

func (s *SMTPSender) dial() (*smtp.Client, error) {
	tc := s.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: s.Conf.Host, MinVersion: tls.VersionTLS12}
	}
	conn, err := net.DialTimeout("tcp", s.addr(), s.Conf.Timeout)
	if err != nil {
		return nil, fmt.Errorf("connect to SMTP server %s: %w: %w", s.addr(), ErrUnreachable, err)
	}
	_ = conn.SetDeadline(time.Now().Add(2 * s.Conf.Timeout))
	var c *smtp.Client
	switch s.Conf.TLS {
	case "implicit":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "starttls":
		c, err = smtp.NewClientStartTLS(conn, tc)
	default:
		c = smtp.NewClient(conn)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("start TLS with SMTP server %s: %w", s.addr(), err)
	}
	return c, nil
}

// ErrUnreachable is a mail server that does not answer at all: the dispatcher waits for it, and a
// worker starts without it.
var ErrUnreachable = errors.New("the mail server is not answering")

// PermanentError is a refusal that retrying will not fix.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return e.Reason }

func classify(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return &PermanentError{Reason: fmt.Sprintf("%s: server replied %d %s", step, se.Code, se.Message)}
	}
	return fmt.Errorf("%s: %w", step, err)
}
