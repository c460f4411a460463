package aksk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// The reference implementation: the straightforward (allocating) form of
// parsing, canonicalization and verification, which the optimized code in
// aksk.go must match exactly (FuzzMatchesReference).

func refParseAuthorization(h string) (Authorization, error) {
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
	for _, part := range strings.Split(rest, ",") {
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
	var names []string
	for _, name := range strings.Split(signed, ";") {
		if name == "" || !isHeaderName(name) {
			return a, ErrBadSignedList
		}
		names = append(names, name)
	}
	if len(names) > 64 {
		return a, ErrBadSignedList
	}
	if len(sig) != 64 {
		return a, ErrBadSignature
	}
	raw, err := hex.DecodeString(sig)
	if err != nil {
		return a, ErrBadSignature
	}
	a.SignedHeaders = names
	copy(a.Signature[:], raw)
	return a, nil
}

func refBodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func refPayloadHash(r *http.Request, signed []string, body []byte, allowUnsigned bool) (string, error) {
	vals := r.Header[ContentHashHeader]
	if len(vals) > 1 {
		return "", ErrRepeatedContentHash
	}
	if len(vals) == 0 || !slices.Contains(signed, "x-sdk-content-sha256") {
		return refBodyHash(body), nil
	}
	v := strings.TrimSpace(vals[0])
	if v == UnsignedPayload {
		if !allowUnsigned {
			return "", ErrUnsignedPayload
		}
		return v, nil
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(v)), []byte(refBodyHash(body))) == 1 {
		return v, nil
	}
	return "", ErrPayloadHash
}

func refCanonicalRequest(r *http.Request, signed []string, payloadHash string) (string, error) {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	for i, seg := range strings.Split(r.URL.Path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		refEscape(&b, seg)
	}
	if p := r.URL.Path; p == "" || p[len(p)-1] != '/' {
		b.WriteByte('/')
	}
	b.WriteByte('\n')
	if raw := r.URL.RawQuery; raw != "" {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return "", ErrBadQuery
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
				refEscape(&b, k)
				b.WriteByte('=')
				refEscape(&b, v)
			}
		}
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
			vals = r.Header[http.CanonicalHeaderKey(name)]
		}
		if len(vals) > 1 {
			vals = append([]string(nil), vals...)
			sort.Strings(vals)
		}
		for _, v := range vals {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String(), nil
}

func refEscape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
}

func refVerify(r *http.Request, a Authorization, body []byte, date string, secret []byte, allowUnsigned bool) (bool, error) {
	ph, err := refPayloadHash(r, a.SignedHeaders, body, allowUnsigned)
	if err != nil {
		return false, err
	}
	cr, err := refCanonicalRequest(r, a.SignedHeaders, ph)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256([]byte(cr))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(Algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])))
	return hmac.Equal(m.Sum(nil), a.Signature[:]), nil
}
