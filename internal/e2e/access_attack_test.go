package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
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
		// Cleaning up stays possible: unassigning in the closing account
		// removes its agency.
		if _, err := unassign(c, ins, ps, "USER", user, closing); err != nil {
			t.Fatalf("unassign in the closing account: %v", err)
		}
		runJobs(t, srv)
		if v := agencyVersion(t, srv, ins, closing, ps); v != 0 {
			t.Errorf("the closing account's agency survived its last unassignment (version %d)", v)
		}
	})
}

// A body naming the permission set twice (a duplicate key, or the same
// key in another letter case, which encoding/json also matches) is read
// the same way by the authorization (Op.Target) and by the handler: the
// key allowed to assign only env=dev sets cannot smuggle a prod set past
// the check. Holds (pinned).
func TestAttackDuplicateKeysDecideOneResource(t *testing.T) {
	srv, sc, storeID := identityStore(t, "sqlite")
	c := srv.Center(t)
	ins := instanceOf(t, c)
	user, _ := createUser(t, sc, storeID, "alice")
	acct := srv.CreateMemberAccount(t, "target")
	dev := *createPS(t, c, ins, "dev", icmodel.TagDto{Key: "env", Value: "dev"}).PermissionSetId
	prod := *createPS(t, c, ins, "prod", icmodel.TagDto{Key: "env", Value: "prod"}).PermissionSetId
	pid := srv.CreatePolicy(t, "assign-dev", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:accountAssignment:create"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/env":"dev"}}}]}`)
	ak, sk := srv.CreateKey(t, pid)
	scoped := caller{"dev-only key", ak, sk}
	path := "/v1/instances/" + ins + "/account-assignments/create"
	tail := fmt.Sprintf(`"principal_type":"USER","principal_id":%q,"target_type":"ACCOUNT","target_id":%q`, user, acct)
	for _, body := range []string{
		fmt.Sprintf(`{"permission_set_id":%q,"permission_set_id":%q,%s}`, dev, prod, tail),
		fmt.Sprintf(`{"permission_set_id":%q,"PERMISSION_SET_ID":%q,%s}`, dev, prod, tail),
		fmt.Sprintf(`{"permission_set_id":%q,%s,"permission_set_id":%q}`, dev, tail, prod),
	} {
		wantAnswer(t, "assign "+body, send(t, srv, scoped, "POST", path, []byte(body)), 403, "IIC.1000")
	}
	a := send(t, srv, scoped, "POST", path, []byte(fmt.Sprintf(`{"permission_set_id":%q,"permission_set_id":%q,%s}`, prod, dev, tail)))
	if a.status != 200 {
		t.Fatalf("prod then dev (dev is what is read): %s", a)
	}
	runJobs(t, srv)
	got := send(t, srv, rootCaller(srv), "GET", "/v1/instances/"+ins+"/account-assignments?account_id="+acct, nil)
	if got.status != 200 || strings.Contains(string(got.body), prod) || !strings.Contains(string(got.body), dev) {
		t.Fatalf("assignments in the account: %s", got)
	}
}

// Markers are bound to their list and tenant, request ids to their
// instance and kind, and another organization's resources answer exactly
// like missing ones. Holds (pinned).
func TestAttackMarkersAndIDsStayInTheirTenant(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		root := rootCaller(srv)
		ins := instanceOf(t, c)
		user, _ := createUser(t, sc, storeID, "alice")
		var sets []string
		for _, n := range []string{"a", "b", "c"} {
			sets = append(sets, *createPS(t, c, ins, n).PermissionSetId)
		}
		st, err := assign(c, ins, sets[0], "USER", user, srv.App.Root.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		page := send(t, srv, root, "GET", "/v1/instances/"+ins+"/permission-sets?limit=1", nil)
		var res struct {
			PageInfo struct {
				NextMarker string `json:"next_marker"`
			} `json:"page_info"`
		}
		if page.status != 200 || json.Unmarshal(page.body, &res) != nil || res.PageInfo.NextMarker == "" {
			t.Fatalf("first page: %s", page)
		}
		m := res.PageInfo.NextMarker
		for _, path := range []string{
			"/v1/instances/" + ins + "/permission-sets?name=b&marker=" + m,
			"/v1/instances/" + ins + "/account-assignments/creation-statuses?marker=" + m,
			"/v1/instances/" + ins + "/account-assignments?account_id=" + srv.App.Root.AccountID + "&marker=" + m,
			"/v1/instances/identitycenter:permissionset/" + sets[0] + "/tags?marker=" + m,
		} {
			wantAnswer(t, "the marker replayed on "+path, send(t, srv, root, "GET", path, nil), 400, "IIC.400")
		}

		out, ofx := otherOrganization(t, srv, sweepFx{})
		oins := ofx["instance_id"]
		wantAnswer(t, "another tenant replays the marker", send(t, srv, out, "GET", "/v1/instances/"+oins+"/permission-sets?marker="+m, nil), 400, "IIC.400")
		wantAnswer(t, "another tenant names the instance", send(t, srv, out, "GET", "/v1/instances/"+ins+"/permission-sets?marker="+m, nil), 404, "IIC.1259")

		status := "/v1/instances/" + oins + "/account-assignments/creation-status/"
		theirs := send(t, srv, out, "GET", status+*st.RequestId, nil)
		missing := send(t, srv, out, "GET", status+"00000000-0000-4000-8000-000000000000", nil)
		wantAnswer(t, "another tenant reads the request", theirs, 404, "IIC.1212")
		if msg(theirs) != msg(missing) {
			t.Errorf("another's request answers %q, a missing one %q", msg(theirs), msg(missing))
		}
		wantAnswer(t, "a creation id read as a deletion", send(t, srv, root, "GET",
			"/v1/instances/"+ins+"/account-assignments/deletion-status/"+*st.RequestId, nil), 404, "IIC.1212")

		tags := "/v1/instances/identitycenter:permissionset/"
		for _, op := range [][2]string{{"GET", ""}, {"POST", "/create"}, {"POST", "/delete"}} {
			body := []byte(nil)
			if op[0] == "POST" {
				body = tagBody("env", "x")
			}
			theirs := send(t, srv, out, op[0], tags+sets[0]+"/tags"+op[1], body)
			missing := send(t, srv, out, op[0], tags+"ps-0000000000000000/tags"+op[1], body)
			wantAnswer(t, "another tenant's tag op "+op[0]+op[1], theirs, 404, "IIC.1205")
			if msg(theirs) != msg(missing) {
				t.Errorf("tag op %s: another's set answers %q, a missing one %q", op[1], msg(theirs), msg(missing))
			}
		}
		if got := send(t, srv, root, "GET", tags+sets[0]+"/tags", nil); !strings.Contains(string(got.body), `"tags":[]`) {
			t.Errorf("the root's set was tagged by another tenant: %s", got)
		}
	})
}

// msg is the error message of an answer.
func msg(a answer) string {
	var e envelope
	_ = json.Unmarshal(a.body, &e)
	return e.ErrorMsg
}

// parallel runs fn n times at once and returns the answers.
func parallel(n int, fn func(i int) answer) []answer {
	out := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = fn(i) }()
	}
	wg.Wait()
	return out
}

// Concurrent writes keep the invariants: one permission set per name, one
// assignment per (set, principal, account) whatever the number of
// concurrent requests, and a permission set deleted while it is being
// assigned leaves neither an assignment nor an agency of a deleted set.
// Never a 5xx. Holds (pinned), on both stores.
func TestAttackConcurrentWrites(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, sc, storeID := identityStore(t, dialect)
		c := srv.Center(t)
		root := rootCaller(srv)
		ins := instanceOf(t, c)
		user, _ := createUser(t, sc, storeID, "alice")
		acct := srv.CreateMemberAccount(t, "target")
		const n = 8

		created := 0
		for _, a := range parallel(n, func(int) answer {
			return send(t, srv, root, "POST", "/v1/instances/"+ins+"/permission-sets", []byte(`{"name":"same"}`))
		}) {
			switch {
			case a.status == 200:
				created++
			case a.status != 409 || a.code != "IIC.1206":
				t.Errorf("concurrent CreatePermissionSet: %s", a)
			}
		}
		list, err := c.ListPermissionSets(&icmodel.ListPermissionSetsRequest{InstanceId: ins, Name: ptr("same")})
		if created != 1 || err != nil || len(*list.PermissionSets) != 1 {
			t.Fatalf("%d creates succeeded, %d sets named same (%v); want 1 and 1", created, len(*list.PermissionSets), err)
		}
		ps := *(*list.PermissionSets)[0].PermissionSetId

		body := []byte(fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"USER","principal_id":%q,"target_type":"ACCOUNT","target_id":%q}`, ps, user, acct))
		for _, a := range parallel(n, func(int) answer {
			return send(t, srv, root, "POST", "/v1/instances/"+ins+"/account-assignments/create", body)
		}) {
			if a.status != 200 {
				t.Errorf("concurrent CreateAccountAssignment: %s", a)
			}
		}
		runJobs(t, srv)
		ctx := context.Background()
		rows, err := srv.App.Store.Assignments().ListByAccount(ctx, ins, acct, "", 0, 100)
		if err != nil || len(rows) != 1 || agencyVersion(t, srv, ins, acct, ps) != 1 {
			t.Fatalf("after %d concurrent assignments: %d rows (%v), agency version %d", n, len(rows), err, agencyVersion(t, srv, ins, acct, ps))
		}

		for round := range 6 {
			victim := *createPS(t, c, ins, fmt.Sprintf("victim%d", round)).PermissionSetId
			vbody := []byte(fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"USER","principal_id":%q,"target_type":"ACCOUNT","target_id":%q}`, victim, user, acct))
			answers := parallel(2, func(i int) answer {
				if i == 0 {
					return send(t, srv, root, "DELETE", "/v1/instances/"+ins+"/permission-sets/"+victim, nil)
				}
				return send(t, srv, root, "POST", "/v1/instances/"+ins+"/account-assignments/create", vbody)
			})
			del, asg := answers[0], answers[1]
			if !(del.status == 200 || del.status == 409 && del.code == "IIC.1210") || !(asg.status == 200 || asg.status == 404 && asg.code == "IIC.1205") {
				t.Fatalf("round %d: delete %s, assign %s", round, del, asg)
			}
			runJobs(t, srv)
			_, gone := srv.App.Store.PermissionSets().Get(ctx, ins, victim)
			n, err := srv.App.Store.Assignments().CountFor(ctx, ins, victim, acct)
			if err != nil {
				t.Fatal(err)
			}
			if gone != nil && (n != 0 || agencyVersion(t, srv, ins, acct, victim) != 0) {
				t.Fatalf("round %d: the deleted set keeps %d assignments (delete %s, assign %s)", round, n, del, asg)
			}
			if gone == nil && del.status == 200 {
				t.Fatalf("round %d: delete answered 200 but the set exists", round)
			}
		}
	})
}

// A member account — also one registered as Identity Center's delegated
// administrator — cannot administer the organization: it cannot move,
// close or remove accounts, tag the root, register itself as a delegated
// administrator, disable the Identity Center trusted service or delete the
// organization, and nothing changes; the management account cannot
// delete the organization while it has members. Holds (pinned).
func TestAttackMemberCannotAdministerOrganization(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	srv.EnableIdentityCenter(t)
	root := rootCaller(srv)
	rootID := orgRoot(t, srv)
	victim := srv.CreateMemberAccount(t, "victim")
	member := srv.CreateMemberAccount(t, "member")
	delegate := srv.CreateMemberAccount(t, "delegate")
	reg := fmt.Sprintf(`{"account_id":%q,"service_principal":"service.IdentityCenter"}`, delegate)
	if a := send(t, srv, root, "POST", "/v1/organizations/delegated-administrators/register", []byte(reg)); a.status >= 300 {
		t.Fatalf("register the delegate: %s", a)
	}
	ou := send(t, srv, root, "POST", "/v1/organizations/organizational-units", []byte(fmt.Sprintf(`{"name":"ou","parent_id":%q}`, rootID)))
	var unit struct {
		Unit struct {
			ID string `json:"id"`
		} `json:"organizational_unit"`
	}
	if ou.status >= 300 || json.Unmarshal(ou.body, &unit) != nil || unit.Unit.ID == "" {
		t.Fatalf("create OU: %s", ou)
	}
	snapshot := func() string {
		var b strings.Builder
		for _, p := range []string{"/v1/organizations/accounts", "/v1/organizations/delegated-administrators", "/v1/organizations/trusted-services",
			"/v1/organizations/resources/" + rootID + "/tags", "/v1/organizations"} {
			a := send(t, srv, root, "GET", p, nil)
			b.WriteString(fmt.Sprintf("%s %d %s\n", p, a.status, a.body))
		}
		return b.String()
	}
	before := snapshot()
	for _, who := range []string{member, delegate} {
		ak, sk := srv.AccountKeys(t, who)
		c := caller{"member " + who, ak, sk}
		self := fmt.Sprintf(`{"account_id":%q,"service_principal":"service.IdentityCenter"}`, who)
		for _, op := range []struct{ method, path, body string }{
			{"POST", "/v1/organizations/accounts/" + victim + "/move", fmt.Sprintf(`{"source_parent_id":%q,"destination_parent_id":%q}`, rootID, unit.Unit.ID)},
			{"POST", "/v1/organizations/accounts/" + victim + "/close", ""},
			{"POST", "/v1/organizations/accounts/" + victim + "/remove", ""},
			{"POST", "/v1/organizations/accounts/" + who + "/remove", ""},
			{"PATCH", "/v1/organizations/accounts/" + victim, `{"description":"owned"}`},
			{"POST", "/v1/organizations/resources/" + rootID + "/tag", string(tagBody("owner", "attacker"))},
			{"POST", "/v1/organizations/delegated-administrators/register", self},
			{"POST", "/v1/organizations/delegated-administrators/deregister", reg},
			{"POST", "/v1/organizations/trusted-services/disable", `{"service_principal":"service.IdentityCenter"}`},
			{"POST", "/v1/organizations/accounts", `{"name":"planted"}`},
			{"DELETE", "/v1/organizations", ""},
		} {
			var body []byte
			if op.body != "" {
				body = []byte(op.body)
			}
			if a := send(t, srv, c, op.method, op.path, body); a.status != 403 {
				t.Errorf("%s: %s %s = %s, want 403", c.name, op.method, op.path, a)
			}
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("the organization changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	if a := send(t, srv, root, "DELETE", "/v1/organizations", nil); a.status != 400 {
		t.Errorf("delete an organization with members = %s, want 400", a)
	}
}

// Hostile bodies on the permission-set, tag, assignment and organization
// writes: thousands of tags, deep nesting, look-alike and control
// characters in names and keys, numbers and objects where strings are
// expected. Each is a 400 in the envelope and writes nothing. Holds
// (pinned; the route-wide sweep of badinput_test.go covers generic shapes).
func TestAttackHostileBodies(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	ins, _ := srv.EnableIdentityCenter(t)
	c := srv.Center(t)
	root := rootCaller(srv)
	ps := *createPS(t, c, ins, "base", icmodel.TagDto{Key: "env", Value: "dev"}).PermissionSetId
	acct := srv.CreateMemberAccount(t, "target")
	many := make([]string, 0, 2*5000)
	for i := range 5000 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	deep := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	sets := "/v1/instances/" + ins + "/permission-sets"
	tags := "/v1/instances/identitycenter:permissionset/" + ps + "/tags/create"
	orgTags := "/v1/organizations/resources/" + acct + "/tag"
	cases := []struct{ method, path, body string }{
		{"POST", sets, `{"name":"ａｄｍｉｎ"}`},
		{"POST", sets, `{"name":"admın"}`},
		{"POST", sets, `{"name":"a\u200bb"}`},
		{"POST", sets, `{"name":"a\u0000b"}`},
		{"POST", sets, `{"name":12}`},
		{"POST", sets, `{"name":["x"]}`},
		{"POST", sets, `{"name":"x","tags":{"env":"dev"}}`},
		{"POST", sets, `{"name":"x","tags":[{"key":1,"value":"v"}]}`},
		{"POST", sets, `{"name":"x","tags":[{"key":"a\u0000","value":"v"}]}`},
		{"POST", sets, `{"name":"x","tags":[{"key":"a\u0007","value":"v"}]}`},
		{"POST", sets, `{"name":"x","session_duration":3600}`},
		{"POST", sets, deep},
		{"POST", sets, string(tagBody(many...))[:len(tagBody(many...))-1] + `,"name":"x"}`},
		{"POST", tags, string(tagBody(many...))},
		{"POST", tags, `{"tags":[{"key":"","value":"v"}]}`},
		{"POST", tags, `{"tags":[{"key":"team","value":{"x":1}}]}`},
		{"POST", tags, `{"tags":null}`},
		{"POST", orgTags, string(tagBody(many...))},
		{"POST", orgTags, `{"tags":[{"key":" env","value":"v"}]}`},
		{"POST", "/v1/instances/" + ins + "/account-assignments/create", fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"USER","principal_id":"u","target_type":"ACCOUNT","target_id":"%s/../x"}`, ps, acct)},
		{"POST", "/v1/instances/" + ins + "/account-assignments/create", fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"user","principal_id":"u","target_type":"ACCOUNT","target_id":%q}`, ps, acct)},
		{"POST", "/v1/instances/" + ins + "/account-assignments/create", fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"USER","principal_id":7,"target_type":"ACCOUNT","target_id":%q}`, ps, acct)},
	}
	for _, k := range cases {
		what := k.method + " " + k.path + " " + k.body
		if len(what) > 160 {
			what = what[:160] + "…"
		}
		wantAnswer(t, what, send(t, srv, root, k.method, k.path, []byte(k.body)), 400, "IIC.400")
	}
	list, err := c.ListPermissionSets(&icmodel.ListPermissionSetsRequest{InstanceId: ins})
	if err != nil || len(*list.PermissionSets) != 1 {
		t.Errorf("permission sets after the hostile bodies: %+v %v", list, err)
	}
	if got := send(t, srv, root, "GET", "/v1/instances/identitycenter:permissionset/"+ps+"/tags", nil); !strings.Contains(string(got.body), `"tags":[{"key":"env","value":"dev"}]`) {
		t.Errorf("tags after the hostile bodies: %s", got)
	}
	if got := send(t, srv, root, "GET", "/v1/organizations/resources/"+acct+"/tags", nil); !strings.Contains(string(got.body), `"tags":[]`) {
		t.Errorf("account tags after the hostile bodies: %s", got)
	}
}

// A key denied everything on permission sets tagged locked=yes cannot lift
// the lock with the tag operations: not by deleting the key (in any
// letter case), not by overwriting its value, not by adding a look-alike
// key. Holds (pinned).
func TestAttackTagsCannotLiftADeny(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	ins, _ := srv.EnableIdentityCenter(t)
	c := srv.Center(t)
	ps := *createPS(t, c, ins, "locked", icmodel.TagDto{Key: "locked", Value: "yes"}).PermissionSetId
	pid := srv.CreatePolicy(t, "all-but-locked", `{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:*:*"],"Resource":["*"]},
		{"Effect":"Deny","Action":["IdentityCenter:*:*"],"Resource":["*"],"Condition":{"StringEquals":{"g:ResourceTag/locked":"yes"}}}]}`)
	ak, sk := srv.CreateKey(t, pid)
	k := caller{"all-but-locked key", ak, sk}
	open := *createPS(t, c, ins, "open").PermissionSetId
	if a := send(t, srv, k, "POST", "/v1/instances/identitycenter:permissionset/"+open+"/tags/create", tagBody("team", "red")); a.status != 200 {
		t.Fatalf("the key tags an unlocked set: %s", a)
	}
	tags := "/v1/instances/identitycenter:permissionset/" + ps + "/tags"
	for _, op := range []struct{ path, body string }{
		{tags + "/delete", `{"tags":[{"key":"locked"}]}`},
		{tags + "/delete", `{"tags":[{"key":"LOCKED"}]}`},
		{tags + "/delete", `{"tags":[{"key":"locked","value":"yes"}]}`},
		{tags + "/create", `{"tags":[{"key":"locked","value":"no"}]}`},
		{tags + "/create", `{"tags":[{"key":"Locked","value":"no"}]}`},
	} {
		if a := send(t, srv, k, "POST", op.path, []byte(op.body)); a.status != 403 {
			t.Errorf("%s %s = %s, want 403", op.path, op.body, a)
		}
	}
	if a := send(t, srv, k, "DELETE", "/v1/instances/"+ins+"/permission-sets/"+ps, nil); a.status != 403 {
		t.Errorf("delete the locked set = %s, want 403", a)
	}
	if got := send(t, srv, rootCaller(srv), "GET", tags, nil); !strings.Contains(string(got.body), `"tags":[{"key":"locked","value":"yes"}]`) {
		t.Errorf("tags of the locked set: %s", got)
	}
}

// A key allowed to list and assign in one account only (its URN) is
// decided on the account the request names — the query's account_id, the
// body's target_id — and not on the first of two, nor on another of the
// request's resources. Holds (pinned).
func TestAttackAccountScopedKeyStaysInItsAccount(t *testing.T) {
	srv, sc, storeID := identityStore(t, "sqlite")
	c := srv.Center(t)
	ins := instanceOf(t, c)
	user, _ := createUser(t, sc, storeID, "alice")
	mine, other := srv.CreateMemberAccount(t, "mine"), srv.CreateMemberAccount(t, "other")
	ps := *createPS(t, c, ins, "ops").PermissionSetId
	urn := "IdentityCenter::" + srv.App.Root.AccountID + ":account:" + mine
	pid := srv.CreatePolicy(t, "one-account", fmt.Sprintf(`{"Version":"5.0","Statement":[
		{"Effect":"Allow","Action":["IdentityCenter:accountAssignment:list","IdentityCenter:accountAssignment:create","IdentityCenter:permissionSet:listProvisionedToAccount"],
		 "Resource":[%q,"IdentityCenter:*:*:instance:*","IdentityCenter:*:*:permissionSet:*"]}]}`, urn))
	ak, sk := srv.CreateKey(t, pid)
	k := caller{"one-account key", ak, sk}
	body := func(acct string) []byte {
		return []byte(fmt.Sprintf(`{"permission_set_id":%q,"principal_type":"USER","principal_id":%q,"target_type":"ACCOUNT","target_id":%q}`, ps, user, acct))
	}
	base := "/v1/instances/" + ins
	if a := send(t, srv, k, "POST", base+"/account-assignments/create", body(mine)); a.status != 200 {
		t.Fatalf("assign in its account: %s", a)
	}
	if a := send(t, srv, k, "GET", base+"/account-assignments?account_id="+mine, nil); a.status != 200 {
		t.Fatalf("list its account: %s", a)
	}
	for _, k2 := range []struct{ method, path string }{
		{"GET", base + "/account-assignments?account_id=" + other},
		{"GET", base + "/account-assignments?account_id=" + other + "&account_id=" + mine},
		{"GET", base + "/permission-sets/provisioned-to-accounts?account_id=" + other},
	} {
		wantAnswer(t, k2.path, send(t, srv, k, k2.method, k2.path, nil), 403, "IIC.1000")
	}
	wantAnswer(t, "assign in another account", send(t, srv, k, "POST", base+"/account-assignments/create", body(other)), 403, "IIC.1000")
	dup := []byte(fmt.Sprintf(`{"target_id":%q,"permission_set_id":%q,"principal_type":"USER","principal_id":%q,"target_type":"ACCOUNT","target_id":%q}`, mine, ps, user, other))
	wantAnswer(t, "assign naming its account, then another", send(t, srv, k, "POST", base+"/account-assignments/create", dup), 403, "IIC.1000")
	runJobs(t, srv)
	if n, err := srv.App.Store.Assignments().CountFor(context.Background(), ins, ps, other); err != nil || n != 0 {
		t.Errorf("assignments in the other account: %d %v", n, err)
	}
}
