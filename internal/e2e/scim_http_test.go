package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// scimClient sends raw SCIM requests to one tenant.
type scimClient struct {
	t      *testing.T
	srv    *testenv.Server
	tenant string
	auth   string
}

func newSCIM(t *testing.T, dialect string) (*scimClient, *testenv.Server, string) {
	srv, _, storeID := identityStore(t, dialect)
	tenant, auth := srv.SCIMTenant(t, storeID)
	return &scimClient{t: t, srv: srv, tenant: tenant, auth: auth}, srv, storeID
}

func (c *scimClient) do(method, path, body string, headers ...string) (int, http.Header, map[string]any) {
	c.t.Helper()
	h := map[string]string{"Content-Type": "application/scim+json", "Authorization": c.auth}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	resp, out := c.srv.Do(c.t, method, "/"+c.tenant+"/scim/v2"+path, []byte(body), h, false)
	var m map[string]any
	json.Unmarshal(out, &m)
	return resp.StatusCode, resp.Header, m
}

func (c *scimClient) user(name string, extra string) string {
	c.t.Helper()
	code, _, m := c.do("POST", "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,
		"name":{"givenName":"G","familyName":"F"},"emails":[{"value":%q,"type":"work","primary":true}]%s}`, name, name+"@example.com", extra))
	if code != 201 {
		c.t.Fatalf("create user %s: %d %v", name, code, m)
	}
	return m["id"].(string)
}

func wantSCIM(t *testing.T, what string, code int, m map[string]any, status int, scimType string) {
	t.Helper()
	if code != status || m["status"] != fmt.Sprint(status) || (scimType != "" && m["scimType"] != scimType) {
		t.Fatalf("%s: %d %v, want %d %s", what, code, m, status, scimType)
	}
	if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Fatalf("%s: not a SCIM error: %v", what, m)
	}
}

// Authentication: a wrong, repeated, missing or other tenant's token, or an
// unknown tenant, is one 401 with a SCIM body.
func TestSCIMAuthentication(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, srv, _ := newSCIM(t, dialect)
		for name, h := range map[string]map[string]string{
			"no header":    {"Authorization": ""},
			"wrong token":  {"Authorization": "Bearer iicscim_wrong"},
			"basic scheme": {"Authorization": strings.Replace(c.auth, "Bearer", "Basic", 1)},
		} {
			resp, out := srv.Do(t, "GET", "/"+c.tenant+"/scim/v2/Users", nil, h, false)
			var m map[string]any
			json.Unmarshal(out, &m)
			wantSCIM(t, name, resp.StatusCode, m, 401, "")
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%s: no WWW-Authenticate", name)
			}
		}
		resp, out := srv.Do(t, "GET", "/00000000-0000-0000-0000-000000000000/scim/v2/Users", nil, map[string]string{"Authorization": c.auth}, false)
		var m map[string]any
		json.Unmarshal(out, &m)
		wantSCIM(t, "another tenant's path", resp.StatusCode, m, 401, "")
		// A repeated Authorization header.
		req, _ := http.NewRequest("GET", srv.URL+"/"+c.tenant+"/scim/v2/Users", nil)
		req.Header.Add("Authorization", c.auth)
		req.Header.Add("Authorization", c.auth)
		r2, err := http.DefaultClient.Do(req)
		if err != nil || r2.StatusCode != 401 {
			t.Fatalf("repeated Authorization: %v %v", r2, err)
		}
		r2.Body.Close()
	})
}

// Everything under the prefix answers in SCIM's dialect: unknown paths,
// /Me, bad bodies, wrong media types, oversized and NUL values.
func TestSCIMErrorsAndBadInput(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, _, _ := newSCIM(t, dialect)
		code, _, m := c.do("GET", "/Nope", "")
		wantSCIM(t, "unknown path", code, m, 404, "")
		code, _, m = c.do("GET", "/Me", "")
		wantSCIM(t, "/Me", code, m, 501, "")
		code, h, m := c.do("DELETE", "/Users", "")
		wantSCIM(t, "a wrong method on a known path", code, m, 405, "")
		if allow := h.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Fatalf("405 Allow = %q", allow)
		}
		for name, body := range map[string]string{
			"malformed JSON": `{"userName":`, "an array": `[1]`, "trailing data": `{} {}`, "wrong type": `{"userName":5,"name":{}}`,
			"NUL":               `{"userName":"a\u0000b","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"a@b.c","primary":true}]}`,
			"70,000 characters": `{"userName":"` + strings.Repeat("x", 70000) + `","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"a@b.c","primary":true}]}`,
			"no name":           `{"userName":"nameless","emails":[{"value":"n@b.c","primary":true}]}`,
			"two e-mails":       `{"userName":"two","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"a@b.c","primary":true},{"value":"d@b.c"}]}`,
			"bad boolean":       `{"userName":"bb","active":"maybe","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"bb@b.c","primary":true}]}`,
		} {
			code, _, m := c.do("POST", "/Users", body)
			wantSCIM(t, name, code, m, 400, "")
		}
		code, _, m = c.do("POST", "/Users", `{"userName":"x"}`, "Content-Type", "text/plain")
		wantSCIM(t, "text/plain", code, m, 415, "")
		code, _, m = c.do("POST", "/Users", `{"userName":"`+strings.Repeat("x", 1<<20)+`"}`)
		wantSCIM(t, "a body over the limit", code, m, 413, "")
		code, _, m = c.do("GET", "/Users?filter="+strings.ReplaceAll(`userName eq`, " ", "%20"), "")
		wantSCIM(t, "a malformed filter", code, m, 400, "invalidFilter")
		code, _, m = c.do("GET", "/Users?filter=nope%20eq%20%22x%22", "")
		wantSCIM(t, "an unknown attribute", code, m, 400, "invalidFilter")
		if n, _, _ := c.do("GET", "/Users", ""); n != 200 {
			t.Fatalf("a list after the bad requests: %d", n)
		}
		// Nothing of the refused writes was stored.
		_, _, l := c.do("GET", "/Users", "")
		if l["totalResults"] != float64(0) {
			t.Fatalf("users after refused creates: %v", l["totalResults"])
		}
	})
}

// Filters, sorting, paging and projection over HTTP; an indexed filter
// and a scanned one give the same answers.
func TestSCIMQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, _, _ := newSCIM(t, dialect)
		ids := map[string]string{}
		for i, n := range []string{"carol", "alice", "bob"} {
			ids[n] = c.user(n, fmt.Sprintf(`,"title":"t%d","externalId":"ext-%s"`, i, n))
		}
		q := func(query string) map[string]any {
			t.Helper()
			code, _, m := c.do("GET", "/Users?"+query, "")
			if code != 200 {
				t.Fatalf("GET /Users?%s: %d %v", query, code, m)
			}
			return m
		}
		names := func(m map[string]any) string {
			var out []string
			for _, r := range m["Resources"].([]any) {
				out = append(out, r.(map[string]any)["userName"].(string))
			}
			return strings.Join(out, ",")
		}
		for query, want := range map[string]string{
			"filter=userName%20eq%20%22ALICE%22":                          "alice",
			"filter=externalId%20eq%20%22ext-bob%22":                      "bob",
			"filter=emails.value%20eq%20%22carol@example.com%22":          "carol",
			"filter=emails%5Bvalue%20eq%20%22carol@example.com%22%5D":     "carol",
			"filter=id%20eq%20%22" + ids["bob"] + "%22":                   "bob",
			"filter=userName%20sw%20%22a%22%20or%20title%20eq%20%22t0%22": "carol,alice",
			"filter=not%20(userName%20eq%20%22bob%22)":                    "carol,alice",
			"filter=userName%20co%20%22o%22&sortBy=userName":              "bob,carol",
			// co, sw and ew of 3 or more characters on userName and
			// emails.value are answered from the substring index.
			"filter=userName%20co%20%22ARO%22":                               "carol",
			"filter=userName%20sw%20%22bob%22%20and%20title%20eq%20%22t2%22": "bob",
			"filter=userName%20ew%20%22ice%22":                               "alice",
			"filter=emails.value%20co%20%22@example.com%22&sortBy=userName":  "alice,bob,carol",
			"filter=emails%5Bvalue%20co%20%22lice@exa%22%5D":                 "alice",
			"filter=userName%20co%20%22xyz%22":                               "",
			"sortBy=userName&sortOrder=descending":                           "carol,bob,alice",
			"startIndex=2&count=1":                                           "alice",
			"filter=userName%20eq%20%22nobody%22":                            "",
		} {
			if got := names(q(query)); got != want {
				t.Errorf("%s: %q, want %q", query, got, want)
			}
		}
		if m := q("count=0"); m["totalResults"] != float64(3) || len(m["Resources"].([]any)) != 0 {
			t.Fatalf("count=0: %v", m)
		}
		m := q("attributes=userName&filter=userName%20eq%20%22bob%22")
		r := m["Resources"].([]any)[0].(map[string]any)
		if r["id"] == nil || r["userName"] != "bob" || r["emails"] != nil || r["name"] != nil {
			t.Fatalf("attributes=userName: %v", r)
		}
		// Groups: excludedAttributes=members reads no members; POST .search.
		code, _, g := c.do("POST", "/Groups", `{"displayName":"Everyone","members":[{"value":"`+ids["alice"]+`"},{"value":"`+ids["bob"]+`"}]}`)
		if code != 201 || len(g["members"].([]any)) != 2 {
			t.Fatalf("create group: %d %v", code, g)
		}
		code, _, gm := c.do("GET", "/Groups/"+g["id"].(string)+"?excludedAttributes=members", "")
		if code != 200 || gm["members"] != nil || gm["displayName"] != "Everyone" {
			t.Fatalf("excludedAttributes=members: %d %v", code, gm)
		}
		code, _, s := c.do("POST", "/Groups/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName eq \"everyone\"","excludedAttributes":["members"]}`)
		if code != 200 || s["totalResults"] != float64(1) {
			t.Fatalf(".search: %d %v", code, s)
		}
		code, _, s = c.do("POST", "/.search", `{"filter":"id eq \"`+g["id"].(string)+`\""}`)
		if code != 200 || s["totalResults"] != float64(1) {
			t.Fatalf("root .search: %d %v", code, s)
		}
		// Discovery documents.
		for _, p := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas",
			"/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"} {
			if code, _, _ := c.do("GET", p, ""); code != 200 {
				t.Fatalf("GET %s: %d", p, code)
			}
		}
	})
}

// Weak ETags: If-None-Match answers 304, a stale If-Match 412, and a
// PATCH that changes nothing writes nothing (the version stays).
func TestSCIMVersions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, _, _ := newSCIM(t, dialect)
		id := c.user("etag", "")
		_, h, u := c.do("GET", "/Users/"+id, "")
		tag := h.Get("ETag")
		if tag == "" || u["meta"].(map[string]any)["version"] != tag {
			t.Fatalf("ETag %q, meta %v", tag, u["meta"])
		}
		if code, _, _ := c.do("GET", "/Users/"+id, "", "If-None-Match", tag); code != 304 {
			t.Fatalf("If-None-Match with the current tag: %d", code)
		}
		patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Boss"}]}`
		code, h2, _ := c.do("PATCH", "/Users/"+id, patch, "If-Match", tag)
		if code != 200 || h2.Get("ETag") == tag {
			t.Fatalf("PATCH with the current tag: %d, tag %s", code, h2.Get("ETag"))
		}
		code, _, m := c.do("PATCH", "/Users/"+id, patch, "If-Match", tag)
		wantSCIM(t, "PATCH with a stale tag", code, m, 412, "")
		code, h3, _ := c.do("PATCH", "/Users/"+id, patch) // the same value again
		if code != 200 || h3.Get("ETag") != h2.Get("ETag") {
			t.Fatalf("a PATCH that changes nothing moved the version: %s → %s", h2.Get("ETag"), h3.Get("ETag"))
		}
	})
}

// /Bulk: bulkId references, failOnErrors, maxOperations.
func TestSCIMBulk(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, srv, storeID := newSCIM(t, dialect)
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
			{"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"bulk1","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"bulk1@x.org","primary":true}]}},
			{"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Bulk","members":[{"value":"bulkId:u1"}]}},
			{"method":"PATCH","path":"/Users/bulkId:u1","data":{"Operations":[{"op":"replace","path":"title","value":"T"}]}},
			{"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"BULK1","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"z@x.org","primary":true}]}},
			{"method":"DELETE","path":"/Groups/bulkId:g1"}]}`
		code, _, m := c.do("POST", "/Bulk", body)
		if code != 200 {
			t.Fatalf("bulk: %d %v", code, m)
		}
		ops := m["Operations"].([]any)
		statuses := []string{}
		for _, o := range ops {
			statuses = append(statuses, o.(map[string]any)["status"].(string))
		}
		if strings.Join(statuses, ",") != "201,201,200,409" {
			t.Fatalf("statuses %v (failOnErrors 1 stops after the conflict)", statuses)
		}
		groups, err := srv.IdentityStore(t).ListGroups(&icsmodel.ListGroupsRequest{IdentityStoreId: storeID})
		if err != nil || len(*groups.Groups) != 1 {
			t.Fatalf("groups after bulk: %+v, %v", groups, err)
		}
		many := make([]string, 1001)
		for i := range many {
			many[i] = `{"method":"DELETE","path":"/Users/x"}`
		}
		code, _, m = c.do("POST", "/Bulk", `{"Operations":[`+strings.Join(many, ",")+`]}`)
		wantSCIM(t, "over maxOperations", code, m, 413, "")
	})
}

// 20 clients adding and removing members of one group at once lose no
// update: every added member is there, every removed one gone.
func TestSCIMConcurrentMemberPatches(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, srv, storeID := newSCIM(t, dialect)
		const clients = 20
		users := make([]string, 2*clients)
		for i := range users {
			users[i] = c.user(fmt.Sprintf("m%02d", i), "")
		}
		code, _, g := c.do("POST", "/Groups", `{"displayName":"Busy"}`)
		if code != 201 {
			t.Fatal(code, g)
		}
		gid := g["id"].(string)
		// Each client adds two members, then removes its second.
		var wg sync.WaitGroup
		errs := make(chan string, clients)
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, b := users[2*i], users[2*i+1]
				for _, body := range []string{
					`{"Operations":[{"op":"add","path":"members","value":[{"value":"` + a + `"},{"value":"` + b + `"}]}]}`,
					`{"Operations":[{"op":"remove","path":"members[value eq \"` + b + `\"]"}]}`,
				} {
					resp, out := srv.Do(t, "PATCH", "/"+c.tenant+"/scim/v2/Groups/"+gid, []byte(body), map[string]string{"Authorization": c.auth}, false)
					if resp.StatusCode != 204 {
						errs <- fmt.Sprintf("%d %s", resp.StatusCode, out)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatal(e)
		}
		ms, err := srv.IdentityStore(t).ListGroupMemberships(&icsmodel.ListGroupMembershipsRequest{IdentityStoreId: storeID, GroupId: gid})
		if err != nil || len(*ms.GroupMemberships) != clients {
			t.Fatalf("%d memberships after the concurrent patches, want %d (%v)", len(*ms.GroupMemberships), clients, err)
		}
		for _, m := range *ms.GroupMemberships {
			uid := m.MemberId.UserId
			for i := 0; i < clients; i++ {
				if uid == users[2*i+1] {
					t.Fatalf("removed member %s is still there", uid)
				}
			}
		}
	})
}
