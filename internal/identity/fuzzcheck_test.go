package identity

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
)

// checkClientError fails unless err is an apierr the API answers with 4xx.
func checkClientError(t *testing.T, err error) {
	t.Helper()
	ae, ok := apierr.From(err)
	if !ok {
		t.Fatalf("error is not an apierr (would be a 500): %#v", err)
	}
	if ae.Status() < 400 || ae.Status() > 499 {
		t.Fatalf("error is %d, not 4xx: %v", ae.Status(), err)
	}
}

// checkStorable fails if s could not be stored in a PostgreSQL text column.
func checkStorable(t *testing.T, field, s string) {
	t.Helper()
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		t.Fatalf("%s %q is not storable text", field, s)
	}
}
