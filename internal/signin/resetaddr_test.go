package signin

import "testing"

// Public addresses are counted, an IPv6 one by its /64; loopback, private
// and link-local ones (a reverse proxy's) and garbage are not.
func TestResetAddressKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.9":          "203.0.113.9",
		"::ffff:203.0.113.9":   "203.0.113.9",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2::ffff":   "2001:db8:1:2::/64",
		"127.0.0.1":            "",
		"::1":                  "",
		"10.1.2.3":             "",
		"192.168.0.1":          "",
		"172.16.0.1":           "",
		"fd00::1":              "",
		"fe80::1":              "",
		"169.254.0.1":          "",
		"0.0.0.0":              "",
		"":                     "",
		"not an address":       "",
	} {
		got, ok := addressKey(addr)
		if got != want || ok != (want != "") {
			t.Errorf("addressKey(%q) = %q, %v; want %q", addr, got, ok, want)
		}
	}
}
