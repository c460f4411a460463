package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// provisionAgency makes the agency of a new permission set name in the
// management account (assigned to user uid) and returns it once provisioned.
func provisionAgency(t *testing.T, srv *testenv.Server, ins, uid, name string) store.Agency {
	t.Helper()
	ctx := context.Background()
	c := srv.Center(t)
	ps, err := c.CreatePermissionSet(&ic.CreatePermissionSetRequest{InstanceId: ins, Body: &ic.CreatePermissionSetReqBody{Name: name}})
	if err != nil {
		t.Fatal(err)
	}
	psID, mgmt := *ps.PermissionSet.PermissionSetId, srv.App.Root.AccountID
	if _, err := assign(c, ins, psID, "USER", uid, mgmt); err != nil {
		t.Fatal(err)
	}
	inst, err := srv.App.Store.Instances().Get(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		srv.App.RunJobs(ctx)
		ag, err := srv.App.Permission.Agency(ctx, inst, mgmt, psID)
		if err == nil {
			return ag
		}
		if time.Now().After(deadline) {
			t.Fatalf("agency %s: %v", name, err)
		}
	}
}

// Huawei's finer form (the delegated-party guide): a 1.1 custom policy
// allowing iam:agencies:assume on Resource {"uri": ["/iam/agencies/<agency
// id>"]} — iic's agency id is its URN, which the agency token shows as
// user.id — lets the sign-in user holding it obtain that agency's token and
// no other; a Deny of either action name refuses; Agent Operator still
// obtains every agency's; without either action it is 403 IIC.1000.
func TestAgencyTokenByAgencyURI(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		ins, storeID := srv.EnableIdentityCenter(t)
		uid, _, err := srv.App.Identity.CreateUser(context.Background(), identity.Caller{Actor: "t"}, storeID, identity.NewUser{UserName: "alice",
			DisplayName: "alice", PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "A", FamilyName: "Lice"},
				Emails: []identity.Email{{Value: "alice@example.com", Type: "work", Primary: true}}}})
		if err != nil {
			t.Fatal(err)
		}
		a, b := provisionAgency(t, srv, ins, uid, "Alpha"), provisionAgency(t, srv, ins, uid, "Beta")
		uriPolicy := func(effect, urn string) string {
			return `{"Version":"1.1","Statement":[{"Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/` + urn + `"]},"Effect":"` + effect + `"}]}`
		}
		allowA := srv.CreatePolicy(t, "assume-alpha", uriPolicy("Allow", a.URN))
		denyA := srv.CreatePolicy(t, "deny-alpha", uriPolicy("Deny", a.URN))
		denyTokens := srv.CreatePolicy(t, "deny-tokens", `{"Version":"1.1","Statement":[{"Action":["iam:tokens:assume"],"Effect":"Deny"}]}`)

		name := rootName(t, srv)
		assume := func(c *iam.IamClient, agencyName string) (*model.KeystoneCreateAgencyTokenResponse, error) {
			return c.KeystoneCreateAgencyToken(&model.KeystoneCreateAgencyTokenRequest{Body: &model.KeystoneCreateAgencyTokenRequestBody{Auth: &model.AgencyTokenAuth{
				Identity: &model.AgencyTokenIdentity{Methods: []model.AgencyTokenIdentityMethods{model.GetAgencyTokenIdentityMethodsEnum().ASSUME_ROLE},
					AssumeRole: &model.AgencyTokenAssumerole{DomainName: &name, AgencyName: agencyName}},
				Scope: &model.AgencyTokenScope{Domain: &model.AgencyTokenScopeDomain{Name: &name}}}}})
		}
		// signIn makes the sign-in user hold roles (system role names,
		// custom policy ids) and returns a client with its new token.
		signIn := func(roles ...string) (*iam.IamClient, string) {
			t.Helper()
			setSignInUser(t, srv, tokenPassword, roles...)
			tok := mustToken(t, srv, tokenPassword)
			return srv.IAMToken(t, tok), tok
		}
		wantDenied := func(what string, err error) {
			t.Helper()
			if statusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "IIC.1000") || !strings.Contains(err.Error(), "iam:tokens:assume") {
				t.Fatalf("%s: %v, want 403 IIC.1000", what, err)
			}
		}

		// Only the custom policy for agency A: A's token, whose user.id is
		// the id the policy names; B and an unknown agency are 403 IIC.1000
		// (nothing about what exists is told).
		user, userToken := signIn(allowA)
		pw, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, &model.AuthScope{Domain: &model.AuthScopeDomain{Name: &name}})
		if err != nil || len(pw.Token.Roles) != 1 || pw.Token.Roles[0].Id != allowA || pw.Token.Roles[0].Name != "assume-alpha" {
			t.Fatalf("the token's roles name the custom policy: %+v, %v", pw, err)
		}
		resp, err := assume(user, a.Name)
		if err != nil {
			t.Fatalf("assume A with its URI allowed: %v", err)
		}
		if resp.Token.User == nil || resp.Token.User.Id != a.URN || resp.Token.AssumedBy == nil || resp.Token.AssumedBy.User.Name != "admin" {
			t.Fatalf("A's token: user %+v, want id %s", resp.Token.User, a.URN)
		}
		_, err = assume(user, b.Name)
		wantDenied("assume B with only A's URI allowed", err)
		_, err = assume(user, "NoSuchAgency")
		wantDenied("assume an unknown agency with only A's URI allowed", err)
		// The agency's account named by domain_id (raw HTTP) is the same
		// agency.
		body := `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"domain_id":"` + srv.App.Root.AccountID + `","agency_name":"` + a.Name + `"}}}}`
		if st, out := srv.Do(t, "POST", "/v3/auth/tokens", []byte(body), map[string]string{"X-Auth-Token": userToken}, false); st.StatusCode != http.StatusCreated {
			t.Fatalf("assume A by domain_id: %d %s", st.StatusCode, out)
		}
		body = strings.Replace(body, a.Name, b.Name, 1)
		if st, out := srv.Do(t, "POST", "/v3/auth/tokens", []byte(body), map[string]string{"X-Auth-Token": userToken}, false); st.StatusCode != http.StatusForbidden ||
			!strings.Contains(string(out), "IIC.1000") {
			t.Fatalf("assume B by domain_id: %d %s", st.StatusCode, out)
		}

		// A Deny beats an Allow: of iam:agencies:assume on A's URI (B stays
		// allowed by Agent Operator), of iam:tokens:assume everywhere.
		user, _ = signIn("Agent Operator", denyA)
		_, err = assume(user, a.Name)
		wantDenied("assume A with a Deny on its URI", err)
		if _, err := assume(user, b.Name); err != nil {
			t.Fatalf("assume B as Agent Operator with a Deny on A's URI: %v", err)
		}
		user, _ = signIn(allowA, denyTokens)
		_, err = assume(user, a.Name)
		wantDenied("assume A with iam:tokens:assume denied", err)

		// Agent Operator alone obtains every agency's token; an unknown
		// agency is then 403 IIC.1269, as before.
		user, _ = signIn("Agent Operator")
		for _, ag := range []store.Agency{a, b} {
			if resp, err := assume(user, ag.Name); err != nil || resp.Token.User.Id != ag.URN {
				t.Fatalf("assume %s as Agent Operator: %+v, %v", ag.Name, resp, err)
			}
		}
		if _, err := assume(user, "NoSuchAgency"); statusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "IIC.1269") {
			t.Fatalf("unknown agency as Agent Operator: %v, want 403 IIC.1269", err)
		}

		// Neither action: 403 IIC.1000.
		user, _ = signIn()
		_, err = assume(user, a.Name)
		wantDenied("assume A without a role", err)

		// A custom policy deleted after it was given grants nothing (and
		// the token no longer lists it); an unknown one is refused.
		signIn(allowA)
		if st, out := srv.Do(t, "DELETE", "/v1/iic/policies/"+allowA, nil, nil, true); st.StatusCode/100 != 2 {
			t.Fatalf("delete policy: %d %s", st.StatusCode, out)
		}
		pw, err = passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, &model.AuthScope{Domain: &model.AuthScopeDomain{Name: &name}})
		if err != nil || len(pw.Token.Roles) != 0 {
			t.Fatalf("the token's roles after the policy's deletion: %+v, %v", pw, err)
		}
		_, err = assume(srv.IAMToken(t, *pw.XSubjectToken), a.Name)
		wantDenied("assume A with the Allow's policy deleted", err)
		if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", tokenPassword, []string{allowA}); err == nil {
			t.Error("a deleted custom policy accepted as a role")
		}

		// Only the documented form is accepted: the uri object in 1.x, its
		// URIs /iam/agencies/<agency id>.
		for _, doc := range []string{
			`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/` + a.URN + `"]}}]}`,
			`{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/users/` + a.URN + `"]}}]}`,
			`{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"urn":["/iam/agencies/` + a.URN + `"]}}]}`,
		} {
			if st, out := srv.Do(t, "POST", "/v1/iic/policies", []byte(`{"policy_name":"bad","policy_document":`+doc+`}`), nil, true); st.StatusCode != http.StatusBadRequest {
				t.Errorf("create %s: %d %s, want 400", doc, st.StatusCode, out)
			}
		}
	})
}
