package e2e

import (
	"context"
	"encoding/json"
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

const tokenPassword = "Correct-Horse-7"

// rootName is the root account's (domain's) name.
func rootName(t *testing.T, srv *testenv.Server) string {
	t.Helper()
	a, err := srv.App.Store.Accounts().Get(context.Background(), srv.App.Root.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Name
}

func setSignInUser(t *testing.T, srv *testenv.Server, password string, roles ...string) {
	t.Helper()
	if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", password, roles); err != nil {
		t.Fatalf("set sign-in user: %v", err)
	}
}

func passwordToken(c *iam.IamClient, domain, user, password string, scope *model.AuthScope) (*model.KeystoneCreateUserTokenByPasswordResponse, error) {
	return c.KeystoneCreateUserTokenByPassword(&model.KeystoneCreateUserTokenByPasswordRequest{Body: &model.KeystoneCreateUserTokenByPasswordRequestBody{
		Auth: &model.PwdAuth{Identity: &model.PwdIdentity{Methods: []model.PwdIdentityMethods{model.GetPwdIdentityMethodsEnum().PASSWORD},
			Password: &model.PwdPassword{User: &model.PwdPasswordUser{Domain: &model.PwdPasswordUserDomain{Name: domain}, Name: user, Password: password}}},
			Scope: scope}}})
}

func mustToken(t *testing.T, srv *testenv.Server, password string) string {
	t.Helper()
	name := rootName(t, srv)
	resp, err := passwordToken(srv.IAMToken(t, ""), name, "admin", password, &model.AuthScope{Domain: &model.AuthScopeDomain{Name: &name}})
	if err != nil {
		t.Fatalf("token by password: %v", err)
	}
	if resp.XSubjectToken == nil || *resp.XSubjectToken == "" {
		t.Fatal("no X-Subject-Token")
	}
	return *resp.XSubjectToken
}

func statusOf(err error) int {
	var code int
	if err == nil {
		return 0
	}
	if i := strings.Index(err.Error(), `"status_code":`); i >= 0 {
		json.Unmarshal([]byte(strings.TrimLeft(err.Error()[i+len(`"status_code":`):], " ")[:3]), &code)
	}
	return code
}

// A token by password through the SDK (anonymous, and signed with AK/SK:
// the password is the proof either way), its body, validation, and the
// wrong password.
func TestTokenByPasswordThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		name, acct := rootName(t, srv), srv.App.Root.AccountID
		for _, c := range []*iam.IamClient{srv.IAMToken(t, ""), srv.IAM(t)} {
			resp, err := passwordToken(c, name, "admin", tokenPassword, &model.AuthScope{Domain: &model.AuthScopeDomain{Name: &name}})
			if err != nil {
				t.Fatal(err)
			}
			tok := resp.Token
			if resp.HttpStatusCode != http.StatusCreated || resp.XSubjectToken == nil || len(*resp.XSubjectToken) < 40 {
				t.Fatalf("status %d, X-Subject-Token %v", resp.HttpStatusCode, resp.XSubjectToken)
			}
			if tok.User == nil || tok.User.Name != "admin" || tok.User.Domain.Id != acct || tok.Domain == nil || tok.Domain.Id != acct ||
				len(tok.Methods) != 1 || tok.Methods[0] != "password" || len(tok.Roles) != 1 || tok.Roles[0].Name != "Security Administrator" ||
				len(tok.Catalog) == 0 || tok.Project != nil {
				t.Fatalf("token body = %+v", tok)
			}
			exp, err1 := time.Parse(time.RFC3339Nano, tok.ExpiresAt)
			iss, err2 := time.Parse(time.RFC3339Nano, tok.IssuedAt)
			if err1 != nil || err2 != nil || exp.Sub(iss) != 24*time.Hour {
				t.Fatalf("issued %s expires %s", tok.IssuedAt, tok.ExpiresAt)
			}
			v, err := srv.IAMToken(t, *resp.XSubjectToken).KeystoneValidateToken(&model.KeystoneValidateTokenRequest{XSubjectToken: *resp.XSubjectToken, Nocatalog: ptr("1")})
			if err != nil || v.Token.User.Id != tok.User.Id || len(v.Token.Catalog) != 0 {
				t.Fatalf("validate: %+v, %v", v, err)
			}
		}
		// A project scope.
		projects, err := srv.App.Store.Projects().ListByAccount(context.Background(), acct)
		if err != nil || len(projects) == 0 {
			t.Fatalf("projects: %v", err)
		}
		resp, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, &model.AuthScope{Project: &model.AuthScopeProject{Name: &projects[0].Name}})
		if err != nil || resp.Token.Project == nil || resp.Token.Project.Id != projects[0].ID || resp.Token.Domain != nil {
			t.Fatalf("project-scoped token: %+v, %v", resp, err)
		}
		// Wrong password, unknown user, unknown domain: 401.
		for _, bad := range [][3]string{{name, "admin", "Wrong-Horse-7"}, {name, "nobody", tokenPassword}, {"no-such-domain", "admin", tokenPassword}} {
			if _, err := passwordToken(srv.IAMToken(t, ""), bad[0], bad[1], bad[2], nil); statusOf(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "IIC.1410") {
				t.Fatalf("%v: %v, want 401 IIC.1410", bad, err)
			}
		}
		// The SDK's MFA method (" totp"): the sign-in user has no device.
		_, err = srv.IAMToken(t, "").KeystoneCreateUserTokenByPasswordAndMfa(&model.KeystoneCreateUserTokenByPasswordAndMfaRequest{
			Body: &model.KeystoneCreateUserTokenByPasswordAndMfaRequestBody{Auth: &model.MfaAuth{Identity: &model.MfaIdentity{
				Methods:  []model.MfaIdentityMethods{model.GetMfaIdentityMethodsEnum().PASSWORD, model.GetMfaIdentityMethodsEnum().TOTP},
				Password: &model.PwdPassword{User: &model.PwdPasswordUser{Domain: &model.PwdPasswordUserDomain{Name: name}, Name: "admin", Password: tokenPassword}},
				Totp:     &model.MfaTotp{User: &model.MfaTotpUser{Id: "x", Passcode: "123456"}}}}}})
		if statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("password + totp without a device: %v, want 401", err)
		}
		// Validating an unknown token: 404.
		_, err = srv.IAMToken(t, mustToken(t, srv, tokenPassword)).KeystoneValidateToken(&model.KeystoneValidateTokenRequest{XSubjectToken: "no-such-token"})
		if statusOf(err) != http.StatusNotFound {
			t.Fatalf("validate an unknown token: %v, want 404", err)
		}
	})
}

// The sign-in lockout: five wrong passwords lock the name, and then even the
// right password gets Huawei IAM's answer for a locked account — 401 with
// Keystone's {"code": 401, "message": "The account is locked.", "title":
// "Unauthorized"} — which the SDK decodes apart from a wrong password.
func TestTokenSignInLockout(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	setSignInUser(t, srv, tokenPassword)
	name := rootName(t, srv)
	for i := 0; i < 5; i++ {
		_, err := passwordToken(srv.IAMToken(t, ""), name, "admin", "Wrong-Horse-7", nil)
		if se := testenv.APIError(t, err); se.StatusCode != 401 || se.ErrorCode != "IIC.1410" {
			t.Fatalf("wrong password %d: %d %s %q", i, se.StatusCode, se.ErrorCode, se.ErrorMessage)
		}
	}
	_, err := passwordToken(srv.IAMToken(t, ""), name, "admin", tokenPassword, nil)
	if se := testenv.APIError(t, err); se.StatusCode != 401 || se.ErrorCode != "401" || se.ErrorMessage != "The account is locked." {
		t.Fatalf("right password while locked: decoded %d %q %q", se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	body := []byte(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"` + name +
		`"},"name":"admin","password":"` + tokenPassword + `"}}}}}`)
	resp, out := srv.Do(t, "POST", "/v3/auth/tokens", body, nil, false)
	var b struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Title   string `json:"title"`
		} `json:"error"`
	}
	if resp.StatusCode != 401 || json.Unmarshal(out, &b) != nil || b.Error.Code != 401 || b.Error.Message != "The account is locked." || b.Error.Title != "Unauthorized" {
		t.Fatalf("raw request while locked = %d %s", resp.StatusCode, out)
	}
}

// X-Auth-Token on the OS-FEDERATION operations: the seed's curl example
// with a token from iic, a token without the permission (403), no token
// (401), two credentials (401), an unknown token (401), a revoked token.
func TestTokenOnFederationSurface(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, AuthCacheTTL: -1})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		fedCreateIdP(t, srv.IAM(t), "ACME", &model.IdentityproviderOption{Enabled: ptr(true)})
		token := mustToken(t, srv, tokenPassword)

		// The seed's example, as written.
		patch := []byte(`{"identity_provider":{"enabled":false}}`)
		resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/ACME", patch, map[string]string{"X-Auth-Token": token}, false)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"enabled":false`) {
			t.Fatalf("PATCH with X-Auth-Token: %d %s", resp.StatusCode, body)
		}
		// Through the SDK's IamCredentials.
		c := srv.IAMToken(t, token)
		if _, err := c.KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{}); err != nil {
			t.Fatalf("list IdPs with a token: %v", err)
		}
		fedCreateMapping(t, c, "m1")
		doms, err := c.KeystoneListFederationDomains(&model.KeystoneListFederationDomainsRequest{})
		if err != nil || len(*doms.Domains) != 1 || (*doms.Domains)[0].Id != srv.App.Root.AccountID {
			t.Fatalf("federation domains: %+v, %v", doms, err)
		}
		projs, err := c.KeystoneListFederationProjects(&model.KeystoneListFederationProjectsRequest{})
		if err != nil || len(*projs.Projects) == 0 {
			t.Fatalf("federation projects: %+v, %v", projs, err)
		}
		if _, err := srv.IAM(t).KeystoneListFederationDomains(&model.KeystoneListFederationDomainsRequest{}); err != nil {
			t.Fatalf("federation domains with AK/SK: %v", err)
		}

		// No token: 401; both credentials: 401; unknown token: 401.
		if resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/ACME", patch, nil, false); resp.StatusCode != 401 || !strings.Contains(string(body), `"error_code"`) {
			t.Fatalf("no token: %d %s", resp.StatusCode, body)
		}
		if resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/ACME", patch, map[string]string{"X-Auth-Token": token}, true); resp.StatusCode != 401 || !strings.Contains(string(body), "two kinds of credential") {
			t.Fatalf("token + signature: %d %s", resp.StatusCode, body)
		}
		if resp, _ := srv.Do(t, "GET", "/v3/OS-FEDERATION/identity_providers", nil, map[string]string{"X-Auth-Token": token + "x"}, false); resp.StatusCode != 401 {
			t.Fatalf("unknown token: %d", resp.StatusCode)
		}

		// A user without the role: 403 on federation, discovery allowed.
		setSignInUser(t, srv, "Other-Horse-8")
		if resp, _ := srv.Do(t, "GET", "/v3/OS-FEDERATION/identity_providers", nil, map[string]string{"X-Auth-Token": token}, false); resp.StatusCode != 401 {
			t.Fatalf("token after a password change: %d, want 401 (revoked)", resp.StatusCode)
		}
		weak := mustToken(t, srv, "Other-Horse-8")
		if _, err := srv.IAMToken(t, weak).KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{}); statusOf(err) != http.StatusForbidden {
			t.Fatalf("token without Security Administrator: %v, want 403", err)
		}
		if resp, body := srv.Do(t, "PATCH", "/v3/OS-FEDERATION/identity_providers/ACME", patch, map[string]string{"X-Auth-Token": weak}, false); resp.StatusCode != 403 || !strings.Contains(string(body), "iam:identityProviders:updateIdentityProvider") {
			t.Fatalf("PATCH without the permission: %d %s", resp.StatusCode, body)
		}
		if _, err := srv.IAMToken(t, weak).KeystoneListFederationDomains(&model.KeystoneListFederationDomainsRequest{}); err != nil {
			t.Fatalf("discovery with a token without roles: %v", err)
		}
		// The token is also accepted on the other signed surfaces.
		if resp, _ := srv.Do(t, "GET", "/v3/auth/domains", nil, map[string]string{"X-Auth-Token": weak}, false); resp.StatusCode != 200 {
			t.Fatalf("/v3/auth/domains with a token: %d", resp.StatusCode)
		}
	})
}

// An expired token is refused (401) and its validation is 404.
func TestTokenExpiry(t *testing.T) {
	var now = time.Now()
	clock := func() time.Time { return now }
	srv := testenv.Start(t, testenv.Options{Now: clock, AuthCacheTTL: -1})
	setSignInUser(t, srv, tokenPassword, "Security Administrator")
	token := mustToken(t, srv, tokenPassword)
	if resp, _ := srv.Do(t, "GET", "/v3/OS-FEDERATION/identity_providers", nil, map[string]string{"X-Auth-Token": token}, false); resp.StatusCode != 200 {
		t.Fatalf("fresh token: %d", resp.StatusCode)
	}
	now = now.Add(24*time.Hour + time.Second)
	if resp, _ := srv.Do(t, "GET", "/v3/OS-FEDERATION/identity_providers", nil, map[string]string{"X-Auth-Token": token}, false); resp.StatusCode != 401 {
		t.Fatalf("expired token: %d, want 401", resp.StatusCode)
	}
	fresh := mustToken(t, srv, tokenPassword)
	resp, _ := srv.Do(t, "GET", "/v3/auth/tokens", nil, map[string]string{"X-Subject-Token": token, "X-Auth-Token": fresh}, false)
	if resp.StatusCode != 404 {
		t.Fatalf("validate an expired token: %d, want 404", resp.StatusCode)
	}
}

// The sign-in user's password follows the portal's policy.
func TestTokenSignInUserPasswordPolicy(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	for _, weak := range []string{"short1A!", "alllowercase1!", "NoDigits!!", "admin"} {
		if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", weak, nil); err == nil && weak != "short1A!" {
			t.Errorf("password %q accepted", weak)
		}
	}
	if err := srv.App.Tokens.SetUser(context.Background(), srv.App.Root.AccountID, "admin", tokenPassword, []string{"No Such Role"}); err == nil {
		t.Error("unknown role accepted")
	}
	_ = identity.DefaultPasswordPolicy
}

// An agency token holds exactly its agency's policies: the agency of a
// permission set allowing IdentityCenter:*:list* lists instances but may not
// touch OS-FEDERATION, although the user assuming it is a Security
// Administrator.
func TestAgencyToken(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		setSignInUser(t, srv, tokenPassword, "Security Administrator")
		ctx := context.Background()
		ins, storeID := srv.EnableIdentityCenter(t)
		uid, _, err := srv.App.Identity.CreateUser(ctx, identity.Caller{Actor: "t"}, storeID, identity.NewUser{UserName: "alice", DisplayName: "alice",
			PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "A", FamilyName: "Lice"},
				Emails: []identity.Email{{Value: "alice@example.com", Type: "work", Primary: true}}}})
		if err != nil {
			t.Fatal(err)
		}
		c := srv.Center(t)
		ps, err := c.CreatePermissionSet(&ic.CreatePermissionSetRequest{InstanceId: ins, Body: &ic.CreatePermissionSetReqBody{Name: "Lister", SessionDuration: ptr("PT2H")}})
		if err != nil {
			t.Fatal(err)
		}
		psID := *ps.PermissionSet.PermissionSetId
		if _, err := c.PutCustomPolicyToPermissionSet(&ic.PutCustomPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: psID,
			Body: &ic.PutCustomPolicyToPermissionSetReqBody{CustomPolicy: `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:*:list*"]}]}`}}); err != nil {
			t.Fatal(err)
		}
		mgmt := srv.App.Root.AccountID
		if _, err := assign(c, ins, psID, "USER", uid, mgmt); err != nil {
			t.Fatal(err)
		}
		inst, err := srv.App.Store.Instances().Get(ctx, ins)
		if err != nil {
			t.Fatal(err)
		}
		var agency store.Agency
		for deadline := time.Now().Add(30 * time.Second); ; {
			srv.App.RunJobs(ctx)
			if agency, err = srv.App.Permission.Agency(ctx, inst, mgmt, psID); err == nil {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("agency: %v", err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		user := srv.IAMToken(t, mustToken(t, srv, tokenPassword))
		name := rootName(t, srv)
		assume := func(c *iam.IamClient, agencyName string) (*model.KeystoneCreateAgencyTokenResponse, error) {
			return c.KeystoneCreateAgencyToken(&model.KeystoneCreateAgencyTokenRequest{Body: &model.KeystoneCreateAgencyTokenRequestBody{Auth: &model.AgencyTokenAuth{
				Identity: &model.AgencyTokenIdentity{Methods: []model.AgencyTokenIdentityMethods{model.GetAgencyTokenIdentityMethodsEnum().ASSUME_ROLE},
					AssumeRole: &model.AgencyTokenAssumerole{DomainName: &name, AgencyName: agencyName}},
				Scope: &model.AgencyTokenScope{Domain: &model.AgencyTokenScopeDomain{Name: &name}}}}})
		}
		resp, err := assume(user, agency.Name)
		if err != nil {
			t.Fatalf("agency token: %v", err)
		}
		tok := resp.Token
		exp, _ := time.Parse(time.RFC3339Nano, tok.ExpiresAt)
		iss, _ := time.Parse(time.RFC3339Nano, tok.IssuedAt)
		if resp.HttpStatusCode != 201 || tok.AssumedBy == nil || tok.AssumedBy.User.Name != "admin" || exp.Sub(iss) != 2*time.Hour {
			t.Fatalf("agency token body: %+v", tok)
		}
		agencyToken := *resp.XSubjectToken
		if tok.Project != nil || tok.Domain == nil || tok.Domain.Name != name {
			t.Fatalf("agency token scoped to the domain: project %+v, domain %+v", tok.Project, tok.Domain)
		}
		// Scoped to a project of the agency's account (by name), the token
		// names that project; a project the account lacks is 401.
		scoped := func(project string) (*model.KeystoneCreateAgencyTokenResponse, error) {
			return user.KeystoneCreateAgencyToken(&model.KeystoneCreateAgencyTokenRequest{Body: &model.KeystoneCreateAgencyTokenRequestBody{Auth: &model.AgencyTokenAuth{
				Identity: &model.AgencyTokenIdentity{Methods: []model.AgencyTokenIdentityMethods{model.GetAgencyTokenIdentityMethodsEnum().ASSUME_ROLE},
					AssumeRole: &model.AgencyTokenAssumerole{DomainName: &name, AgencyName: agency.Name}},
				Scope: &model.AgencyTokenScope{Project: &model.AgencyTokenScopeProject{Name: &project}}}}})
		}
		if presp, err := scoped("cn-north-4"); err != nil {
			t.Fatalf("project-scoped agency token: %v", err)
		} else if p := presp.Token.Project; p == nil || p.Name != "cn-north-4" || p.Id == "" || presp.Token.Domain != nil {
			t.Fatalf("project-scoped agency token: project %+v, domain %+v", p, presp.Token.Domain)
		} else if v, err := srv.App.Tokens.Validate(ctx, *presp.XSubjectToken); err != nil || v.Principal().ProjectID != p.Id {
			t.Fatalf("project-scoped agency token's principal: %v", err)
		}
		if _, err := scoped("no-such-project"); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("agency token scoped to an unknown project: %v, want 401", err)
		}
		if resp, body := srv.Do(t, "GET", "/v1/instances", nil, map[string]string{"X-Auth-Token": agencyToken}, false); resp.StatusCode != 200 {
			t.Fatalf("ListInstances with the agency token: %d %s", resp.StatusCode, body)
		}
		if _, err := srv.IAMToken(t, agencyToken).KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{}); statusOf(err) != http.StatusForbidden {
			t.Fatalf("federation with the agency token: %v, want 403", err)
		}
		if resp, _ := srv.Do(t, "POST", "/v1/instances/"+ins+"/permission-sets", []byte(`{"name":"x"}`), map[string]string{"X-Auth-Token": agencyToken}, false); resp.StatusCode != 403 {
			t.Fatalf("CreatePermissionSet with the agency token: %d, want 403", resp.StatusCode)
		}
		// An agency token cannot assume again; an unknown agency is 403;
		// with AK/SK the root key assumes too.
		if _, err := assume(srv.IAMToken(t, agencyToken), agency.Name); statusOf(err) != http.StatusForbidden {
			t.Fatalf("agency token assuming: %v, want 403", err)
		}
		if _, err := assume(user, "NoSuchAgency"); statusOf(err) != http.StatusForbidden {
			t.Fatalf("unknown agency: %v, want 403", err)
		}
		if _, err := assume(srv.IAM(t), agency.Name); err != nil {
			t.Fatalf("agency token with AK/SK: %v", err)
		}
		if _, err := assume(srv.IAMToken(t, ""), agency.Name); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("agency token without a credential: %v, want 401", err)
		}

		// Assuming is authorized by iam:tokens:assume: a sign-in user
		// without a role holding it is 403 IIC.1000 naming the action;
		// Agent Operator holds exactly it (and nothing on OS-FEDERATION).
		setSignInUser(t, srv, tokenPassword)
		_, err = assume(srv.IAMToken(t, mustToken(t, srv, tokenPassword)), agency.Name)
		if statusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "IIC.1000") || !strings.Contains(err.Error(), "iam:tokens:assume") {
			t.Fatalf("assume without iam:tokens:assume: %v, want 403 IIC.1000", err)
		}
		setSignInUser(t, srv, tokenPassword, "Agent Operator")
		operator := srv.IAMToken(t, mustToken(t, srv, tokenPassword))
		if _, err := assume(operator, agency.Name); err != nil {
			t.Fatalf("assume as Agent Operator: %v", err)
		}
		if _, err := operator.KeystoneListIdentityProviders(&model.KeystoneListIdentityProvidersRequest{}); statusOf(err) != http.StatusForbidden {
			t.Fatalf("Agent Operator on OS-FEDERATION: %v, want 403", err)
		}
		// A scoped access key allowed iam:tokens:assume is still not the
		// sign-in user: 403 IIC.1269.
		pid := srv.CreatePolicy(t, "assume", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["iam:tokens:assume"]}]}`)
		ak, sk := srv.CreateKey(t, pid)
		if _, err := assume(srv.IAMAs(t, ak, sk), agency.Name); statusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "IIC.1269") {
			t.Fatalf("scoped key allowed iam:tokens:assume: %v, want 403 IIC.1269", err)
		}
	})
}
