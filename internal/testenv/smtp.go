package testenv

import (
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one message an SMTPServer received.
type Mail struct {
	From string
	To   []string
	Data string // headers and body as sent (dot-unstuffed, CRLF line ends)
	Auth string // "user:password" of AUTH PLAIN; "" = none
}

// SMTPServer is a minimal SMTP receiver on loopback (EHLO/HELO, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT, AUTH PLAIN accepting any credentials; no TLS)
// that keeps every message.
type SMTPServer struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []Mail
	got  chan struct{}
}

// StartSMTP runs an SMTPServer until the test ends.
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{ln: ln, got: make(chan struct{}, 1000)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

// URL is the IIC_SMTP_URL that points at the server.
func (s *SMTPServer) URL() string { return "smtp://" + s.ln.Addr().String() + "?from=iic@example.com" }

// Messages returns the messages received so far.
func (s *SMTPServer) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// WaitFor returns the first message to rcpt at or after index from,
// failing the test after 10 s.
func (s *SMTPServer) WaitFor(t testing.TB, rcpt string, from int) (Mail, int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for i, m := range s.Messages() {
			if i < from {
				continue
			}
			for _, to := range m.To {
				if strings.EqualFold(to, rcpt) {
					return m, i
				}
			}
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("no e-mail to %s arrived", rcpt)
		}
	}
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(code int, msg string) { tp.PrintfLine("%d %s", code, msg) }
	reply(220, "iic-test ESMTP")
	var cur Mail
	auth := ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			tp.PrintfLine("250-iic-test")
			tp.PrintfLine("250-AUTH PLAIN")
			reply(250, "8BITMIME")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 {
				reply(535, "authentication failed")
				continue
			}
			auth = parts[1] + ":" + parts[2]
			reply(235, "ok")
		case "HELO", "NOOP":
			reply(250, "ok")
		case "RSET":
			cur = Mail{}
			reply(250, "ok")
		case "MAIL":
			cur = Mail{From: addrArg(arg), Auth: auth}
			reply(250, "ok")
		case "RCPT":
			cur.To = append(cur.To, addrArg(arg))
			reply(250, "ok")
		case "DATA":
			if len(cur.To) == 0 {
				reply(503, "no recipients")
				continue
			}
			reply(354, "end with <CRLF>.<CRLF>")
			lines, err := tp.ReadDotLines()
			if err != nil {
				return
			}
			cur.Data = strings.Join(lines, "\r\n")
			s.mu.Lock()
			s.mail = append(s.mail, cur)
			s.mu.Unlock()
			s.got <- struct{}{}
			cur = Mail{}
			reply(250, "queued")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "not implemented")
		}
	}
}

// addrArg extracts the address of "FROM:<a@b> SIZE=1" / "TO:<a@b>".
func addrArg(arg string) string {
	_, a, _ := strings.Cut(arg, ":")
	a, _, _ = strings.Cut(strings.TrimSpace(a), " ")
	return strings.Trim(a, "<>")
}
