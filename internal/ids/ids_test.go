package ids

import (
	"regexp"
	"testing"
)

func TestFormats(t *testing.T) {
	var g Generator
	cases := []struct {
		name string
		got  func() string
		re   string
	}{
		{"account", g.AccountID, `^[0-9a-f]{32}$`},
		{"instance", g.InstanceID, `^ins-[0-9a-f]{16}$`},
		{"identity store", g.IdentityStoreID, `^d-[0-9a-f]{10}$`},
		{"uuid", g.UUID, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"access key", g.AccessKey, `^[A-Z0-9]{20}$`},
		{"secret key", g.SecretKey, `^[A-Za-z0-9]{40}$`},
	}
	for _, c := range cases {
		re := regexp.MustCompile(c.re)
		seen := map[string]bool{}
		for i := 0; i < 200; i++ {
			v := c.got()
			if !re.MatchString(v) {
				t.Fatalf("%s: %q does not match %s", c.name, v, c.re)
			}
			if seen[v] {
				t.Fatalf("%s: repeated value %q", c.name, v)
			}
			seen[v] = true
		}
	}
}
