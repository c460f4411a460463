package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// rawPoster is a poster that speaks HTTP/1.1 itself on one keep-alive
// connection: the request head is built once, and an answer is read by its
// status line and Content-Length (or chunked body) into a reused buffer.
// It costs the load program a fraction of net/http's client (no per-request
// goroutine hand-offs, header maps or timers), which matters when the
// program shares the machine with the server it measures. A connection the
// server closes is redialled.
type rawPoster struct {
	addr, path string
	head       []byte // the request line and headers up to Content-Length's value
	conn       net.Conn
	r          *bufio.Reader
	req, buf   []byte
}

const rawTimeout = 30 * time.Second

func newRawPoster(target, contentType string) *rawPoster {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" {
		fail("raw HTTP needs an http URL: " + target)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	head := "POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: iic-loadgen\r\nContent-Type: " + contentType + "\r\nContent-Length: "
	return &rawPoster{addr: host, path: u.Path, head: []byte(head), buf: make([]byte, 0, 4096)}
}

// post sends body and returns the answer's body (valid until the next
// post) if its status is want.
func (p *rawPoster) post(body []byte, want int) (bool, []byte, error) {
	p.req = append(strconv.AppendInt(append(p.req[:0], p.head...), int64(len(body)), 10), "\r\n\r\n"...)
	p.req = append(p.req, body...)
	for attempt := 0; ; attempt++ {
		fresh := p.conn == nil
		if fresh {
			c, err := net.DialTimeout("tcp", p.addr, rawTimeout)
			if err != nil {
				return false, nil, err
			}
			p.conn, p.r = c, bufio.NewReaderSize(c, 8192)
		}
		p.conn.SetDeadline(time.Now().Add(rawTimeout))
		status, keep, err := p.exchange()
		if err != nil {
			p.conn.Close()
			p.conn = nil
			// A kept-alive connection the server closed meanwhile: once more
			// on a new one (the request was not answered).
			if !fresh && attempt == 0 && status == 0 {
				continue
			}
			return status != 0, nil, err
		}
		if !keep {
			p.conn.Close()
			p.conn = nil
		}
		if status != want {
			b := p.buf
			if len(b) > 300 {
				b = b[:300]
			}
			return true, nil, fmt.Errorf("POST %s: %d %s", p.path, status, b)
		}
		return true, p.buf, nil
	}
}

var errBadAnswer = errors.New("malformed HTTP answer")

// exchange writes the request and reads one answer into p.buf; status is
// 0 when no status line came.
func (p *rawPoster) exchange() (status int, keep bool, err error) {
	if _, err := p.conn.Write(p.req); err != nil {
		return 0, false, err
	}
	line, err := p.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, errBadAnswer
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, errBadAnswer
	}
	length, chunked, keep := -1, false, line[7] == '1'
	for {
		h, err := p.r.ReadSlice('\n')
		if err != nil {
			return status, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return status, false, errBadAnswer
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 || length > 1<<20 {
				return status, false, errBadAnswer
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	p.buf = p.buf[:0]
	switch {
	case chunked:
		for {
			sz, err := p.r.ReadSlice('\n')
			if err != nil {
				return status, false, err
			}
			sz, _, _ = bytes.Cut(bytes.TrimRight(sz, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(sz), 16, 32)
			if err != nil || n < 0 || len(p.buf)+int(n) > 1<<20 {
				return status, false, errBadAnswer
			}
			if n == 0 {
				for { // trailers, up to the empty line
					t, err := p.r.ReadSlice('\n')
					if err != nil {
						return status, false, err
					}
					if len(bytes.TrimRight(t, "\r\n")) == 0 {
						return status, keep, nil
					}
				}
			}
			if p.buf, err = readN(p.r, p.buf, int(n)+2); err != nil { // the chunk and its CRLF
				return status, false, err
			}
			p.buf = p.buf[:len(p.buf)-2]
		}
	case length >= 0:
		p.buf, err = readN(p.r, p.buf, length)
		return status, keep, err
	default: // the body ends with the connection
		rest, err := io.ReadAll(io.LimitReader(p.r, 1<<20))
		p.buf = append(p.buf, rest...)
		return status, false, err
	}
}

// readN appends n bytes of r to b.
func readN(r io.Reader, b []byte, n int) ([]byte, error) {
	start := len(b)
	b = slices.Grow(b, n)[:start+n]
	_, err := io.ReadFull(r, b[start:])
	return b, err
}
