// Package mail sends the server's e-mails (set-password links, e-mail
// verification links) over SMTP with the standard library's net/smtp.
//
// The server is configured with one URL (IIC_SMTP_URL / --smtp-url):
//
//	smtp://[user[:password]@]host[:port]?from=sender@example.com
//	smtps://[user[:password]@]host[:port]?from=sender@example.com
//
// smtp:// connects in plain text (default port 587) and upgrades with
// STARTTLS whenever the server offers it; smtps:// speaks TLS from the
// first byte (default port 465). With a user name the mailer authenticates
// with PLAIN, which net/smtp only allows over TLS or to localhost. The from
// parameter is required; user and password are URL-escaped
// (e.g. p%40ss for p@ss). Optional: insecure_skip_verify=true skips TLS
// certificate checks (for test relays only).
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTP delivers messages to one SMTP relay.
type SMTP struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://
	user     string
	password string
	from     string
	tls      *tls.Config
	// Now stamps the Date header; nil = time.Now.
	Now func() time.Time
}

// ParseURL parses an smtp:// or smtps:// URL (see the package comment).
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, password included: say less.
		return nil, errors.New("smtp url: malformed URL (escape special characters of the user and password, e.g. @ as %40)")
	}
	m := &SMTP{}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port, m.implicit = "465", true
	default:
		return nil, errors.New("smtp url: scheme must be smtp or smtps")
	}
	m.host = u.Hostname()
	if m.host == "" {
		return nil, errors.New("smtp url: host is required")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	q := u.Query()
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil || strings.ContainsAny(q.Get("from"), "\r\n") {
		return nil, errors.New("smtp url: parameter from=<sender address> is required and must be an e-mail address")
	}
	m.from = from.Address
	m.tls = &tls.Config{ServerName: m.host, InsecureSkipVerify: q.Get("insecure_skip_verify") == "true"}
	return m, nil
}

// From is the sender address.
func (m *SMTP) From() string { return m.from }

// Send delivers a plain-text message to one recipient.
func (m *SMTP) Send(ctx context.Context, to, subject, body string) error {
	addr, err := mail.ParseAddress(to)
	if err != nil || strings.ContainsAny(to, "\r\n") || strings.ContainsAny(subject, "\r\n") {
		return fmt.Errorf("mail: invalid recipient or subject")
	}
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	if m.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: m.tls}).DialContext(ctx, "tcp", m.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.addr)
	}
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", m.addr, err)
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("mail: hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !m.implicit {
		if err := c.StartTLS(m.tls); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if m.user != "" {
		if err := c.Auth(smtp.PlainAuth("", m.user, m.password, m.host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(m.from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(addr.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(m.message(addr.Address, subject, body)); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: end of data: %w", err)
	}
	return c.Quit()
}

func (m *SMTP) message(to, subject, body string) []byte {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	var b strings.Builder
	b.WriteString("From: " + m.from + "\r\n")
	b.WriteString("To: " + to + "\r\n")
	b.WriteString("Subject: " + mimeHeader(subject) + "\r\n")
	b.WriteString("Date: " + now().Format(time.RFC1123Z) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}

// mimeHeader encodes a non-ASCII header value (RFC 2047).
func mimeHeader(s string) string {
	for _, r := range s {
		if r > 0x7e {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
