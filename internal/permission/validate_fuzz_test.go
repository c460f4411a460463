package permission

import (
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
)

// FuzzParseSessionDuration feeds arbitrary text to the session-duration
// parser: it never panics, an accepted value lies within the documented
// 1–12 hours and is an ISO-8601 "PT…" form, and a rejection is a 400.
func FuzzParseSessionDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "PT12H", "PT1H30M", "PT3600S", "PT", "P1D", "PT0H", "PT13H", "PT99999H99999M99999999S", "pt1h", "PT1H ", "PT-1H", "PT1.5H", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, err := ParseSessionDuration(v)
		if err != nil {
			if e, ok := apierr.From(err); !ok || e.Status() != 400 {
				t.Fatalf("%q: rejection %v is not a 400 API error", v, err)
			}
			return
		}
		if d < time.Hour || d > 12*time.Hour {
			t.Fatalf("%q accepted as %v, outside 1–12 h", v, d)
		}
		if len(v) < 3 || v[:2] != "PT" {
			t.Fatalf("%q accepted, not a PT… duration", v)
		}
	})
}
