package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/testenv"
)

// The project a request is scoped to reaches the policies as g:ProjectId:
// an AK/SK request's X-Project-Id (the identitycenterstore client's
// basic.Credentials send the region's project), and a project-scoped
// Keystone token's project (a domain-scoped token has none).
func TestProjectScopeReachesPolicies(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		_, storeID := srv.EnableIdentityCenter(t)
		ctx := context.Background()
		projects, err := srv.App.Store.Projects().ListByAccount(ctx, srv.App.Root.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		var regionProject, other string
		for _, p := range projects {
			if p.Name == "cn-north-4" {
				regionProject = p.ID
			} else if other == "" {
				other = p.ID
			}
		}
		if regionProject == "" || other == "" {
			t.Fatalf("projects: %+v", projects)
		}
		policyFor := func(project string) string {
			return `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:identitystore:summary","IdentityCenter:instance:list"],` +
				`"Resource":["*"],"Condition":{"StringEquals":{"g:ProjectId":["` + project + `"]}}}]}`
		}
		ak, sk := srv.CreateKey(t, srv.CreatePolicy(t, "this-project", policyFor(regionProject)))
		if _, err := srv.IdentityStoreAs(t, ak, sk).GetIdentityStoreSummary(&model.GetIdentityStoreSummaryRequest{IdentityStoreId: storeID}); err != nil {
			t.Fatalf("g:ProjectId = the X-Project-Id: %v", err)
		}
		// No project (the identitycenter client's global credentials): the condition is false.
		if _, err := srv.CenterAs(t, ak, sk, "", nil).ListInstances(&icmodel.ListInstancesRequest{}); statusOf(err) != http.StatusForbidden {
			t.Fatalf("no project: %v, want 403", err)
		}
		ak2, sk2 := srv.CreateKey(t, srv.CreatePolicy(t, "other-project", policyFor(other)))
		if _, err := srv.IdentityStoreAs(t, ak2, sk2).GetIdentityStoreSummary(&model.GetIdentityStoreSummaryRequest{IdentityStoreId: storeID}); statusOf(err) != http.StatusForbidden {
			t.Fatalf("another project: %v, want 403", err)
		}

		// Keystone tokens: a project-scoped token's principal is scoped to
		// its project, a domain-scoped one to none.
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		name := rootName(t, srv)
		scoped, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, &iammodel.AuthScope{Project: &iammodel.AuthScopeProject{Id: &regionProject}})
		if err != nil {
			t.Fatal(err)
		}
		pol := authz.NewPolicies(srv.App.Store)
		for value, want := range map[string]string{*scoped.XSubjectToken: regionProject, mustToken(t, srv, tokenPassword): ""} {
			p, err := srv.App.Tokens.Authenticate(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if p.ProjectID != want {
				t.Fatalf("token principal's project = %q, want %q", p.ProjectID, want)
			}
			got := ""
			for _, kv := range pol.Context(ctx, p, &authz.Request{Action: "IdentityCenter:instance:list", Time: time.Now()}).Extra {
				if kv.Key == "g:ProjectId" {
					got = kv.Values[0]
				}
			}
			if got != want {
				t.Fatalf("g:ProjectId of the token = %q, want %q", got, want)
			}
		}
	})
}
