package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// screenshotDir is where the screenshots the README shows are written (by
// the SQLite runs of TestPortalBrowser and TestPortalBrowserKeys; both
// runs' pages are the same).
var screenshotDir = filepath.Join("..", "..", "docs", "screenshots")

// The web portal in Debian's Chromium through Playwright
// (browser/portal.mjs), against the real server: a wrong password shows
// the page's error, password and TOTP sign in, the accounts and an
// account's permission sets list what the user holds, the credentials page
// gives keys that STS accepts and copy buttons that put them on the
// clipboard, the MFA devices page lists the device, the device-verification
// page approves a pending device grant (CreateToken then answers a token
// the portal API takes), sign-out kills the session and its credentials;
// and a virtual WebAuthn authenticator works over CDP. The script takes the
// README's screenshots on the way.
func TestPortalBrowser(t *testing.T) {
	node, chromium := browserTools(t)
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, oc := srv.Center(t), srv.IdentityStore(t), srv.OIDC(t)
		mgmt := srv.App.Root.AccountID
		prod := srv.CreateMemberAccount(t, "production")

		// Alice: a password, a TOTP device, ReadOnly in both accounts and
		// Developer in production.
		const password = "Browser-Passw0rd-2026!"
		alice, _ := createUser(t, sc, storeID, "alice")
		if err := srv.App.Identity.SetPassword(ctx, storeID, alice, password); err != nil {
			t.Fatal(err)
		}
		secret := enrolTOTP(t, srv, sc, storeID, alice, "Work phone")
		ro := browserPS(t, c, ins, "ReadOnly", "Read-only access to every service", "PT1H", "IdentityCenter ReadOnlyAccess")
		dev := browserPS(t, c, ins, "Developer", "Day-to-day development work", "PT4H", "")
		for _, a := range []struct{ ps, account string }{{ro, mgmt}, {ro, prod}, {dev, prod}} {
			if _, err := assign(c, ins, a.ps, "USER", alice, a.account); err != nil {
				t.Fatal(err)
			}
			runJobs(t, srv) // one at a time: the accounts list in provisioning order
		}

		// A CLI's pending device grant, for the verification page.
		cl, _ := registerOIDCClient(t, oc)
		d := startDevice(t, oc, cl, srv.App.Config.PublicURL+"/start")
		_, err := pollDevice(oc, cl, *d.DeviceCode)
		testenv.WantError(t, err, 400, "IIC.1608")

		env := map[string]string{
			"IIC_CHROMIUM": chromium, "IIC_URL": srv.URL, "IIC_USER": "alice", "IIC_PASSWORD": password, "IIC_TOTP_SECRET": secret,
			"IIC_ACCOUNT_ID": prod, "IIC_PERMISSION_SET": "ReadOnly",
			"IIC_VERIFICATION_URI": *d.VerificationUri, "IIC_USER_CODE": *d.UserCode,
		}
		if dialect == "sqlite" {
			dir, err := filepath.Abs(screenshotDir)
			if err != nil {
				t.Fatal(err)
			}
			env["IIC_SCREENSHOTS"] = dir
		}
		var ak, sk, st string
		runBrowser(t, node, "portal.mjs", env,
			browserStep{"refused", func(t *testing.T, data json.RawMessage) {
				var s struct{ URL, Alert, UserName string }
				decodeStep(t, data, &s)
				if s.Alert != "Incorrect username, password, or identity source ID. (IIC.1707)" || s.UserName != "alice" || !strings.HasSuffix(s.URL, "/start/signin") {
					t.Fatalf("a wrong password: %+v", s)
				}
			}, nil},
			browserStep{"accounts", func(t *testing.T, data json.RawMessage) {
				var s struct {
					Accounts [][]string
					Who      string
				}
				decodeStep(t, data, &s)
				if len(s.Accounts) != 2 || s.Accounts[0][1] != mgmt || s.Accounts[1][0] != "production" || s.Accounts[1][1] != prod || s.Who != "Signed in as Display alice" {
					t.Fatalf("the accounts page: %+v", s)
				}
			}, nil},
			browserStep{"account", func(t *testing.T, data json.RawMessage) {
				var s struct {
					URL            string
					PermissionSets [][]string
				}
				decodeStep(t, data, &s)
				want := [][]string{{"ReadOnly", "Read-only access to every service", "1 hour", "Get credentials"}, {"Developer", "Day-to-day development work", "4 hours", "Get credentials"}}
				if !reflect.DeepEqual(s.PermissionSets, want) || !strings.HasSuffix(s.URL, "/start/accounts/"+prod) {
					t.Fatalf("the production account's page: %+v", s)
				}
			}, nil},
			browserStep{"credentials", func(t *testing.T, data json.RawMessage) {
				var s struct {
					AK, SK, Tok, Lead string
					Copied            struct{ AK, SK, Tok string }
				}
				decodeStep(t, data, &s)
				if s.AK == "" || s.SK == "" || s.Tok == "" || s.Copied.AK != s.AK || s.Copied.SK != s.SK || s.Copied.Tok != s.Tok {
					t.Fatalf("the credentials and what the copy buttons copied: %+v", s)
				}
				if !strings.HasPrefix(s.Lead, "ReadOnly in account "+prod+", valid until ") {
					t.Errorf("the credentials page says %q", s.Lead)
				}
				ak, sk, st = s.AK, s.SK, s.Tok
				who, err := srv.STSAs(t, ak, sk, st).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
				if err != nil || *who.PrincipalUrn != "sts::"+prod+":assumed-agency:IdentityCenter_ReadOnly/alice" {
					t.Fatalf("GetCallerIdentity with the page's credentials = %+v, %v", who, err)
				}
			}, nil},
			browserStep{"mfa-devices", func(t *testing.T, data json.RawMessage) {
				var s struct{ Devices [][]string }
				decodeStep(t, data, &s)
				if len(s.Devices) != 1 || s.Devices[0][0] != "Work phone" || s.Devices[0][1] != "Authenticator app" {
					t.Fatalf("the MFA devices page: %+v", s)
				}
			}, nil},
			browserStep{"device", func(t *testing.T, data json.RawMessage) {
				var s struct{ Question, ShownCode, Decided string }
				decodeStep(t, data, &s)
				if s.Question != "Allow iic-cli to access your account?" || s.ShownCode != *d.UserCode || s.Decided != "Device authorized" {
					t.Fatalf("the device-verification pages: %+v", s)
				}
				tok, err := pollDevice(oc, cl, *d.DeviceCode)
				if err != nil {
					t.Fatalf("CreateToken after the browser allowed the device: %v", err)
				}
				accts, err := srv.Portal(t).ListAccounts(&pmodel.ListAccountsRequest{AccessToken: *tok.TokenInfo.AccessToken})
				if err != nil || len(*accts.AccountList) != 2 {
					t.Fatalf("ListAccounts with the approved token = %+v, %v", accts, err)
				}
			}, nil},
			browserStep{"signed-out", func(t *testing.T, data json.RawMessage) {
				var s struct{ Notice, Afterwards string }
				decodeStep(t, data, &s)
				if u, err := url.Parse(s.Afterwards); err != nil || s.Notice != "You have signed out." || u.Path != "/start" || u.Query().Get("next") != "/start/mfa" {
					t.Fatalf("after sign-out: %+v", s)
				}
				_, err := srv.STSAs(t, ak, sk, st).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
				testenv.WantError(t, err, 401, "IIC.1410")
			}, nil},
			browserStep{"webauthn", func(t *testing.T, data json.RawMessage) {
				var s struct {
					Created, Type, Asserted, RPID string
					Stored                        int
				}
				decodeStep(t, data, &s)
				if s.Created == "" || s.Type != "public-key" || s.Asserted != s.Created || s.RPID != "localhost" || s.Stored != 1 {
					t.Fatalf("the virtual WebAuthn authenticator: %+v", s)
				}
			}, nil},
		)
	})
}

// browserPS creates a provisioned-to-be permission set with a description,
// a session duration and, unless "", one managed policy; it returns its id.
func browserPS(t *testing.T, c interface {
	CreatePermissionSet(*model.CreatePermissionSetRequest) (*model.CreatePermissionSetResponse, error)
	AttachManagedPolicyToPermissionSet(*model.AttachManagedPolicyToPermissionSetRequest) (*model.AttachManagedPolicyToPermissionSetResponse, error)
}, ins, name, description, duration, policy string) string {
	t.Helper()
	resp, err := c.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins,
		Body: &model.CreatePermissionSetReqBody{Name: name, Description: &description, SessionDuration: &duration}})
	if err != nil {
		t.Fatalf("CreatePermissionSet %s: %v", name, err)
	}
	id := *resp.PermissionSet.PermissionSetId
	if policy != "" {
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: id,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, policy)}}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}
