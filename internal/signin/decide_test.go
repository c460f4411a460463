package signin

import (
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNetworkAndBrowser(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                "192.0.2.7",
		"192.0.2.7:5555":           "192.0.2.7",
		"::ffff:192.0.2.7":         "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"[2001:db8:1:2::9%eth0]:1": "2001:db8:1:2::/64",
		"fe80::1%eth0":             "fe80::/64",
		"":                         "raw:",
		"not an address":           "raw:not an address",
	} {
		if got := NetworkOf(in); got != want {
			t.Errorf("NetworkOf(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36": "Mozilla (X11; Linux x86_64) AppleWebKit (KHTML, like Gecko) Chrome Safari",
		"curl/8.5.0": "curl",
		"":           "",
	} {
		if got := BrowserOf(in); got != want {
			t.Errorf("BrowserOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzContext: the context parsers never panic; a browser has no version
// left, and parsing it again changes nothing; two addresses of one network
// are one network, and an IPv4 address is only itself.
func FuzzContext(f *testing.F) {
	for _, s := range []string{"192.0.2.7", "2001:db8::1", "[::1]:80", "fe80::1%eth0", "Mozilla/5.0 (X11) Firefox/121.0", "a/b/c", "/", "\xff/\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := BrowserOf(s)
		if strings.Contains(b, "/") || BrowserOf(b) != b || len(b) > 3*len(s) {
			t.Fatalf("BrowserOf(%q) = %q", s, b)
		}
		if utf8.ValidString(s) && !utf8.ValidString(b) {
			t.Fatalf("BrowserOf(%q) = %q is not UTF-8", s, b)
		}
		n := NetworkOf(s)
		a, err := netip.ParseAddr(s)
		if err != nil {
			return
		}
		a = a.WithZone("").Unmap()
		if a.Is4() && n != a.String() {
			t.Fatalf("NetworkOf(%q) = %q", s, n)
		}
		if a.Is6() {
			p, _ := a.Prefix(64)
			if n != p.String() || NetworkOf(p.Addr().String()) != n {
				t.Fatalf("NetworkOf(%q) = %q, not its /64", s, n)
			}
		}
	})
}
