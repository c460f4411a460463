package portalweb

import "testing"

// SafeNext keeps same-origin paths under /start and refuses everything a
// browser could take off site or out of the portal.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/start":                            "/start",
		"/start/device?user_code=BCDF-GHJK": "/start/device?user_code=BCDF-GHJK",
		"/start/accounts/x":                 "/start/accounts/x",
		"":                                  "",
		"https://evil.example":              "",
		"https://evil.example/start":        "",
		"//evil.example/start":              "",
		"/\\evil.example":                   "",
		"/start\\..\\x":                     "",
		"\\\\evil.example":                  "",
		"/start/../v1/instances":            "",
		"/start/./x":                        "",
		"/startx":                           "",
		"/v1/instances":                     "",
		"javascript:alert(1)":               "",
		"/start/\nSet-Cookie: x":            "",
		"/start/signin/mfa":                 "",
		"/start/signout":                    "",
		"start":                             "",
		"/start%2F..%2Fv1":                  "",
	} {
		if got := SafeNext(next); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
