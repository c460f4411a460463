package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// poster sends one worker's timed requests cheaply, so that the load
// program's own CPU time stays small beside the server's: its headers are
// built once, the request body is a byte slice the caller reuses, and the
// answer is read into a buffer the next request reuses. It does not decode
// JSON: callers check the bytes they need (the field a success carries).
type poster struct {
	c      *http.Client
	target *url.URL
	hdr    http.Header
	buf    []byte
}

// bodyPoster sends a worker's timed requests: post returns whether an
// answer came, its body (valid until the next post) when its status is
// want, and an error otherwise.
type bodyPoster interface {
	post(body []byte, want int) (bool, []byte, error)
}

// rawHTTP picks rawPoster (the default) over net/http's client for the
// timed requests (--raw-http).
var rawHTTP = true

// newTimedPoster is a worker's poster of the timed requests to target.
func newTimedPoster(c *http.Client, target, contentType string) bodyPoster {
	if rawHTTP {
		return newRawPoster(target, contentType)
	}
	return newPoster(c, target, contentType)
}

func newPoster(c *http.Client, target, contentType string) *poster {
	u, err := url.Parse(target)
	if err != nil {
		fail(err.Error())
	}
	return &poster{c: c, target: u, hdr: http.Header{"Content-Type": {contentType}, "User-Agent": {"iic-loadgen"}}, buf: make([]byte, 0, 4096)}
}

// post sends body and returns the answer's bytes (valid until the next
// post) if its status is want; any other status is an error.
func (p *poster) post(body []byte, want int) (bool, []byte, error) {
	req := &http.Request{Method: "POST", URL: p.target, Host: p.target.Host, Header: p.hdr, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	resp, err := p.c.Do(req)
	if err != nil {
		return false, nil, err
	}
	p.buf = p.buf[:0]
	for len(p.buf) < 1<<20 {
		if len(p.buf) == cap(p.buf) {
			p.buf = append(p.buf, 0)[:len(p.buf)]
		}
		n, err := resp.Body.Read(p.buf[len(p.buf):cap(p.buf)])
		p.buf = p.buf[:len(p.buf)+n]
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		b := p.buf
		if len(b) > 300 {
			b = b[:300]
		}
		return true, nil, fmt.Errorf("POST %s: %d %s", p.target.Path, resp.StatusCode, b)
	}
	return true, p.buf, nil
}

// jsonString returns the value of the first string member name in a JSON
// answer ("" if there is none), decoding escapes only when it has any.
func jsonString(b []byte, name string) string {
	key := `"` + name + `":`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(b[i+len(key):], " ")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 {
		return ""
	}
	v := rest[1 : 1+end]
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v)
	}
	var s string
	dec := json.NewDecoder(bytes.NewReader(rest))
	if dec.Decode(&s) != nil {
		return ""
	}
	return s
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
