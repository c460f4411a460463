// Package ids makes the identifiers iic hands out. Every id is drawn from an
// injected randomness source (crypto/rand in production, a seeded reader in
// tests) so that callers can make id generation deterministic.
//
// Formats follow the product (the SDK's models and Huawei's IAM Identity
// Center API reference,
// https://support.huaweicloud.com/intl/en-us/api-identitycenter/): instance
// ids are 20 characters ("ins-" + 16 hex), identity store ids "d-" + 10 hex,
// account and project ids 32 lowercase hex, request ids 36-character UUIDs.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
)

// Generator draws ids from Rand. The zero value uses crypto/rand.
type Generator struct {
	Rand io.Reader
}

func (g Generator) read(n int) []byte {
	b := make([]byte, n)
	r := g.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b); err != nil {
		// crypto/rand never fails on supported platforms; a broken test
		// reader is a programming error.
		panic(fmt.Sprintf("ids: randomness source failed: %v", err))
	}
	return b
}

// Hex returns n random bytes hex-encoded (2n lowercase characters).
func (g Generator) Hex(n int) string { return hex.EncodeToString(g.read(n)) }

// AccountID is 32 lowercase hex characters (a Huawei domain id).
func (g Generator) AccountID() string { return g.Hex(16) }

// ProjectID is 32 lowercase hex characters.
func (g Generator) ProjectID() string { return g.Hex(16) }

// InstanceID is "ins-" + 16 hex characters (20 in all).
func (g Generator) InstanceID() string { return "ins-" + g.Hex(8) }

// IdentityStoreID is "d-" + 10 hex characters (12 in all).
func (g Generator) IdentityStoreID() string { return "d-" + g.Hex(5) }

// RequestID is a 32-hex-character id for X-Request-Id.
func (g Generator) RequestID() string { return g.Hex(16) }

// UUID is a random (version 4) UUID, 36 characters.
func (g Generator) UUID() string {
	b := g.read(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// AccessKey is 20 upper-case letters and digits, like Huawei AKs.
func (g Generator) AccessKey() string { return g.fromAlphabet(20, upperAlnum) }

// SecretKey is 40 letters and digits (about 238 bits).
func (g Generator) SecretKey() string { return g.fromAlphabet(40, alnum) }

// Token is a random opaque bearer secret of n letters and digits.
func (g Generator) Token(n int) string { return g.fromAlphabet(n, alnum) }

// fromAlphabet draws n characters uniformly (rejection sampling, no modulo bias).
func (g Generator) fromAlphabet(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		for _, c := range g.read(n) {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}
