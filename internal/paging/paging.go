// Package paging makes and checks the opaque pagination markers of list
// operations. A marker is exactly 24 characters: base64url of an 8-byte
// position (the last row's sequence number) and a 10-byte HMAC over the list's
// scope and that position. A marker is therefore tamper-evident and only valid
// for the list it came from (the scope names the list and its filters).
package paging

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/iic-project/iic/internal/apierr"
)

// Limits of the limit query parameter and the marker length. The product's
// list operations take limit 1–100 (Huawei's IAM Identity Center API
// reference, https://support.huaweicloud.com/intl/en-us/api-identitycenter/);
// the marker format is iic's own.
const (
	DefaultLimit = 100
	MaxLimit     = 100
	MarkerLen    = 24
)

// ErrBadMarker means the marker was not made by this server for this list.
var ErrBadMarker = errors.New("invalid marker")

// Signer makes and verifies markers with one MAC key.
type Signer struct{ key []byte }

// NewSigner returns a Signer keyed with key (derive it from the master key).
func NewSigner(key []byte) *Signer { return &Signer{key: append([]byte(nil), key...)} }

// Marker encodes position pos of the list named scope.
func (s *Signer) Marker(scope string, pos int64) string {
	var raw [18]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(pos))
	copy(raw[8:], s.mac(scope, raw[:8]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// Position decodes a marker of the list named scope.
func (s *Signer) Position(scope, marker string) (int64, error) {
	if len(marker) != MarkerLen {
		return 0, ErrBadMarker
	}
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(raw) != 18 {
		return 0, ErrBadMarker
	}
	if !hmac.Equal(raw[8:], s.mac(scope, raw[:8])) {
		return 0, ErrBadMarker
	}
	return int64(binary.BigEndian.Uint64(raw[:8])), nil
}

func (s *Signer) mac(scope string, pos []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write(pos)
	return m.Sum(nil)[:10]
}

// After returns the position a list resumes after: 0 for an empty marker,
// else the marker's position. A marker that is not valid for scope is a
// 400 IIC.400.
func (s *Signer) After(scope, marker string) (int64, error) {
	if marker == "" {
		return 0, nil
	}
	pos, err := s.Position(scope, marker)
	if err != nil {
		return 0, apierr.IIC400_400.New("marker is invalid or belongs to another list; pass page_info.next_marker unchanged")
	}
	return pos, nil
}

// ParseLimit validates a limit query parameter ("" = DefaultLimit); out of
// range is a 400 IIC.400.
func ParseLimit(v string) (int, error) {
	if v == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, apierr.IIC400_400.New("limit must be an integer from 1 to 100")
	}
	return n, nil
}

// Trim cuts rows fetched with limit+1 to limit and returns the marker of
// the next page ("" when rows was the last page). seq gives a row's position.
func Trim[T any](s *Signer, scope string, rows []T, limit int, seq func(T) int64) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	return rows[:limit], s.Marker(scope, seq(rows[limit-1]))
}
