package e2e

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/federation"

	"github.com/iic-project/iic/internal/testenv"
)

// gophercloud v2 obtains a token by password from iic (POST
// /v3/auth/tokens, the token in X-Subject-Token) and lists mappings with it
// (X-Auth-Token).
func TestTokenThroughGophercloud(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		fedCreateMapping(t, srv.IAM(t), "m1")
		ctx := context.Background()
		domain := rootName(t, srv)
		pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: srv.URL + "/v3/", Username: "admin",
			Password: tokenPassword, DomainName: domain, Scope: &gophercloud.AuthScope{DomainName: domain}})
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		if pc.Token() == "" {
			t.Fatal("no token")
		}
		sc, err := openstack.NewIdentityV3(pc, gophercloud.EndpointOpts{})
		if err != nil {
			t.Fatal(err)
		}
		pages, err := federation.ListMappings(sc).AllPages(ctx)
		if err != nil {
			t.Fatalf("list mappings with the token: %v", err)
		}
		ms, err := federation.ExtractMappings(pages)
		if err != nil || len(ms) != 1 || ms[0].ID != "m1" {
			t.Fatalf("mappings = %+v, %v", ms, err)
		}
		if _, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: srv.URL + "/v3/", Username: "admin",
			Password: "Wrong-Horse-7", DomainName: domain}); err == nil {
			t.Fatal("wrong password accepted")
		}
	})
}
