package center

import (
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT8H": 8 * time.Hour, "PT15M": 15 * time.Minute, "P1DT12H": 36 * time.Hour, "P2W": 14 * 24 * time.Hour,
		"PT90S": 90 * time.Second, "P1D": 24 * time.Hour, "PT1H30M5S": time.Hour + 30*time.Minute + 5*time.Second,
	} {
		if got, err := ParseISODuration(in); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "8H", "PT8h", "P1M", "P1Y", "PT1.5H", "-PT1H", "P1DT", "PT1H ", "PT99999999999H", "P1D1W"} {
		if got, err := ParseISODuration(in); err == nil {
			t.Errorf("%q = %v, want an error", in, got)
		}
	}
	// The largest value every part allows stays far from overflow.
	if got, err := ParseISODuration("P999W9999DT99999H9999999M999999999S"); err != nil || got <= 0 {
		t.Errorf("largest = %v, %v", got, err)
	}
}

// Every source resolves to an attribute the identity service knows, and
// each ${user:} short name to a ${path:} the table has.
func TestAttributeSources(t *testing.T) {
	for name, path := range userShortNames {
		if _, ok := userAttributePaths[path]; !ok {
			t.Errorf("${user:%s} stands for %s, which is not an attribute path", name, path)
		}
	}
	for src, want := range map[string][2]string{
		"${path:enterprise.department}":             {"enterprise.department", "enterprise.department"},
		"${path:emails[primary eq true].value}":     {"emails[primary eq true].value", "emails.value"},
		"${user:email}":                             {"emails[primary eq true].value", "emails.value"},
		"${user:familyName}":                        {"name.familyName", "name.family_name"},
		"${path:name.givenName}":                    {"name.givenName", "name.given_name"},
		"${path:enterprise.manager.value}":          {"enterprise.manager.value", "enterprise.manager.value"},
		"${path:addresses[primary eq true].region}": {"addresses[primary eq true].region", "addresses.region"},
	} {
		path, attr, ok := resolveSource(src)
		if !ok || path != want[0] || attr != want[1] {
			t.Errorf("%s = %q %q %v, want %v", src, path, attr, ok, want)
		}
	}
	for _, src := range []string{"", "${}", "${path:}", "${user:}", "$path:userName", "${path:userName", "path:userName}", "${attr:userName}",
		"${path:userName}x", "x${path:userName}", "${path:emails.value}", "${user:name.familyName}", "${PATH:userName}"} {
		if _, _, ok := resolveSource(src); ok {
			t.Errorf("%q resolved", src)
		}
	}
}
