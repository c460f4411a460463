package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// Replays of the provisioning conversations Okta and Microsoft Entra ID
// document for SCIM 2.0 servers, with their request shapes (headers, op
// spellings, string booleans, path forms), asserting every SCIM answer and,
// at the end, the state the identity-store API reads through the SDK.

// Headers Okta's SCIM client sends: its User-Agent, SCIM's media type, and
// on some requests plain JSON with a charset.
var (
	oktaSCIM = []string{"User-Agent", "Okta SCIM Client 1.0.0", "Accept", "application/scim+json", "Content-Type", "application/scim+json"}
	oktaJSON = []string{"User-Agent", "Okta SCIM Client 1.0.0", "Accept", "application/scim+json", "Content-Type", "application/json; charset=utf-8"}
	entra    = []string{"Accept", "application/scim+json", "Content-Type", "application/scim+json"}
)

// field reads a nested value of a decoded JSON object: string keys index
// objects, ints index arrays; nil when absent.
func field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// resources returns a ListResponse's Resources, failing unless the
// response is a ListResponse whose Resources is an array (also when empty).
func resources(t *testing.T, what string, m map[string]any) []any {
	t.Helper()
	if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		t.Fatalf("%s: not a ListResponse: %v", what, m)
	}
	r, ok := m["Resources"].([]any)
	if !ok {
		t.Fatalf("%s: Resources is not an array: %v", what, m)
	}
	return r
}

// wantList checks a ListResponse's totalResults, startIndex and
// itemsPerPage (JSON integers) and returns its Resources.
func wantList(t *testing.T, what string, code int, m map[string]any, total, startIndex, perPage int) []any {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("%s: %d %v", what, code, m)
	}
	r := resources(t, what, m)
	if m["totalResults"] != float64(total) || m["startIndex"] != float64(startIndex) || m["itemsPerPage"] != float64(perPage) || len(r) != perPage {
		t.Fatalf("%s: totalResults %v startIndex %v itemsPerPage %v (%d resources), want %d %d %d",
			what, m["totalResults"], m["startIndex"], m["itemsPerPage"], len(r), total, startIndex, perPage)
	}
	return r
}

// filterQuery is ?filter=<f> with f percent-encoded the way the IdPs send
// it (spaces as %20), followed by more parameters.
func filterQuery(f string, more ...string) string {
	q := "?filter=" + strings.ReplaceAll(url.QueryEscape(f), "+", "%20")
	for _, p := range more {
		q += "&" + p
	}
	return q
}

// bulkUsers creates n users named prefix-0000.. with one /Bulk request (the
// set-up of the group pushes; neither IdP uses /Bulk) and returns their ids
// in order.
func bulkUsers(t *testing.T, c *scimClient, prefix string, n int) []string {
	t.Helper()
	ops := make([]string, n)
	for i := range ops {
		name := fmt.Sprintf("%s-%04d", prefix, i)
		ops[i] = fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName":%q,"name":{"givenName":"Member","familyName":%q},"emails":[{"value":%q,"type":"work","primary":true}],"active":true}}`,
			i, name, fmt.Sprint(i), name+"@example.com")
	}
	code, _, m := c.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`+strings.Join(ops, ",")+`]}`)
	if code != http.StatusOK {
		t.Fatalf("bulk create of %d users: %d %v", n, code, m)
	}
	res, _ := m["Operations"].([]any)
	if len(res) != n {
		t.Fatalf("bulk create: %d results for %d operations", len(res), n)
	}
	ids := make([]string, n)
	for i, r := range res {
		loc, _ := field(r, "location").(string)
		if field(r, "status") != "201" || !strings.Contains(loc, "/Users/") {
			t.Fatalf("bulk create, operation %d: %v", i, r)
		}
		ids[i] = loc[strings.LastIndex(loc, "/")+1:]
	}
	return ids
}

// memberValues renders ids as a members value: [{"value": id}, ...], with
// extra JSON members in each object.
func memberValues(ids []string, extra func(i int) string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf(`{"value":%q%s}`, id, extra(i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// groupMembers pages through a group's memberships with the identity-store
// SDK (100 a page) and returns the member user ids, sorted.
func groupMembers(t *testing.T, c *ics.IdentityCenterStoreClient, storeID, groupID string) []string {
	t.Helper()
	var ids []string
	var marker *string
	for pages := 0; ; pages++ {
		page, err := c.ListGroupMemberships(&icsmodel.ListGroupMembershipsRequest{IdentityStoreId: storeID, GroupId: groupID, Limit: ptr[int32](100), Marker: marker})
		if err != nil {
			t.Fatalf("ListGroupMemberships: %v", err)
		}
		for _, m := range *page.GroupMemberships {
			if *m.GroupId != groupID {
				t.Fatalf("membership of another group: %+v", m)
			}
			ids = append(ids, m.MemberId.UserId)
		}
		if page.PageInfo.NextMarker == "" {
			break
		}
		if pages > 100 {
			t.Fatal("ListGroupMemberships does not end")
		}
		marker = &page.PageInfo.NextMarker
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// scimExternalID is the identity store's external id of issuer "scim" (the
// SCIM externalId).
func scimExternalID(d *icsmodel.DescribeUserResponse) string {
	if d.ExternalIds == nil {
		return ""
	}
	for _, e := range *d.ExternalIds {
		if e.Issuer == "scim" {
			return e.Id
		}
	}
	return ""
}

// TestSCIMReplayOkta replays Okta's SCIM 2.0 conversation: the userName
// probe, create, read, full-resource PUT, PATCH deactivation, import paging,
// and a group push of 1,000 members (create, add, rename, remove, look-up,
// delete).
func TestSCIMReplayOkta(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, srv, storeID := newSCIM(t, dialect)
		sdk := srv.IdentityStore(t)
		okta := func(method, path, body string) (int, http.Header, map[string]any) {
			t.Helper()
			return c.do(method, path, body, oktaSCIM...)
		}

		// The manager the enterprise extension points to, provisioned first.
		code, _, mgr := c.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"boss@okta.local",
			"name":{"givenName":"Big","familyName":"Boss"},"emails":[{"primary":true,"value":"boss@okta.local","type":"work"}],
			"displayName":"Big Boss","externalId":"00ujl29u0le5T6Aj10h6","groups":[],"password":"9xq041mz","active":true}`, oktaJSON...)
		if code != http.StatusCreated {
			t.Fatalf("create the manager: %d %v", code, mgr)
		}
		mgrID := mgr["id"].(string)

		// Assignment, step 1: Okta asks whether the userName exists, with
		// startIndex=1&count=100; an empty ListResponse means it does not.
		probe := "/Users" + filterQuery(`userName eq "test.user@okta.local"`, "startIndex=1", "count=100")
		code, _, m := okta("GET", probe, "")
		wantList(t, "probe before create", code, m, 0, 1, 0)

		// Step 2: the create, with Okta's whole app profile (core and
		// enterprise attributes, an empty groups list and the placeholder
		// password Okta always sends), as plain JSON with a charset.
		createBody := `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"userName": "test.user@okta.local",
			"name": {"givenName": "Test", "familyName": "User"},
			"emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
			"displayName": "Test User",
			"locale": "en-US",
			"externalId": "00ujl29u0le5T6Aj10h7",
			"groups": [],
			"password": "1mz050nq",
			"active": true,
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
				"employeeNumber": "701984",
				"department": "Tour Operations",
				"manager": {"value": "` + mgrID + `", "displayName": "Big Boss"}
			}
		}`
		code, h, u := c.do("POST", "/Users", createBody, oktaJSON...)
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, u)
		}
		id, _ := u["id"].(string)
		const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
		if id == "" || h.Get("Location") == "" || !strings.HasSuffix(h.Get("Location"), "/Users/"+id) || h.Get("ETag") == "" ||
			!strings.HasPrefix(h.Get("Content-Type"), "application/scim+json") ||
			u["userName"] != "test.user@okta.local" || field(u, "name", "givenName") != "Test" || field(u, "name", "familyName") != "User" ||
			field(u, "emails", 0, "value") != "test.user@okta.local" || field(u, "emails", 0, "primary") != true || field(u, "emails", 0, "type") != "work" ||
			u["displayName"] != "Test User" || u["locale"] != "en-US" || u["externalId"] != "00ujl29u0le5T6Aj10h7" || u["active"] != true ||
			field(u, ent, "employeeNumber") != "701984" || field(u, ent, "department") != "Tour Operations" || field(u, ent, "manager", "value") != mgrID ||
			field(u, "meta", "resourceType") != "User" || u["password"] != nil {
			t.Fatalf("create answered %v %v", h, u)
		}
		// Okta's conflict check: the same userName again is a 409 SCIM error.
		code, _, m = c.do("POST", "/Users", createBody, oktaJSON...)
		wantSCIM(t, "a second create of the same userName", code, m, http.StatusConflict, "uniqueness")

		// The probe again finds the user: Okta links its account to this id.
		code, _, m = okta("GET", probe, "")
		if r := wantList(t, "probe after create", code, m, 1, 1, 1); field(r, 0, "id") != id || field(r, 0, "userName") != "test.user@okta.local" {
			t.Fatalf("probe after create: %v", r)
		}

		// Retrieve a specific user (Okta checks it still exists, and reads it
		// before an update).
		code, _, got := okta("GET", "/Users/"+id, "")
		if code != http.StatusOK || got["id"] != id || got["userName"] != "test.user@okta.local" || got["active"] != true {
			t.Fatalf("GET /Users/%s: %d %v", id, code, got)
		}

		// Update (PUT): Okta sends the whole resource with the changed
		// attributes — here a new userName and a changed name — including id,
		// meta and the read-only e-mail display.
		putBody := `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"id": "` + id + `",
			"userName": "another.user@okta.local",
			"name": {"givenName": "Another", "middleName": "Excited", "familyName": "User"},
			"emails": [{"primary": true, "value": "another.user@okta.local", "type": "work", "display": "another.user@okta.local"}],
			"displayName": "Another Excited User",
			"locale": "en-US",
			"externalId": "00ujl29u0le5T6Aj10h7",
			"active": true,
			"groups": [],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
				"employeeNumber": "701984",
				"department": "Tour Operations",
				"manager": {"value": "` + mgrID + `", "displayName": "Big Boss"}
			},
			"meta": {"resourceType": "User"}
		}`
		code, _, u = okta("PUT", "/Users/"+id, putBody)
		if code != http.StatusOK || u["id"] != id || u["userName"] != "another.user@okta.local" || field(u, "name", "givenName") != "Another" ||
			field(u, "name", "middleName") != "Excited" || field(u, "name", "familyName") != "User" || u["displayName"] != "Another Excited User" ||
			field(u, "emails", 0, "value") != "another.user@okta.local" || u["active"] != true || field(u, ent, "manager", "value") != mgrID {
			t.Fatalf("PUT: %d %v", code, u)
		}
		code, _, m = okta("GET", probe, "")
		wantList(t, "probe of the old userName after the rename", code, m, 0, 1, 0)
		code, _, m = okta("GET", "/Users"+filterQuery(`userName eq "another.user@okta.local"`, "startIndex=1", "count=100"), "")
		if r := wantList(t, "probe of the new userName", code, m, 1, 1, 1); field(r, 0, "id") != id {
			t.Fatalf("probe of the new userName: %v", r)
		}

		// Deactivate: a PATCH replace without a path whose value is
		// {"active": false}; the answer is the user, inactive.
		code, _, u = c.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`, oktaJSON...)
		if code != http.StatusOK || u["id"] != id || u["active"] != false || u["userName"] != "another.user@okta.local" {
			t.Fatalf("deactivate: %d %v", code, u)
		}
		// A deactivated user is still there (Okta never deletes users).
		code, _, u = okta("GET", "/Users/"+id, "")
		if code != http.StatusOK || u["active"] != false {
			t.Fatalf("GET after deactivate: %d %v", code, u)
		}

		// Group push. The 1,000 users Okta assigned (set up with /Bulk).
		members := bulkUsers(t, c, "okta-member", 1000)

		// Import: Okta pages through /Users 100 at a time from startIndex=1,
		// relying on totalResults and a stable order.
		seen := map[string]bool{}
		for start := 1; ; start += 100 {
			code, _, m := okta("GET", fmt.Sprintf("/Users?startIndex=%d&count=100", start), "")
			per := min(100, 1002-(start-1))
			for _, r := range wantList(t, fmt.Sprintf("import page at %d", start), code, m, 1002, start, per) {
				rid, _ := field(r, "id").(string)
				if seen[rid] {
					t.Fatalf("import: %s on two pages", rid)
				}
				seen[rid] = true
			}
			if start+100 > 1002 {
				break
			}
		}
		if len(seen) != 1002 || !seen[id] || !seen[mgrID] || !seen[members[999]] {
			t.Fatalf("import saw %d users", len(seen))
		}

		// Push a group: POST with the display name and no members; the
		// answer is the group with an empty members list.
		code, h, g := okta("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`)
		gid, _ := g["id"].(string)
		if code != http.StatusCreated || gid == "" || g["displayName"] != "Test SCIMv2" || field(g, "meta", "resourceType") != "Group" ||
			!strings.HasSuffix(h.Get("Location"), "/Groups/"+gid) {
			t.Fatalf("push group: %d %v", code, g)
		}
		if ms, ok := g["members"].([]any); !ok || len(ms) != 0 {
			t.Fatalf("pushed group's members: %v", g["members"])
		}

		// Membership update: one PATCH add of the 1,000 members, each with
		// Okta's display; 204 (or 200 with the group) is what Okta accepts.
		add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":` +
			memberValues(members, func(i int) string { return fmt.Sprintf(`,"display":"okta-member-%04d@example.com"`, i) }) + `}]}`
		code, _, m = okta("PATCH", "/Groups/"+gid, add)
		if code != http.StatusNoContent && code != http.StatusOK {
			t.Fatalf("add 1,000 members: %d %v", code, m)
		}
		code, _, g = okta("GET", "/Groups/"+gid, "")
		if ms, _ := g["members"].([]any); code != http.StatusOK || len(ms) != 1000 {
			t.Fatalf("GET the group after the add: %d, %d members", code, len(ms))
		}

		// Rename: Okta's replace without a path, the value holding the
		// group's id with the new display name (sent with each membership
		// update too).
		code, _, m = okta("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"`+gid+`","displayName":"Test SCIMv2 Renamed"}}]}`)
		if code != http.StatusNoContent && code != http.StatusOK {
			t.Fatalf("rename (replace with the id and displayName): %d %v", code, m)
		}

		// Unassign one user from the group: remove with a value filter.
		gone := members[500]
		code, _, m = okta("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"`+gone+`\"]"}]}`)
		if code != http.StatusNoContent && code != http.StatusOK {
			t.Fatalf("remove one member: %d %v", code, m)
		}

		// Group push finds an existing group by name, without its members.
		code, _, m = okta("GET", "/Groups"+filterQuery(`displayName eq "Test SCIMv2 Renamed"`, "excludedAttributes=members"), "")
		r := wantList(t, "group look-up by displayName", code, m, 1, 1, 1)
		if field(r, 0, "id") != gid || field(r, 0, "displayName") != "Test SCIMv2 Renamed" || field(r, 0, "members") != nil {
			t.Fatalf("group look-up: %v", r)
		}
		code, _, m = okta("GET", "/Groups"+filterQuery(`displayName eq "Test SCIMv2"`, "excludedAttributes=members"), "")
		wantList(t, "look-up by the old name", code, m, 0, 1, 0)

		// The state the identity-store API reads.
		d, err := sdk.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: id})
		if err != nil {
			t.Fatal(err)
		}
		if *d.UserName != "another.user@okta.local" || d.Name == nil || d.Name.GivenName != "Another" || d.Name.FamilyName != "User" ||
			d.Name.MiddleName == nil || *d.Name.MiddleName != "Excited" || *d.DisplayName != "Another Excited User" ||
			d.Emails == nil || len(*d.Emails) != 1 || (*d.Emails)[0].Value != "another.user@okta.local" || !(*d.Emails)[0].Primary ||
			d.Enabled == nil || *d.Enabled || d.Locale == nil || *d.Locale != "en-US" || scimExternalID(d) != "00ujl29u0le5T6Aj10h7" ||
			d.Enterprise == nil || d.Enterprise.EmployeeNumber == nil || *d.Enterprise.EmployeeNumber != "701984" ||
			*d.Enterprise.Department != "Tour Operations" || d.Enterprise.Manager == nil || *d.Enterprise.Manager.Value != mgrID {
			t.Fatalf("DescribeUser after the Okta conversation = %+v", d)
		}
		dg, err := sdk.DescribeGroup(&icsmodel.DescribeGroupRequest{IdentityStoreId: storeID, GroupId: gid})
		if err != nil || *dg.DisplayName != "Test SCIMv2 Renamed" {
			t.Fatalf("DescribeGroup = %+v, %v", dg, err)
		}
		want := sorted(append(append([]string(nil), members[:500]...), members[501:]...))
		if got := groupMembers(t, sdk, storeID, gid); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%d memberships after the push, want the 999 left", len(got))
		}

		// Unlink the pushed group, deleting it in the app: 204, then gone.
		code, _, m = okta("DELETE", "/Groups/"+gid, "")
		if code != http.StatusNoContent {
			t.Fatalf("delete group: %d %v", code, m)
		}
		code, _, m = okta("GET", "/Groups/"+gid, "")
		wantSCIM(t, "GET of the deleted group", code, m, http.StatusNotFound, "")
		_, err = sdk.DescribeGroup(&icsmodel.DescribeGroupRequest{IdentityStoreId: storeID, GroupId: gid})
		testenv.WantError(t, err, http.StatusNotFound, "IIC.1343")
		// Its members are still users.
		if _, err := sdk.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: members[0]}); err != nil {
			t.Fatalf("a member after the group's delete: %v", err)
		}
	})
}

// TestSCIMReplayEntra replays Microsoft Entra ID's provisioning
// conversation: the userName probe, create, queries by userName, externalId
// and work e-mail, PATCHes with capitalised ops, value-filtered paths, the
// manager reference and the string boolean "False", a group of 1,000 members
// added in batches, removed and replaced, and the user's hard delete.
func TestSCIMReplayEntra(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, srv, storeID := newSCIM(t, dialect)
		sdk := srv.IdentityStore(t)
		ad := func(method, path, body string) (int, http.Header, map[string]any) {
			t.Helper()
			return c.do(method, path, body, entra...)
		}
		const (
			ent      = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
			userName = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"
			extID    = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
			email    = "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
		)
		create := func(userName, extID, email, extra string) map[string]any {
			t.Helper()
			code, _, u := ad("POST", "/Users", `{
				"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"externalId": "`+extID+`",
				"userName": "`+userName+`",
				"active": true,
				"emails": [{"primary": true, "type": "work", "value": "`+email+`"}],
				"meta": {"resourceType": "User"},
				"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
				"roles": []`+extra+`
			}`)
			if code != http.StatusCreated {
				t.Fatalf("create %s: %d %v", userName, code, u)
			}
			return u
		}
		patch := func(what, path, ops string) map[string]any {
			t.Helper()
			code, _, m := ad("PATCH", path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+ops+`]}`)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %v", what, code, m)
			}
			return m
		}
		patchGroup := func(what, gid, ops string) {
			t.Helper()
			code, _, m := ad("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+ops+`]}`)
			if code != http.StatusNoContent {
				t.Fatalf("%s: %d %v (Entra expects 204)", what, code, m)
			}
		}

		// Test connection / matching: Entra queries the matching attribute
		// of a user that does not exist yet; zero results is a ListResponse
		// with an empty Resources.
		probe := "/Users" + filterQuery(`userName eq "`+userName+`"`)
		code, _, m := ad("GET", probe, "")
		if r := resources(t, "probe", m); code != http.StatusOK || m["totalResults"] != float64(0) || len(r) != 0 {
			t.Fatalf("probe before create: %d %v", code, m)
		}

		// Two managers, provisioned like any user.
		mgrA := create("Test_User_manager-a", "7fce0092-d52e-4f76-b727-3955bd72c939", "Test_User_manager-a@testuser.com", "")["id"].(string)
		mgrB := create("Test_User_manager-b", "58342554-38d6-4ec8-948c-50044d0a33fd", "Test_User_manager-b@testuser.com", "")["id"].(string)

		// Create User, as Entra sends it (meta.resourceType, name.formatted,
		// an empty roles list), with the enterprise attributes of Entra's
		// default mapping (employeeId, department).
		u := create(userName, extID, email, `,
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "1234", "department": "Sales"}`)
		id, _ := u["id"].(string)
		if id == "" || u["userName"] != userName || u["externalId"] != extID || u["active"] != true ||
			field(u, "name", "formatted") != "givenName familyName" || field(u, "name", "familyName") != "familyName" ||
			field(u, "emails", 0, "value") != email || field(u, "emails", 0, "type") != "work" || field(u, "emails", 0, "primary") != true ||
			field(u, ent, "employeeNumber") != "1234" || field(u, ent, "department") != "Sales" || field(u, "meta", "resourceType") != "User" {
			t.Fatalf("create answered %v", u)
		}

		// Get User.
		code, _, u = ad("GET", "/Users/"+id, "")
		if code != http.StatusOK || u["id"] != id || u["externalId"] != extID {
			t.Fatalf("GET /Users/%s: %d %v", id, code, u)
		}
		// Get User by query: by userName, by externalId, and by the work
		// e-mail (Entra's other uniqueness attribute).
		for _, f := range []string{`userName eq "` + userName + `"`, `externalId eq "` + extID + `"`, `emails[type eq "work"].value eq "` + email + `"`} {
			code, _, m := ad("GET", "/Users"+filterQuery(f), "")
			if r := resources(t, f, m); code != http.StatusOK || m["totalResults"] != float64(1) || len(r) != 1 || field(r, 0, "id") != id {
				t.Fatalf("GET /Users?filter=%s: %d %v", f, code, m)
			}
		}
		// A user that does not exist, by id: 404 with a SCIM error.
		code, _, m = ad("GET", "/Users/5171a35d82074e068ce2", "")
		wantSCIM(t, "GET of an unknown user", code, m, http.StatusNotFound, "")

		// Update User [Multi-valued properties]: Replace (capitalised) of the
		// work e-mail's value and of name.familyName.
		u = patch("update the e-mail and family name", "/Users/"+id, `
			{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
			{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}`)
		if field(u, "emails", 0, "value") != "updatedEmail@microsoft.com" || field(u, "emails", 0, "type") != "work" ||
			field(u, "name", "familyName") != "updatedFamilyName" || field(u, "name", "givenName") != "givenName" {
			t.Fatalf("after the multi-valued update: %v", u)
		}
		if emails, _ := u["emails"].([]any); len(emails) != 1 {
			t.Fatalf("emails after the update: %v", u["emails"])
		}

		// Update User [Single-valued properties]: Replace of userName.
		const newName = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
		u = patch("rename", "/Users/"+id, `{"op": "Replace", "path": "userName", "value": "`+newName+`"}`)
		if u["userName"] != newName {
			t.Fatalf("after the rename: %v", u)
		}

		// The manager, by its extension path: Entra's provisioning job sends
		// the manager's id as a plain string (its schema example shows the
		// manager as a string too) ...
		u = patch("add the manager as a string", "/Users/"+id, `{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "`+mgrA+`"}`)
		if field(u, ent, "manager", "value") != mgrA {
			t.Fatalf("manager after the string Add: %v", u[ent])
		}
		// ... and the SCIM-compliant form is the complex value {"value": id}.
		u = patch("replace the manager", "/Users/"+id, `{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "`+mgrB+`"}}`)
		if field(u, ent, "manager", "value") != mgrB || field(u, ent, "employeeNumber") != "1234" {
			t.Fatalf("manager after the Replace: %v", u[ent])
		}

		// Replace of several attributes in one operation (Entra's compliant
		// form): no path, the value's keys are paths.
		u = patch("replace several attributes", "/Users/"+id, `{"op": "replace", "value": {
			"displayName": "Updated Display", "name.givenName": "updatedGivenName",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Marketing"}}`)
		if u["displayName"] != "Updated Display" || field(u, "name", "givenName") != "updatedGivenName" ||
			field(u, "name", "familyName") != "updatedFamilyName" || field(u, ent, "department") != "Marketing" {
			t.Fatalf("after the multi-attribute replace: %v", u)
		}

		// Disable User, Entra's default shape: Replace of active with the
		// string "False". The user stays readable, inactive.
		u = patch("disable", "/Users/"+id, `{"op": "Replace", "path": "active", "value": "False"}`)
		if u["active"] != false {
			t.Fatalf("active after \"False\": %v", u["active"])
		}
		code, _, u = ad("GET", "/Users/"+id, "")
		if code != http.StatusOK || u["active"] != false {
			t.Fatalf("GET of the disabled user: %d %v", code, u)
		}
		d, err := sdk.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: id})
		if err != nil {
			t.Fatal(err)
		}
		if *d.UserName != newName || d.Enabled == nil || *d.Enabled || d.Name == nil || d.Name.FamilyName != "updatedFamilyName" ||
			d.Name.GivenName != "updatedGivenName" || *d.DisplayName != "Updated Display" ||
			d.Emails == nil || len(*d.Emails) != 1 || (*d.Emails)[0].Value != "updatedEmail@microsoft.com" || !(*d.Emails)[0].Primary ||
			scimExternalID(d) != extID || d.Enterprise == nil || d.Enterprise.Manager == nil || *d.Enterprise.Manager.Value != mgrB ||
			*d.Enterprise.Department != "Marketing" || *d.Enterprise.EmployeeNumber != "1234" {
			t.Fatalf("DescribeUser after the Entra updates = %+v", d)
		}

		// Create Group: no members, Entra's extra schema URI and meta.
		code, _, g := ad("POST", "/Groups", `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"displayName": "displayName",
			"meta": {"resourceType": "Group"}
		}`)
		gid, _ := g["id"].(string)
		if code != http.StatusCreated || gid == "" || g["displayName"] != "displayName" || g["externalId"] != "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159" {
			t.Fatalf("create group: %d %v", code, g)
		}
		if ms, ok := g["members"].([]any); !ok || len(ms) != 0 {
			t.Fatalf("new group's members: %v", g["members"])
		}

		// Get Group, members excluded; Get Group by displayName, the same.
		code, _, g = ad("GET", "/Groups/"+gid+"?excludedAttributes=members", "")
		if _, has := g["members"]; code != http.StatusOK || has || g["id"] != gid || g["displayName"] != "displayName" {
			t.Fatalf("GET group excluding members: %d %v", code, g)
		}
		code, _, m = ad("GET", "/Groups"+filterQuery(`displayName eq "displayName"`, "excludedAttributes=members"), "")
		r := resources(t, "group by displayName", m)
		if _, has := field(r, 0).(map[string]any)["members"]; code != http.StatusOK || m["totalResults"] != float64(1) || len(r) != 1 || field(r, 0, "id") != gid || has {
			t.Fatalf("GET /Groups by displayName: %d %v", code, m)
		}

		// Update Group [Non-member attributes]: Replace of displayName, 204.
		patchGroup("rename the group", gid, `{"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}`)

		// Update Group [Add Members], in batches of 100 (Entra adds several
		// members per PATCH, each with "$ref": null).
		members := bulkUsers(t, c, "entra-member", 1000)
		for i := 0; i < len(members); i += 100 {
			patchGroup(fmt.Sprintf("add members %d-%d", i, i+99), gid, `{"op": "Add", "path": "members", "value": `+
				memberValues(members[i:i+100], func(int) string { return `,"$ref":null` })+`}`)
		}
		// Adding members that are already there changes nothing.
		patchGroup("add present members again", gid, `{"op": "Add", "path": "members", "value": `+memberValues(members[:3], func(int) string { return `,"$ref":null` })+`}`)
		if got := groupMembers(t, sdk, storeID, gid); len(got) != 1000 || strings.Join(got, ",") != strings.Join(sorted(members), ",") {
			t.Fatalf("%d memberships after the adds, want the 1,000", len(got))
		}

		// Is the user a member? Entra asks with a filter on id and members,
		// members excluded from the answer.
		memberQuery := func(uid string) int {
			t.Helper()
			code, _, m := ad("GET", "/Groups"+filterQuery(`id eq "`+gid+`" and members eq "`+uid+`"`, "excludedAttributes=members"), "")
			r := resources(t, "membership query", m)
			if code != http.StatusOK || m["totalResults"] != float64(len(r)) {
				t.Fatalf("membership query: %d %v", code, m)
			}
			return len(r)
		}
		if n := memberQuery(members[10]); n != 1 {
			t.Fatalf("membership query for a member: %d groups", n)
		}
		if n := memberQuery(id); n != 0 {
			t.Fatalf("membership query for a non-member: %d groups", n)
		}

		// Update Group [Remove Members], Entra's default form: Remove with
		// path members and the members in the value; and the compliant
		// form, a value filter in the path.
		patchGroup("remove members (value list)", gid, `{"op": "Remove", "path": "members", "value": `+
			memberValues(members[0:2], func(int) string { return `,"$ref":null` })+`}`)
		patchGroup("remove a member (value filter)", gid, `{"op": "remove", "path": "members[value eq \"`+members[2]+`\"]"}`)
		if n := memberQuery(members[1]); n != 0 {
			t.Fatalf("membership query for a removed member: %d groups", n)
		}
		if got := groupMembers(t, sdk, storeID, gid); len(got) != 997 {
			t.Fatalf("%d memberships after the removals, want 997", len(got))
		}

		// A replace of members: the 1,000 (now 997) become 10 that overlap
		// them — 7 current members, 2 removed ones and the user.
		ten := []string{members[3], members[4], members[100], members[200], members[500], members[998], members[999], members[0], members[2], id}
		patchGroup("replace the members", gid, `{"op": "replace", "path": "members", "value": `+memberValues(ten, func(int) string { return "" })+`}`)
		if got := groupMembers(t, sdk, storeID, gid); strings.Join(got, ",") != strings.Join(sorted(ten), ",") {
			t.Fatalf("memberships after the replace = %v, want %v", got, sorted(ten))
		}
		code, _, g = ad("GET", "/Groups/"+gid, "")
		if ms, _ := g["members"].([]any); code != http.StatusOK || len(ms) != 10 || g["displayName"] != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" {
			t.Fatalf("GET the group after the replace: %d %v", code, g)
		}

		// Delete User: after the soft delete, Entra hard-deletes; 204, then
		// the user is gone everywhere (and from the group).
		code, _, m = ad("DELETE", "/Users/"+id, "")
		if code != http.StatusNoContent {
			t.Fatalf("delete user: %d %v", code, m)
		}
		code, _, m = ad("GET", "/Users/"+id, "")
		wantSCIM(t, "GET of the deleted user", code, m, http.StatusNotFound, "")
		for _, f := range []string{`userName eq "` + newName + `"`, `externalId eq "` + extID + `"`} {
			code, _, m := ad("GET", "/Users"+filterQuery(f), "")
			if r := resources(t, f, m); code != http.StatusOK || m["totalResults"] != float64(0) || len(r) != 0 {
				t.Fatalf("probe after delete (%s): %d %v", f, code, m)
			}
		}
		_, err = sdk.DescribeUser(&icsmodel.DescribeUserRequest{IdentityStoreId: storeID, UserId: id})
		testenv.WantError(t, err, http.StatusNotFound, "IIC.1312")
		if got := groupMembers(t, sdk, storeID, gid); len(got) != 9 || strings.Contains(strings.Join(got, ","), id) {
			t.Fatalf("memberships after the user's delete = %v", got)
		}

		// Delete Group.
		code, _, m = ad("DELETE", "/Groups/"+gid, "")
		if code != http.StatusNoContent {
			t.Fatalf("delete group: %d %v", code, m)
		}
		_, err = sdk.DescribeGroup(&icsmodel.DescribeGroupRequest{IdentityStoreId: storeID, GroupId: gid})
		testenv.WantError(t, err, http.StatusNotFound, "IIC.1343")
	})
}
