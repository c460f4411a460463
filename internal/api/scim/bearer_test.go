package scim

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/idsource"
	"github.com/iic-project/iic/internal/store"
)

// BearerTokens presents itself by a Bearer Authorization only (an AK/SK
// signature is another credential), checks the token against the path's
// tenant and makes the tenant's principal; every failure of the token is
// the one 401, a fault of the check stays a fault.
func TestBearerTokens(t *testing.T) {
	fault := errors.New("store down")
	auth := BearerTokens(func(_ context.Context, tenantID, presented string) (store.SCIMTenant, error) {
		switch {
		case presented == "fault":
			return store.SCIMTenant{}, fault
		case tenantID != "t-1" || presented != "good":
			return store.SCIMTenant{}, idsource.ErrInvalidToken
		}
		return store.SCIMTenant{ID: "t-1", IdentityStoreID: "d-1"}, nil
	})
	for _, tc := range []struct {
		tenant    string
		auths     []string
		presented bool
		err       error
	}{
		{"t-1", []string{"Bearer good"}, true, nil},
		{"t-1", []string{"bearer  good "}, true, nil},
		{"t-2", []string{"Bearer good"}, true, errUnauthorized},
		{"t-1", []string{"Bearer forged"}, true, errUnauthorized},
		{"t-1", []string{"Bearer good", "Bearer good"}, true, errUnauthorized},
		{"t-1", []string{"SDK-HMAC-SHA256 Access=AK"}, false, errUnauthorized},
		{"t-1", nil, false, errUnauthorized},
		{"t-1", []string{"Bearer fault"}, true, fault},
	} {
		r := httptest.NewRequest("GET", "/"+tc.tenant+"/scim/v2/Users", nil)
		r.SetPathValue("tenant", tc.tenant)
		for _, h := range tc.auths {
			r.Header.Add("Authorization", h)
		}
		if got := auth.Presented(r); got != tc.presented {
			t.Errorf("%v: Presented = %v, want %v", tc.auths, got, tc.presented)
		}
		p, err := auth.Authenticate(r, nil, httpx.AuthOp{})
		if err != tc.err {
			t.Errorf("%s %v: error %v, want %v", tc.tenant, tc.auths, err, tc.err)
			continue
		}
		if err == nil && (p.Kind != authz.KindSCIM || p.Store == nil || p.Store.SCIMTenant != "t-1" || p.Store.IdentityStoreID != "d-1" || p.Actor() != "scim:t-1") {
			t.Errorf("%v: principal %+v, want tenant t-1 of d-1", tc.auths, p)
		}
	}
}
