package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	orgmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// An attacker's review of the multi-account access surfaces: each test
// either demonstrates a weakness that was fixed (it failed before the fix)
// or pins a property an attack relies on breaking.

// rootCaller is the root account's own keys.
func rootCaller(srv *testenv.Server) caller {
	return caller{"root", srv.App.Root.AccessKey, srv.App.Root.SecretKey}
}

func wantAnswer(t *testing.T, what string, a answer, status int, code string) {
	t.Helper()
	if a.status != status || a.code != code {
		t.Errorf("%s = %s, want %d %s", what, a, status, code)
	}
}

func tagBody(kv ...string) []byte {
	var tags []map[string]string
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, map[string]string{"key": kv[i], "value": kv[i+1]})
	}
	b, _ := json.Marshal(map[string]any{"tags": tags})
	return b
}

// Policy conditions look tag keys up case-insensitively
// (g:ResourceTag/env also reads a tag "Env"), so a resource holding "env"
// and "Env" was decided by whichever of the two the evaluator met first —
// in map order, i.e. at random: under "Deny when g:ResourceTag/env is prod"
// a set tagged env=dev and Env=prod was denied on some requests and
// allowed on others, and a create with g:RequestTag conditions likewise.
// Tag keys that differ only in case are now refused (400, nothing
// written) on permission sets and on organizations resources alike, and a
// tag decision is the same on every request.
func TestAttackTagKeysDifferingOnlyInCase(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		ins, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		root := rootCaller(srv)

		a := send(t, srv, root, "POST", "/v1/instances/"+ins+"/permission-sets",
			[]byte(`{"name":"mixed","tags":[{"key":"env","value":"dev"},{"key":"Env","value":"prod"}]}`))
		wantAnswer(t, "CreatePermissionSet with env and Env", a, 400, "IIC.400")
		list, err := c.ListPermissionSets(&icmodel.ListPermissionSetsRequest{InstanceId: ins})
		if err != nil || len(*list.PermissionSets) != 0 {
			t.Fatalf("a refused create left permission sets: %+v %v", list, err)
		}

		ps := *createPS(t, c, ins, "dev", icmodel.TagDto{Key: "env", Value: "dev"}).PermissionSetId
		tags := "/v1/instances/identitycenter:permissionset/" + ps + "/tags"
		wantAnswer(t, "CreateTagResource Env beside env", send(t, srv, root, "POST", tags+"/create", tagBody("ENV", "prod")), 400, "IIC.400")
		got := send(t, srv, root, "GET", tags, nil)
		if got.status != 200 || !strings.Contains(string(got.body), `"tags":[{"key":"env","value":"dev"}]`) {
			t.Fatalf("tags after the refused add: %s", got)
		}
		// Replacing the value of the same key, and unrelated keys, still work.
		if a := send(t, srv, root, "POST", tags+"/create", tagBody("env", "dev", "team", "red")); a.status != 200 {
			t.Fatalf("CreateTagResource env+team: %s", a)
		}

		pid := srv.CreatePolicy(t, "not-prod", `{"Version":"5.0","Statement":[
			{"Effect":"Allow","Action":["IdentityCenter:permissionSet:describe"],"Resource":["*"]},
			{"Effect":"Deny","Action":["IdentityCenter:permissionSet:describe"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/ENV":"prod"}}}]}`)
		ak, sk := srv.CreateKey(t, pid)
		scoped := caller{"not-prod key", ak, sk}
		for i := 0; i < 10; i++ {
			if a := send(t, srv, scoped, "GET", "/v1/instances/"+ins+"/permission-sets/"+ps, nil); a.status != 200 {
				t.Fatalf("describe %d of a dev set under Deny ENV=prod: %s", i, a)
			}
		}

		acct := srv.CreateMemberAccount(t, "tagged")
		orgTags := "/v1/organizations/resources/" + acct
		if a := send(t, srv, root, "POST", orgTags+"/tag", tagBody("env", "dev")); a.status >= 300 {
			t.Fatalf("TagResource env: %s", a)
		}
		wantAnswer(t, "TagResource Env beside env", send(t, srv, root, "POST", orgTags+"/tag", tagBody("Env", "prod")), 400, "IIC.400")
		wantAnswer(t, "CreateOrganizationalUnit with team and TEAM", send(t, srv, root, "POST", "/v1/organizations/organizational-units",
			[]byte(fmt.Sprintf(`{"name":"ou","parent_id":%q,"tags":[{"key":"team","value":"a"},{"key":"TEAM","value":"b"}]}`, orgRoot(t, srv)))), 400, "IIC.400")
		got = send(t, srv, root, "GET", orgTags+"/tags", nil)
		if got.status != 200 || strings.Contains(strings.ToLower(string(got.body)), "prod") {
			t.Fatalf("account tags after the refused add: %s", got)
		}
	})
}

// orgRoot is the root id of the root account's organization.
func orgRoot(t *testing.T, srv *testenv.Server) string {
	t.Helper()
	o, err := srv.App.Store.Organizations().GetByManagement(context.Background(), srv.App.Root.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return o.RootID
}

// agencyVersion is the version of the agency of ps in account (0 = none).
func agencyVersion(t *testing.T, srv *testenv.Server, ins, account, ps string) int64 {
	t.Helper()
	a, err := srv.App.Permission.Agency(context.Background(), mustInstance(t, srv, ins), account, ps)
	if err != nil {
		return 0
	}
	return a.Version
}

// An assignment is checked against the organization when it is requested
// but applied later by its job; provisioning refreshes agencies. An
// account that left the organization (removed) or is being closed in the
// meantime got the agency anyway — a permission set materialized in an
// account outside the organization — and ProvisionPermissionSet kept
// copying the latest permissions into agencies of such accounts, by
// ACCOUNT and by ALL_PROVISIONED_ACCOUNTS. Now the job fails such a
// request, ProvisionPermissionSet to a non-member account is refused like
// an assignment (403 IIC.1291 outside the organization, 400 IIC.1210 when
// not active), and ALL_PROVISIONED_ACCOUNTS leaves their agencies alone.
func TestAttackAgencyOutsideOrganization(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		ins := instanceOf(t, c)
		user, _ := createUser(t, sc, storeID, "alice")
		ps := *createPS(t, c, ins, "ops").PermissionSetId
		leaving, closing, staying := srv.CreateMemberAccount(t, "leaving"), srv.CreateMemberAccount(t, "closing"), srv.CreateMemberAccount(t, "staying")
		for _, acct := range []string{closing, staying} {
			if _, err := assign(c, ins, ps, "USER", user, acct); err != nil {
				t.Fatal(err)
			}
		}
		runJobs(t, srv)

		// A creation requested while "leaving" was a member, whose job runs
		// after the account left: the request row is written as
		// CreateAccountAssignment writes it, and applied by the service's
		// own job step (the server's runner would race the removal).
		ctx := context.Background()
		now := time.Now().UTC()
		late := store.Request{InstanceID: ins, ID: "late-request", Kind: store.RequestAssignmentCreate, Status: store.StatusInProgress,
			PermissionSetID: ps, PrincipalType: store.PrincipalUser, PrincipalID: user, TargetType: "ACCOUNT", TargetID: leaving,
			CreatedAt: now, UpdatedAt: now}
		if err := srv.App.Store.Requests().Create(ctx, late); err != nil {
			t.Fatal(err)
		}
		orgs := srv.Orgs(t)
		if _, err := orgs.RemoveAccount(&orgmodel.RemoveAccountRequest{AccountId: leaving}); err != nil {
			t.Fatal(err)
		}
		if _, err := orgs.CloseAccount(&orgmodel.CloseAccountRequest{AccountId: closing}); err != nil {
			t.Fatal(err)
		}
		if err := srv.App.Store.WithTx(ctx, func(tx store.Store) error { return srv.App.Permission.Process(ctx, tx, late.ID) }); err != nil {
			t.Fatal(err)
		}
		if st := creationStatus(t, c, ins, late.ID); st.Status == nil || st.Status.Value() != "FAILED" {
			t.Errorf("the late creation = %+v, want FAILED", st)
		}
		if v := agencyVersion(t, srv, ins, leaving, ps); v != 0 {
			t.Errorf("an agency (version %d) was created in the removed account", v)
		}

		// A new assignment is refused, and so is provisioning by ACCOUNT.
		_, err := assign(c, ins, ps, "USER", user, leaving)
		testenv.WantError(t, err, 403, "IIC.1291")
		_, err = assign(c, ins, ps, "USER", user, closing)
		testenv.WantError(t, err, 400, "IIC.1210")
		provision := func(typ, acct string) error {
			body := &icmodel.ProvisionPermissionSetReqBody{TargetType: icmodel.GetProvisionPermissionSetReqBodyTargetTypeEnum().ALL_PROVISIONED_ACCOUNTS}
			if typ == "ACCOUNT" {
				body = &icmodel.ProvisionPermissionSetReqBody{TargetType: icmodel.GetProvisionPermissionSetReqBodyTargetTypeEnum().ACCOUNT, TargetId: &acct}
			}
			_, err := c.ProvisionPermissionSet(&icmodel.ProvisionPermissionSetRequest{InstanceId: ins, PermissionSetId: ps, Body: body})
			return err
		}
		desc := "changed"
		if _, err := c.UpdatePermissionSet(&icmodel.UpdatePermissionSetRequest{InstanceId: ins, PermissionSetId: ps,
			Body: &icmodel.UpdatePermissionSetReqBody{Description: &desc}}); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, provision("ACCOUNT", closing), 400, "IIC.1210")
		if err := provision("ALL", ""); err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		if v := agencyVersion(t, srv, ins, closing, ps); v != 1 {
			t.Errorf("the closing account's agency has version %d after ALL_PROVISIONED_ACCOUNTS, want 1 (not refreshed)", v)
		}
		if v := agencyVersion(t, srv, ins, staying, ps); v != 2 {
			t.Errorf("the member account's agency has version %d, want 2", v)
		}
	})
}
