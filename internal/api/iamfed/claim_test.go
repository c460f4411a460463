package iamfed

import (
	"net/http/httptest"
	"testing"
)

// The dialect claims the requests whose first segment — of the escaped
// path, unescaped, as ServeMux reads it — is a Keystone API version, and no
// other.
func TestKeystoneAPIClaimsTheVersionSegments(t *testing.T) {
	for path, want := range map[string]bool{
		"/v3":                                  true,
		"/v3/":                                 true,
		"/v3/users":                            true,
		"/v3/auth/catalog":                     true,
		"/v3/OS-FEDERATION/identity_providers": true,
		"/v3.0/OS-CREDENTIAL/securitytokens":   true,
		"/v3.0/OS-AUTH/securitytoken/logintokens": true,
		"/v3-ext/projects/p-1":                    true,
		"/%76%33/users":                           true, // ServeMux serves it as /v3/users
		"/v3%2Dext/x":                             true,
		"/v3%2Fusers":                             false, // one segment, "v3/users"
		"/v30/users":                              false,
		"/v3.1/users":                             false,
		"/v3x":                                    false,
		"/v3-extra/x":                             false,
		"/v1/v3/users":                            false,
		"/v5/caller-identity":                     false,
		"/":                                       false,
	} {
		if got := keystoneAPI(httptest.NewRequest("GET", path, nil)); got != want {
			t.Errorf("keystoneAPI(%s) = %v, want %v", path, got, want)
		}
	}
}
