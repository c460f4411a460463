package aksk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// Algorithm is the only scheme accepted.
	Algorithm = "SDK-HMAC-SHA256"
	// DateHeader carries the signing time, layout DateLayout.
	DateHeader = "X-Sdk-Date"
	// DateLayout is the X-Sdk-Date format.
	DateLayout = "20060102T150405Z"
	// ContentHashHeader, when signed, states the payload hash the client
	// signed: "UNSIGNED-PAYLOAD" (the SDK's marker for non-JSON bodies)
	// or the body's SHA-256. See PayloadHash.
	ContentHashHeader = "X-Sdk-Content-Sha256"
	// UnsignedPayload is the ContentHashHeader value of a request whose
	// body is not covered by the signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// SecurityTokenHeader carries a temporary credential's token.
	SecurityTokenHeader = "X-Security-Token"
)

// Authorization is a parsed Authorization header.
type Authorization struct {
	AccessKey     string
	SignedHeaders []string          // lower-case, in the order the client listed them
	Signature     [sha256.Size]byte // the raw HMAC-SHA256
}

// Parse errors. They say what is wrong without echoing the header.
var (
	ErrMissing       = errors.New("missing Authorization header")
	ErrAlgorithm     = errors.New("unsupported signature algorithm: only SDK-HMAC-SHA256 is accepted")
	ErrMalformed     = errors.New("malformed Authorization header: want 'SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<h1;h2>, Signature=<hex>'")
	ErrBadSignedList = errors.New("malformed SignedHeaders: want lower-case header names separated by ';'")
	ErrBadSignature  = errors.New("malformed Signature: want 64 hexadecimal characters")
	ErrBadQuery      = errors.New("malformed query string")
	// ErrUnsignedPayload: the client signed X-Sdk-Content-Sha256:
	// UNSIGNED-PAYLOAD where the body must be signed.
	ErrUnsignedPayload = errors.New("X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is not accepted here: sign the body (JSON bodies are always signed)")
	// ErrPayloadHash: the signed X-Sdk-Content-Sha256 is not the hash of
	// the body received.
	ErrPayloadHash = errors.New("X-Sdk-Content-Sha256 does not match the SHA-256 of the request body")
	// ErrRepeatedContentHash: X-Sdk-Content-Sha256 was sent more than once.
	ErrRepeatedContentHash = errors.New("X-Sdk-Content-Sha256 was sent more than once")
)

// ParseAuthorization parses "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...".
func ParseAuthorization(h string) (Authorization, error) {
	var a Authorization
	if h == "" {
		return a, ErrMissing
	}
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return a, ErrAlgorithm
	}
	var access, signed, sig string
	var seen [3]bool
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return a, ErrMalformed
		}
		var i int
		switch k {
		case "Access":
			i, access = 0, v
		case "SignedHeaders":
			i, signed = 1, v
		case "Signature":
			i, sig = 2, v
		default:
			return a, ErrMalformed
		}
		if seen[i] {
			return a, ErrMalformed
		}
		seen[i] = true
	}
	if !seen[0] || !seen[1] || !seen[2] || len(access) > 128 {
		return a, ErrMalformed
	}
	a.AccessKey = access
	n := strings.Count(signed, ";") + 1
	if n > 64 {
		return a, ErrBadSignedList
	}
	names := make([]string, 0, n)
	for name := range strings.SplitSeq(signed, ";") {
		if name == "" || !isHeaderName(name) {
			return a, ErrBadSignedList
		}
		names = append(names, name)
	}
	a.SignedHeaders = names
	if len(sig) != 2*sha256.Size {
		return a, ErrBadSignature
	}
	var raw [sha256.Size]byte
	if _, err := hex.Decode(raw[:], []byte(sig)); err != nil {
		return a, ErrBadSignature
	}
	a.Signature = raw
	return a, nil
}

func isHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// ParseDate parses an X-Sdk-Date value.
func ParseDate(v string) (time.Time, error) { return time.Parse(DateLayout, v) }

// CanonicalRequest builds the canonical request of r over the headers in
// signed, with payloadHash (from PayloadHash) as its last line.
func CanonicalRequest(r *http.Request, signed []string, payloadHash string) (string, error) {
	b := &builder{b: make([]byte, 0, 256+len(r.URL.Path)+len(r.URL.RawQuery))}
	if err := canonicalRequest(b, r, signed); err != nil {
		return "", err
	}
	b.WriteString(payloadHash)
	return string(b.b), nil
}

// canonicalRequest appends r's canonical request to b up to its last line,
// the payload hash, which the caller appends.
func canonicalRequest(b *builder, r *http.Request, signed []string) error {
	b.WriteString(r.Method)
	b.WriteByte('\n')
	writeURI(b, r.URL.Path)
	b.WriteByte('\n')
	if err := writeQuery(b, r.URL.RawQuery); err != nil {
		return err
	}
	b.WriteByte('\n')
	for _, name := range signed {
		var vals []string
		if name == "host" {
			if vs := r.Header["Host"]; len(vs) > 0 {
				vals = vs
			} else if r.Host != "" {
				vals = []string{r.Host}
			}
		} else {
			vals = r.Header[canonicalKey(name)]
		}
		if len(vals) > 1 {
			vals = append([]string(nil), vals...)
			sort.Strings(vals)
		}
		for _, v := range vals {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	for i, name := range signed {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	return nil
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey(name), without its
// work for the headers the SDK signs.
func canonicalKey(name string) string {
	switch name {
	case "x-sdk-date":
		return DateHeader
	case "x-domain-id":
		return "X-Domain-Id"
	case "x-project-id":
		return "X-Project-Id"
	case "x-security-token":
		return SecurityTokenHeader
	case "x-sdk-content-sha256":
		return ContentHashHeader
	case "content-type":
		return "Content-Type"
	case "user-agent":
		return "User-Agent"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// builder is the byte buffer the canonical request is written into (a
// strings.Builder whose bytes can be hashed without a copy).
type builder struct{ b []byte }

func (w *builder) WriteString(s string) { w.b = append(w.b, s...) }

// WriteByte appends c; it never fails.
func (w *builder) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

// PayloadHash is the payload line of r's canonical request. The body a
// signature covers is always the bytes received:
//
//   - when X-Sdk-Content-Sha256 is not among the signed headers, the line
//     is the lower-case hex SHA-256 of body, and the header (which anyone
//     on the path could have added or changed) is ignored;
//   - when it is signed, the line is its value, which must be either the
//     SHA-256 of body (hex, either case) or "UNSIGNED-PAYLOAD", the latter
//     only when allowUnsigned (operations whose clients send non-JSON
//     bodies that way); anything else is ErrPayloadHash or
//     ErrUnsignedPayload.
//
// A repeated X-Sdk-Content-Sha256 is ErrRepeatedContentHash.
func PayloadHash(r *http.Request, signed []string, body []byte, allowUnsigned bool) (string, error) {
	line, ofBody, err := payloadLine(r, signed, body, allowUnsigned)
	if ofBody {
		return string(appendBodyHash(nil, body)), nil
	}
	return line, err
}

// payloadLine is PayloadHash without computing the common line: ofBody
// says the line is the body's hash (appendBodyHash), else it is line (when
// err is nil).
func payloadLine(r *http.Request, signed []string, body []byte, allowUnsigned bool) (line string, ofBody bool, err error) {
	vals := r.Header[ContentHashHeader] // canonical already
	if len(vals) > 1 {
		return "", false, ErrRepeatedContentHash
	}
	if len(vals) == 0 || !slices.Contains(signed, "x-sdk-content-sha256") {
		return "", true, nil
	}
	v := strings.TrimSpace(vals[0])
	if v == UnsignedPayload {
		if !allowUnsigned {
			return "", false, ErrUnsignedPayload
		}
		return v, false, nil
	}
	var sum [2 * sha256.Size]byte
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(v)), appendBodyHash(sum[:0], body)) == 1 {
		return v, false, nil
	}
	return "", false, ErrPayloadHash
}

// emptyBodyHash is the lower-case hex SHA-256 of no bytes, the payload line
// of every request without a body.
const emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// appendBodyHash appends the lower-case hex SHA-256 of body to dst.
func appendBodyHash(dst, body []byte) []byte {
	if len(body) == 0 {
		return append(dst, emptyBodyHash...)
	}
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:])
}

// StringToSign is "SDK-HMAC-SHA256\n<date>\n<hex sha256(canonical)>".
func StringToSign(date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
}

// Signature computes the raw HMAC-SHA256 signature over stringToSign.
func Signature(secret []byte, stringToSign string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// Verify reports whether a's signature is the one secret makes over r and
// body, dated date; the payload line is PayloadHash's (allowUnsigned as
// there). The comparison is constant-time. Its errors are ErrBadQuery and
// those of PayloadHash.
func Verify(r *http.Request, a Authorization, body []byte, date string, secret []byte, allowUnsigned bool) (bool, error) {
	return VerifyKey(r, a, body, date, NewKey(secret), allowUnsigned)
}

// Key is a secret access key made ready for signing: an HMAC-SHA256 keyed
// with it, which VerifyKey copies (the key's padding blocks are hashed
// once, not per request). It is safe for concurrent use and holds key
// material: keep it as the secret is kept.
type Key struct {
	keyed  hash.Hash // the template copies are made of; never written
	secret []byte
	// spare is one copy of keyed, in its keyed state, that no verification
	// holds. A verification takes it (Swap leaves none for another) or,
	// finding none, copies keyed; it gives its copy back reset. A copy
	// never leaves its Key, so it only ever holds this secret.
	spare atomic.Pointer[keyedMAC]
}

// keyedMAC is a copy of a Key's HMAC, owned by one verification at a time,
// and the buffer its sum is written into.
type keyedMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// NewKey prepares secret for VerifyKey.
func NewKey(secret []byte) *Key {
	m := hmac.New(sha256.New, secret)
	m.Reset() // precomputes the padded key's states, which copies share
	return &Key{keyed: m, secret: secret}
}

func (k *Key) mac() hash.Hash {
	if c, ok := k.keyed.(hash.Cloner); ok {
		if h, err := c.Clone(); err == nil {
			return h
		}
	}
	return hmac.New(sha256.New, k.secret)
}

// take returns a copy of k's HMAC in its keyed state, owned by the caller
// until it gives it back.
func (k *Key) take() *keyedMAC {
	if m := k.spare.Swap(nil); m != nil {
		return m
	}
	return &keyedMAC{h: k.mac()}
}

// give resets m (taken from k) to its keyed state and keeps it as k's
// spare. The caller must not use m afterwards.
func (k *Key) give(m *keyedMAC) {
	m.h.Reset()
	k.spare.Store(m)
}

// canonicalBuffers holds the buffers VerifyKey writes canonical requests
// into; one larger than maxPooledBuffer is not kept.
var canonicalBuffers = sync.Pool{New: func() any { return &builder{b: make([]byte, 0, 1024)} }}

const maxPooledBuffer = 16 << 10

// VerifyKey is Verify with a prepared key.
func VerifyKey(r *http.Request, a Authorization, body []byte, date string, key *Key, allowUnsigned bool) (bool, error) {
	line, ofBody, err := payloadLine(r, a.SignedHeaders, body, allowUnsigned)
	if err != nil {
		return false, err
	}
	b := canonicalBuffers.Get().(*builder)
	defer func() {
		if cap(b.b) <= maxPooledBuffer {
			canonicalBuffers.Put(b)
		}
	}()
	b.b = b.b[:0]
	if err := canonicalRequest(b, r, a.SignedHeaders); err != nil {
		return false, err
	}
	if ofBody {
		b.b = appendBodyHash(b.b, body)
	} else {
		b.WriteString(line)
	}
	sum := sha256.Sum256(b.b)
	// The string to sign, StringToSign's, in the same buffer.
	b.b = append(b.b[:0], Algorithm...)
	b.b = append(b.b, '\n')
	b.b = append(b.b, date...)
	b.b = append(b.b, '\n')
	b.b = hex.AppendEncode(b.b, sum[:])
	m := key.take()
	m.h.Write(b.b)
	ok := hmac.Equal(m.h.Sum(m.sum[:0]), a.Signature[:])
	key.give(m)
	return ok, nil
}

// Sign adds X-Sdk-Date and Authorization to r the way the SDK does, signing
// every header already set (except Content-Type and names containing '_').
// body must be the exact bytes r will send; a ContentHashHeader already set
// is signed and used as the payload line.
func Sign(r *http.Request, ak, sk string, body []byte, now time.Time) {
	date := now.UTC().Format(DateLayout)
	r.Header.Set(DateHeader, date)
	var signed []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "content-type") || strings.Contains(lk, "_") || lk == "authorization" {
			continue
		}
		signed = append(signed, lk)
	}
	sort.Strings(signed)
	ph := r.Header.Get(ContentHashHeader)
	if ph == "" {
		ph = string(appendBodyHash(nil, body))
	}
	cr, _ := CanonicalRequest(r, signed, ph)
	sig := Signature([]byte(sk), StringToSign(date, cr))
	r.Header.Set("Authorization", Algorithm+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+hex.EncodeToString(sig))
}

func writeURI(b *builder, path string) {
	first := true
	for seg := range strings.SplitSeq(path, "/") {
		if !first {
			b.WriteByte('/')
		}
		first = false
		escape(b, seg)
	}
	if path == "" || path[len(path)-1] != '/' {
		b.WriteByte('/')
	}
}

// writeQuery writes the canonical form of the query raw: the pairs
// url.ParseQuery finds in it (any error it reports is ErrBadQuery), sorted
// by key and then by value, escaped. A query of up to maxStackPairs pairs
// is split on the stack, not into a url.Values.
func writeQuery(b *builder, raw string) error {
	if raw == "" {
		return nil
	}
	if strings.Count(raw, "&") >= maxStackPairs {
		return writeQueryValues(b, raw)
	}
	var buf [maxStackPairs]queryPair
	pairs := buf[:0]
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if strings.Contains(pair, ";") {
			return ErrBadQuery
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return ErrBadQuery
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return ErrBadQuery
		}
		pairs = append(pairs, queryPair{k, v})
	}
	slices.SortFunc(pairs, func(x, y queryPair) int {
		if c := strings.Compare(x.k, y.k); c != 0 {
			return c
		}
		return strings.Compare(x.v, y.v)
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		escape(b, p.k)
		b.WriteByte('=')
		escape(b, p.v)
	}
	return nil
}

// maxStackPairs is the most query pairs writeQuery splits on the stack.
const maxStackPairs = 16

type queryPair struct{ k, v string }

// writeQueryValues is writeQuery through url.ParseQuery, for long queries.
func writeQueryValues(b *builder, raw string) error {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return ErrBadQuery
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	first := true
	for _, k := range keys {
		vals := q[k]
		sort.Strings(vals)
		for _, v := range vals {
			if !first {
				b.WriteByte('&')
			}
			first = false
			escape(b, k)
			b.WriteByte('=')
			escape(b, v)
		}
	}
	return nil
}

const upperHex = "0123456789ABCDEF"

// escape writes s with everything but A-Z a-z 0-9 - _ . ~ as %XX.
func escape(b *builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}
