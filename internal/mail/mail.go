// Package mail sends Arcade's emails (the dashboard's notification verification): over SMTP to
// a configured server (ARCADE_SMTP_URL), or, by default, into an outbox directory under the data
// directory where the operator reads them. It holds no rule of ours.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	To, Subject, Body string
}

// Sender sends a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// render writes m as RFC 5322 text with CRLF line ends.
func render(from string, m Message, now time.Time, id string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from)
	h("To", m.To)
	h("Subject", m.Subject)
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+id+"@arcade>")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	if !strings.HasSuffix(body, "\r\n") {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// check refuses header injection: the address and subject are single lines.
func check(m Message) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return errors.New("mail: header fields must be single lines")
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail: recipient %q: %w", m.To, err)
	}
	return nil
}

// DefaultFrom is the sender address when the configuration names none.
const DefaultFrom = "Arcade <no-reply@arcade.localhost>"

// SMTP sends through an SMTP server: STARTTLS when the server offers it (required before
// authenticating anywhere but loopback), PLAIN authentication when the URL has a user.
type SMTP struct {
	Addr string // host:port
	From string
	User string
	Pass string
	// TLS is the client configuration for STARTTLS (nil: verify the server's name).
	TLS     *tls.Config
	Timeout time.Duration // for the whole exchange (0: 30 s)
	Now     func() time.Time
}

// ParseURL reads smtp://[user[:password]@]host[:port][?from=Name <addr>] (port 25 by default).
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: want smtp://[user[:password]@]host[:port][?from=...], got %q", raw)
	}
	s := &SMTP{Addr: u.Host, From: DefaultFrom}
	if u.Port() == "" {
		s.Addr = net.JoinHostPort(u.Hostname(), "25")
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Pass, _ = u.User.Password()
	}
	if f := u.Query().Get("from"); f != "" {
		if _, err := mail.ParseAddress(f); err != nil {
			return nil, fmt.Errorf("mail: from=%q: %w", f, err)
		}
		s.From = f
	}
	return s, nil
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := check(m); err != nil {
		return err
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	to, _ := mail.ParseAddress(m.To)
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: dial %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("mail: %s: %w", s.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Pass, host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if _, err := w.Write(render(s.From, m, now(), newID())); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return c.Quit()
}

// Outbox is the embedded default: each message becomes one .eml file in Dir, named by time, for
// the operator to read (nothing leaves the machine).
type Outbox struct {
	Dir string
	Now func() time.Time
}

// Send implements Sender.
func (o *Outbox) Send(_ context.Context, m Message) error {
	if err := check(m); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t, id := now(), newID()
	name := filepath.Join(o.Dir, t.UTC().Format("20060102T150405.000000000Z")+"-"+id+".eml")
	if err := os.WriteFile(name, render(DefaultFrom, m, t, id), 0o640); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return nil
}
