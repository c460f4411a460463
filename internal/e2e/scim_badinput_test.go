package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
)

// The SCIM bad-input sweep: every SCIM endpoint and method that takes
// input gets malformed JSON, values of the wrong JSON type at every
// attribute the server's own /Schemas declares, 70,000-character, NUL and
// invalid-UTF-8 strings, deeply nested and huge arrays, bad PATCH ops and
// paths, bad /Bulk operations (each also inside /Bulk), bad .search
// bodies, bad list query parameters and bad precondition and
// authorization headers. Each answer must be the expected status with
// RFC 7644's error envelope and scimType — never a 5xx — or, where the RFC
// says the input is ignored, a 2xx; and nothing may be written: the users
// and groups after the sweep are exactly those before it, through SCIM and
// through the identity-store SDK.
func TestSCIMBadInputSweep(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		c, _, storeID := newSCIM(t, dialect)
		sw := &scimSweeper{c: c}
		sw.fixtures()
		schemas := sw.schemas()
		before, sdkBefore := sw.fingerprint(), sw.sdkState(storeID)
		sw.fp = before

		var cases []scimCase
		cases = append(cases, sw.resourceCases(schemas)...)
		cases = append(cases, sw.patchCases(schemas)...)
		cases = append(cases, sw.searchCases()...)
		cases = append(cases, sw.listCases()...)
		cases = append(cases, sw.headerCases()...)
		bulk := sw.bulkCases(cases)
		for _, k := range cases {
			sw.run(k)
		}
		sw.checkWrites()
		for _, b := range bulk {
			sw.runBulk(b)
		}
		t.Logf("%d requests (%d bulk requests of %d operations); %d answered 2xx as documented",
			len(cases)+len(bulk), len(bulk), sw.bulkOps, sw.passed)
		if len(sw.failures) > 0 {
			t.Errorf("%d SCIM bad-input cases failed:\n%s", len(sw.failures), strings.Join(sw.failures, "\n"))
		}
		if after := sw.fingerprint(); after != before {
			t.Errorf("the users and groups changed during the sweep:\nbefore %s\nafter  %s", before, after)
		}
		if after := sw.sdkState(storeID); after != sdkBefore {
			t.Errorf("the identity store changed during the sweep (SDK):\nbefore %s\nafter  %s", sdkBefore, after)
		}
	})
}

// scimCase is one request of the sweep and the answers it may get.
type scimCase struct {
	name         string
	method, path string // path under /scim/v2, query included
	body         []byte
	headers      []string // name, value pairs; a name given here replaces its default
	want         string   // see scimWant
	// check, if set, inspects a 2xx answer's body.
	check func(m map[string]any) string
}

// scimWant parses a want: alternatives separated by ",", each "2xx",
// "304", "NNN" (any scimType) or "NNN scimType" ("NNN -" for none).
func scimWant(want string, status int, scimType string) bool {
	for _, alt := range strings.Split(want, ",") {
		code, typ, hasType := strings.Cut(strings.TrimSpace(alt), " ")
		switch {
		case code == "2xx" && status >= 200 && status < 300:
			return true
		case code == strconv.Itoa(status) && (!hasType || typ == scimType || (typ == "-" && scimType == "")):
			return true
		}
	}
	return false
}

type scimSweeper struct {
	c        *scimClient
	userA    string // the user the writes aim at (every attribute set)
	userB    string
	groupG   string // members: A
	groupH   string
	userBody map[string]any // A's representation as created: a PUT of it changes nothing
	fp       string
	passed   int
	bulkOps  int
	failures []string
	pending  []string // writes not yet checked
	seq      int
}

const (
	urnUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	urnEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	urnGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// fullUser is a user with every writable attribute of the schemas set.
func fullUser(name, manager string) map[string]any {
	return map[string]any{
		"schemas": []any{urnUser, urnEnterprise}, "userName": name, "externalId": "ext-" + name,
		"name": map[string]any{"formatted": "Gina Fox", "familyName": "Fox", "givenName": "Gina", "middleName": "M",
			"honorificPrefix": "Dr", "honorificSuffix": "III"},
		"displayName": "Gina " + name, "nickName": "gi", "profileUrl": "https://example.com/" + name, "title": "Boss",
		"userType": "Employee", "preferredLanguage": "en", "locale": "en-US", "timezone": "Europe/Paris", "active": true,
		"emails":       []any{map[string]any{"value": name + "@example.com", "type": "work", "primary": true}},
		"phoneNumbers": []any{map[string]any{"value": "+1 555 0100", "type": "work", "primary": true}},
		"addresses": []any{map[string]any{"formatted": "1 Main St", "streetAddress": "1 Main St", "locality": "Town", "region": "R",
			"postalCode": "12345", "country": "US", "type": "work", "primary": true}},
		urnEnterprise: map[string]any{"employeeNumber": "42", "costCenter": "cc", "organization": "org", "division": "div",
			"department": "dep", "manager": map[string]any{"value": manager}},
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (s *scimSweeper) fixtures() {
	t := s.c.t
	s.userB = s.c.user("sweep-b", "")
	s.userBody = fullUser("sweep-a", s.userB)
	code, _, m := s.c.do("POST", "/Users", string(mustJSON(s.userBody)))
	if code != 201 {
		t.Fatalf("create the full user: %d %v", code, m)
	}
	s.userA = m["id"].(string)
	code, _, m = s.c.do("POST", "/Groups", `{"displayName":"Sweep G","externalId":"ext-g","members":[{"value":"`+s.userA+`"}]}`)
	if code != 201 {
		t.Fatalf("create group: %d %v", code, m)
	}
	s.groupG = m["id"].(string)
	code, _, m = s.c.do("POST", "/Groups", `{"displayName":"Sweep H"}`)
	if code != 201 {
		t.Fatalf("create group: %d %v", code, m)
	}
	s.groupH = m["id"].(string)
	// A PUT of A's own representation must be a no-op, or the tolerated
	// (ignored-input) PUTs of the sweep would write.
	_, h, _ := s.c.do("GET", "/Users/"+s.userA, "")
	code, h2, m := s.c.do("PUT", "/Users/"+s.userA, string(mustJSON(s.userBody)))
	if code != 200 || h2.Get("ETag") != h.Get("ETag") {
		t.Fatalf("a PUT of the user as created: %d %s → %s %v", code, h.Get("ETag"), h2.Get("ETag"), m)
	}
}

// fingerprint is every user and group with its meta (version,
// lastModified) and the groups' members, through SCIM.
func (s *scimSweeper) fingerprint() string {
	t := s.c.t
	var b strings.Builder
	for _, p := range []string{"/Users?count=1000", "/Groups?count=1000"} {
		code, _, m := s.c.do("GET", p, "")
		if code != 200 {
			t.Fatalf("fingerprint GET %s: %d %v", p, code, m)
		}
		b.Write(mustJSON(m))
		b.WriteByte('\n')
	}
	return b.String()
}

// sdkState is the identity store's users, groups and memberships as the
// identity-store SDK lists them.
func (s *scimSweeper) sdkState(storeID string) string {
	t := s.c.t
	c := s.c.srv.IdentityStore(t)
	users, err := c.ListUsers(&icsmodel.ListUsersRequest{IdentityStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.ListGroups(&icsmodel.ListGroupsRequest{IdentityStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%d users %s\n%d groups %s\n", len(*users.Users), mustJSON(users.Users), len(*groups.Groups), mustJSON(groups.Groups))
	for _, g := range []string{s.groupG, s.groupH} {
		ms, err := c.ListGroupMemberships(&icsmodel.ListGroupMembershipsRequest{IdentityStoreId: storeID, GroupId: g})
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("members of %s: %s\n", g, mustJSON(ms.GroupMemberships))
	}
	return out
}

// send sends one request; headers named in k replace the defaults.
func (s *scimSweeper) send(method, path string, body []byte, headers []string) (int, map[string]any, []byte) {
	t := s.c.t
	req, err := http.NewRequest(method, s.c.srv.URL+"/"+s.c.tenant+"/scim/v2"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	def := map[string]string{"Content-Type": "application/scim+json", "Authorization": s.c.auth, "User-Agent": "iic-test"}
	for i := 0; i+1 < len(headers); i += 2 {
		delete(def, headers[i])
	}
	for k, v := range def {
		req.Header.Set(k, v)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(out, &m)
	return resp.StatusCode, m, out
}

func shorten(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// envelopeProblem checks a 4xx answer's RFC 7644 error envelope.
func envelopeProblem(status int, m map[string]any) string {
	if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		return "not a SCIM error envelope"
	}
	if m["status"] != strconv.Itoa(status) {
		return "the envelope's status is not the HTTP status"
	}
	if d, _ := m["detail"].(string); d == "" {
		return "the envelope has no detail"
	}
	return ""
}

func (s *scimSweeper) run(k scimCase) {
	t0 := time.Now()
	code, m, raw := s.send(k.method, k.path, k.body, k.headers)
	typ, _ := m["scimType"].(string)
	if os.Getenv("SWEEP_DEBUG") != "" {
		fmt.Printf("SCIMSWEEP %v %d %s %s %s [%s] %.160s\n", time.Since(t0).Milliseconds(), code, typ, k.method, strings.SplitN(k.path, "?", 2)[0], k.name, m["detail"])
	}
	failed := len(s.failures)
	fail := func(why string) {
		s.failures = append(s.failures, fmt.Sprintf("  %s %.80s [%s]: %s (want %s): %d %s", k.method, k.path, k.name, why, k.want, code, shorten(raw)))
	}
	switch {
	case code >= 500:
		fail("server error")
	case !scimWant(k.want, code, typ):
		fail("unexpected answer")
	case code >= 400:
		if p := envelopeProblem(code, m); p != "" {
			fail(p)
		}
	case code < 300:
		s.passed++
		if k.check != nil {
			if p := k.check(m); p != "" {
				fail(p)
			}
		}
	}
	if k.method == http.MethodPost && code == http.StatusCreated {
		s.cleanup(k.path, m)
	}
	if k.method != http.MethodGet {
		// A write that was answered 2xx or unexpectedly is checked at
		// once; refused ones in batches, naming the batch on a change.
		s.pending = append(s.pending, fmt.Sprintf("%s %.60s [%s]", k.method, k.path, k.name))
		if code < 300 || len(s.failures) > failed || len(s.pending) >= 16 {
			s.checkWrites()
		}
	}
}

// checkWrites fails the writes since the last check if the users or
// groups changed.
func (s *scimSweeper) checkWrites() {
	if len(s.pending) == 0 {
		return
	}
	if fp := s.fingerprint(); fp != s.fp {
		s.failures = append(s.failures, fmt.Sprintf("  the users or groups changed (%s) after one of:\n    %s", firstDiff(s.fp, fp), strings.Join(s.pending, "\n    ")))
		s.fp = fp
	}
	s.pending = nil
}

// cleanup deletes the resource an accepted create (whose input the RFC
// says is ignored) made.
func (s *scimSweeper) cleanup(path string, m map[string]any) {
	id, _ := m["id"].(string)
	if id == "" {
		return
	}
	typ := "/Users/"
	if strings.HasPrefix(path, "/Groups") || strings.Contains(path, "/Groups") {
		typ = "/Groups/"
	}
	if code, _, _ := s.c.do("DELETE", typ+id, ""); code != 204 {
		s.c.t.Fatalf("cleanup DELETE %s%s: %d", typ, id, code)
	}
}

// unique makes a create's unique names unique, so that one accepted
// variant cannot make a later one fail as a duplicate.
func (s *scimSweeper) unique(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%d", prefix, s.seq)
}

// Schema attributes as GET /Schemas serves them.
type scimAttrDoc struct {
	Name          string        `json:"name"`
	Type          string        `json:"type"`
	MultiValued   bool          `json:"multiValued"`
	Required      bool          `json:"required"`
	Mutability    string        `json:"mutability"`
	SubAttributes []scimAttrDoc `json:"subAttributes"`
}

type scimSchemaDoc struct {
	ID         string        `json:"id"`
	Attributes []scimAttrDoc `json:"attributes"`
}

// attrPath is one attribute or sub-attribute of a schema.
type attrPath struct {
	urn      string // the schema's; core attributes are keyed without it
	ext      bool
	attr     scimAttrDoc
	sub      *scimAttrDoc
	resource string // "User" or "Group"
}

func (p attrPath) String() string {
	s := p.attr.Name
	if p.sub != nil {
		s += "." + p.sub.Name
	}
	if p.ext {
		s = p.urn + ":" + s
	}
	return s
}

func (p attrPath) leaf() scimAttrDoc {
	if p.sub != nil {
		return *p.sub
	}
	return p.attr
}

func (p attrPath) readOnly() bool {
	return p.attr.Mutability == "readOnly" || (p.sub != nil && p.sub.Mutability == "readOnly")
}

func (p attrPath) writeOnly() bool { return p.leaf().Mutability == "writeOnly" }

// derived are the readWrite sub-attributes the server derives from a
// value rather than stores (a reference's $ref, a member's type): what a
// client sends there is ignored.
var derived = map[string]bool{
	"User " + urnEnterprise + ":manager.$ref": true, "Group members.$ref": true, "Group members.type": true,
}

// ignored reports whether a value at p is ignored by the server (RFC 7644
// §3.3 for readOnly; writeOnly password is not settable here; derived).
func (p attrPath) ignored() bool {
	return p.readOnly() || p.writeOnly() || derived[p.resource+" "+p.String()]
}

func hasSubDoc(a scimAttrDoc, name string) bool {
	for _, s := range a.SubAttributes {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (p attrPath) required() bool { return requiredOnWrite[p.resource+" "+p.String()] }

// commonDocs are id, externalId and meta (RFC 7643 §3.1), which /Schemas
// does not list.
var commonDocs = []scimAttrDoc{
	{Name: "id", Type: "string", Mutability: "readOnly"},
	{Name: "externalId", Type: "string", Mutability: "readWrite"},
	{Name: "meta", Type: "complex", Mutability: "readOnly", SubAttributes: []scimAttrDoc{
		{Name: "resourceType", Type: "string", Mutability: "readOnly"}, {Name: "created", Type: "dateTime", Mutability: "readOnly"},
		{Name: "lastModified", Type: "dateTime", Mutability: "readOnly"}, {Name: "location", Type: "reference", Mutability: "readOnly"},
		{Name: "version", Type: "string", Mutability: "readOnly"}}},
}

// schemas returns every attribute path of Users and Groups, from the
// server's /Schemas.
func (s *scimSweeper) schemas() map[string][]attrPath {
	t := s.c.t
	code, _, m := s.c.do("GET", "/Schemas", "")
	if code != 200 {
		t.Fatalf("GET /Schemas: %d %v", code, m)
	}
	var list struct {
		Resources []scimSchemaDoc `json:"Resources"`
	}
	if err := json.Unmarshal(mustJSON(m), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string][]attrPath{}
	add := func(resource, urn string, ext bool, attrs []scimAttrDoc) {
		for _, a := range attrs {
			out[resource] = append(out[resource], attrPath{urn: urn, ext: ext, attr: a, resource: resource})
			for i := range a.SubAttributes {
				out[resource] = append(out[resource], attrPath{urn: urn, ext: ext, attr: a, sub: &a.SubAttributes[i], resource: resource})
			}
		}
	}
	seen := map[string]bool{}
	common := func(attrs []scimAttrDoc) []scimAttrDoc {
		for _, a := range attrs {
			if a.Name == "id" {
				return nil // the schema lists them itself
			}
		}
		return commonDocs
	}
	for _, sc := range list.Resources {
		seen[sc.ID] = true
		switch sc.ID {
		case urnUser:
			add("User", urnUser, false, common(sc.Attributes))
			add("User", urnUser, false, sc.Attributes)
		case urnEnterprise:
			add("User", urnEnterprise, true, sc.Attributes)
		case urnGroup:
			add("Group", urnGroup, false, common(sc.Attributes))
			add("Group", urnGroup, false, sc.Attributes)
		}
	}
	if !seen[urnUser] || !seen[urnEnterprise] || !seen[urnGroup] || len(out["User"]) < 40 || len(out["Group"]) < 8 {
		t.Fatalf("/Schemas lists %v: %d user, %d group attributes", seen, len(out["User"]), len(out["Group"]))
	}
	return out
}

// badPlaceholder marks where a variant's raw JSON goes.
const badPlaceholder = "@@SWEEP-BAD@@"

// withBad returns body (a JSON object) with raw JSON text at p.
func withBad(body map[string]any, p attrPath, raw string) []byte {
	var m map[string]any
	json.Unmarshal(mustJSON(body), &m)
	holder := m
	if p.ext {
		h, ok := m[p.urn].(map[string]any)
		if !ok {
			h = map[string]any{}
			m[p.urn] = h
		}
		holder = h
	}
	switch {
	case p.sub == nil:
		holder[p.attr.Name] = badPlaceholder
	case p.attr.MultiValued:
		list, _ := holder[p.attr.Name].([]any)
		if len(list) == 0 {
			list = []any{map[string]any{}}
		}
		list[0].(map[string]any)[p.sub.Name] = badPlaceholder
		holder[p.attr.Name] = list
	default:
		sub, ok := holder[p.attr.Name].(map[string]any)
		if !ok {
			sub = map[string]any{}
			holder[p.attr.Name] = sub
		}
		sub[p.sub.Name] = badPlaceholder
	}
	return bytes.Replace(mustJSON(m), []byte(`"`+badPlaceholder+`"`), []byte(raw), 1)
}

// badValue is one hostile JSON value and what it is.
type badValue struct {
	name, raw string
	kind      string // "type", "long", "nul", "utf8", "null", "deep", "huge"
}

var (
	sweepLong = strings.Repeat("n", 70000)
	// deepArray is 10,000 nested arrays: with the object around it, one
	// level past what encoding/json accepts.
	deepArray = strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
)

// distinctArray is a JSON array of n copies of elem, each with its "%d"
// replaced by its index.
func distinctArray(elem string, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strings.Replace(elem, "%d", strconv.Itoa(i), 1))
	}
	b.WriteByte(']')
	return b.String()
}

// hugeArray is a JSON array of n copies of elem.
func hugeArray(elem string, n int) string {
	return "[" + strings.Repeat(elem+",", n-1) + elem + "]"
}

// badValues are the hostile values for an attribute of JSON type typ
// (multi: the whole multi-valued attribute).
func badValues(typ string, multi bool, elem string) []badValue {
	var out []badValue
	tv := func(name, raw string) { out = append(out, badValue{name, raw, "type"}) }
	switch {
	case multi:
		tv("a string where an array", `"x"`)
		tv("an object where an array", `{"value":"x"}`)
		tv("a number where an array", `12`)
		tv("a boolean where an array", `true`)
		tv("an array of numbers", `[12]`)
		tv("an array of strings", `["x"]`)
		tv("an array of arrays", `[[{}]]`)
		out = append(out,
			// distinct values, as many as fit in the body limit (1 MiB)
			badValue{"40,000 distinct values", distinctArray(elem, 40000), "huge"},
			badValue{"100,000 strings", hugeArray(`"x"`, 100000), "huge"},
			badValue{"100,000 empty values", hugeArray(`{}`, 100000), "empty"})
	case typ == "complex":
		tv("a string where an object", `"x"`)
		tv("an array where an object", `[{"value":"x"}]`)
		tv("a number where an object", `12`)
		tv("a boolean where an object", `true`)
	case typ == "boolean":
		tv("a string where a boolean", `"maybe"`)
		tv("a number where a boolean", `12`)
		tv("an array where a boolean", `[true]`)
		tv("an object where a boolean", `{"x":true}`)
	default: // string, reference, dateTime
		tv("a number where a string", `12345`)
		tv("a boolean where a string", `true`)
		tv("an array where a string", `["x"]`)
		tv("an object where a string", `{"x":"y"}`)
		out = append(out,
			badValue{"70,000 characters", `"` + sweepLong + `"`, "long"},
			badValue{"a NUL character", `"a\u0000b"`, "nul"},
			badValue{"invalid UTF-8", "\"a\xff\xfeb\"", "utf8"})
	}
	out = append(out, badValue{"null", `null`, "null"}, badValue{"10,000 nested arrays", deepArray, "deep"},
		badValue{"9,990 nested arrays", strings.Repeat("[", 9990) + strings.Repeat("]", 9990), "type"})
	return out
}

func (p attrPath) values() []badValue {
	if p.sub == nil {
		// one value of a multi-valued attribute: its "value" (else first
		// writable string) sub-attribute set, so that no value is a
		// placeholder the identity store drops
		elem := `"%d"`
		for _, s := range p.attr.SubAttributes {
			if s.Type == "string" && s.Mutability != "readOnly" && (elem == `"%d"` || s.Name == "value") {
				elem = `{"` + s.Name + `":"%d"}`
			}
		}
		out := badValues(p.attr.Type, p.attr.MultiValued, elem)
		for i, v := range out {
			if v.name == "a string where an object" && hasSubDoc(p.attr, "value") {
				// a singular reference given as its bare value (Entra
				// ID's manager): a valid value
				out[i].kind = "bare"
			}
		}
		return out
	}
	return badValues(p.sub.Type, false, "")
}

// requiredOnWrite are the attributes a user or group cannot be without
// here: the schema's required ones and the identity store's (a user's
// name, given and family name and e-mail address; a member's value).
var requiredOnWrite = map[string]bool{
	"User userName": true, "User name": true, "User name.givenName": true, "User name.familyName": true,
	"User emails": true, "User emails.value": true, "Group displayName": true, "Group members.value": true,
}

// Expected answers, by the kind of bad value.
const (
	wantInvalidValue = "400 invalidValue"
	// The body is not UTF-8 (RFC 8259 §8.1) or nests past the parser's
	// limit: it is no JSON text at all.
	wantInvalidSyntax = "400 invalidSyntax"
)

// bodyWant is the answer to a POST or PUT whose value at p is v.
func bodyWant(p attrPath, v badValue, put bool) string {
	switch v.kind {
	case "nul":
		return wantInvalidValue
	case "utf8", "deep":
		return wantInvalidSyntax
	}
	if p.ignored() {
		// RFC 7644 §3.3: readOnly values in a request are ignored (a PUT
		// of A's own representation with them writes nothing); here, one
		// of the wrong JSON type may also be refused.
		return "2xx," + wantInvalidValue
	}
	switch {
	case v.kind == "bare":
		return "2xx"
	case v.kind == "null" && !p.required(), v.kind == "empty" && !p.required():
		// RFC 7643 §2.5: null is unassigned; values without a value are
		// placeholders the identity store drops.
		return "2xx," + wantInvalidValue
	case v.kind == "huge" && p.attr.Name == "members":
		return "404," + wantInvalidValue // no such user
	}
	return wantInvalidValue
}

// resourceCases are POST and PUT /Users and /Groups with a bad value at
// every attribute path, and bodies that are not a resource at all.
func (s *scimSweeper) resourceCases(schemas map[string][]attrPath) []scimCase {
	var out []scimCase
	group := func(name string) map[string]any {
		return map[string]any{"schemas": []any{urnGroup}, "displayName": name, "externalId": "ext-" + name,
			"members": []any{map[string]any{"value": s.userA}}}
	}
	groupPut := group("Sweep G")
	groupPut["externalId"] = "ext-g"
	for _, res := range []string{"User", "Group"} {
		for _, p := range schemas[res] {
			for _, v := range p.values() {
				var post, put map[string]any
				putPath := "/Users/" + s.userA
				if res == "User" {
					post, put = fullUser(s.unique("sweep-post"), s.userB), s.userBody
				} else {
					post, put, putPath = group(s.unique("Sweep post")), groupPut, "/Groups/"+s.groupG
				}
				name := v.name + " at " + p.String()
				out = append(out, scimCase{name: name, method: "POST", path: "/" + res + "s", body: withBad(post, p, v.raw), want: bodyWant(p, v, false)})
				if (v.kind == "null" || v.kind == "empty" || v.kind == "bare") && !p.required() && !p.ignored() {
					continue // a PUT of null clears a value: a valid write
				}
				out = append(out, scimCase{name: name, method: "PUT", path: putPath, body: withBad(put, p, v.raw), want: bodyWant(p, v, true)})
			}
		}
		// Bodies that are not a resource.
		for _, path := range []string{"/" + res + "s", "/" + res + "s/" + map[string]string{"User": s.userA, "Group": s.groupG}[res]} {
			method := "POST"
			if strings.Count(path, "/") == 2 {
				method = "PUT"
			}
			for name, b := range map[string]string{
				"empty body": "", "malformed JSON": `{"userName":`, "an unterminated string": `{"displayName":"x`, "an array": `[{}]`,
				"a string": `"x"`, "null": `null`, "a number": `12`, "trailing data": `{} {}`, "a bare NUL escape": `"\u0000"`,
				"an object of 10,000 nested arrays": `{"x":` + deepArray + `}`, "10,000 nested objects": strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
				"10,001 nested objects":  strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
				"invalid UTF-8 in a key": "{\"\xff\":1}", "a UTF-16 body": "\xff\xfe{\x00}\x00", "a lone surrogate escape": `{"displayName":"\ud800","userName":"\ud800"}`,
				"schemas of the wrong type": `{"schemas":"x"}`, "schemas of numbers": `{"schemas":[1]}`,
				"the enterprise extension as a string":           `{"` + urnEnterprise + `":"x"}`,
				"core attributes under the core URN as a string": `{"` + urnUser + `":"x"}`,
			} {
				want := "400 invalidSyntax"
				switch name {
				case "a bare NUL escape":
					want = wantInvalidValue + "," + wantInvalidSyntax
				case "10,000 nested objects": // an unknown attribute, ignored: the rest is missing
					want = wantInvalidValue
				case "a lone surrogate escape", "schemas of the wrong type", "schemas of numbers", "the enterprise extension as a string",
					"core attributes under the core URN as a string":
					want = wantInvalidValue
				}
				out = append(out, scimCase{name: name, method: method, path: path, body: []byte(b), want: want})
			}
		}
	}
	// Unknown attributes are ignored (RFC 7644 §3.3).
	u := fullUser(s.unique("sweep-unknown"), s.userB)
	u["nope"] = map[string]any{"deep": []any{1, 2}}
	u["urn:example:unknown:2.0:User"] = map[string]any{"x": 1}
	out = append(out, scimCase{name: "unknown attributes", method: "POST", path: "/Users", body: mustJSON(u), want: "201"})
	put := map[string]any{}
	for k, v := range s.userBody {
		put[k] = v
	}
	put["nope"] = 1
	out = append(out, scimCase{name: "an unknown attribute", method: "PUT", path: "/Users/" + s.userA, body: mustJSON(put), want: "200"})
	// 100,000 members (each too short to be a user id).
	out = append(out, scimCase{name: "100,000 members", method: "POST", path: "/Groups",
		body: []byte(`{"displayName":"Huge","members":` + hugeArray(`{"value":"u"}`, 70000) + `}`), want: "400,404"})
	return out
}

// patchBody is a PatchOp request of the given operations (JSON text).
func patchBody(ops ...string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`)
}

// patchCases are PATCH /Users and /Groups: a bad value at every attribute
// path in each path form, unknown and malformed ops, malformed paths.
func (s *scimSweeper) patchCases(schemas map[string][]attrPath) []scimCase {
	var out []scimCase
	target := map[string]string{"User": "/Users/" + s.userA, "Group": "/Groups/" + s.groupG}
	for _, res := range []string{"User", "Group"} {
		path := target[res]
		for _, p := range schemas[res] {
			for _, v := range p.values() {
				want := patchWant(p, v)
				// the path forms: attr[.sub]; no path, the key a path
				// (Entra); no path, nested objects; a value filter.
				forms := map[string]string{
					"path":                `{"op":"replace","path":"` + p.String() + `","value":` + v.raw + `}`,
					"no path, a path key": `{"op":"replace","value":{"` + p.String() + `":` + v.raw + `}}`,
				}
				if p.attr.MultiValued || p.attr.Type == "complex" {
					// add differs from replace where values are appended
					// or merged
					forms["add"] = `{"op":"add","path":"` + p.String() + `","value":` + v.raw + `}`
				}
				if p.sub != nil && p.attr.MultiValued {
					filter := `emails[type eq \"work\"]`
					if p.attr.Name != "emails" {
						filter = p.attr.Name + `[type eq \"work\"]`
					}
					if p.attr.Name == "members" {
						filter = `members[value eq \"` + s.userA + `\"]`
					}
					if p.ext {
						filter = p.urn + ":" + filter
					}
					forms["value filter"] = `{"op":"replace","path":"` + filter + "." + p.sub.Name + `","value":` + v.raw + `}`
				}
				if p.ext {
					if p.sub == nil {
						forms["no path, extension object"] = `{"op":"replace","value":{"` + p.urn + `":{"` + p.attr.Name + `":` + v.raw + `}}}`
					} else {
						forms["no path, extension object"] = `{"op":"replace","value":{"` + p.urn + `":{"` + p.attr.Name + `":{"` + p.sub.Name + `":` + v.raw + `}}}}`
					}
				}
				for form, op := range forms {
					if skipPatchForm(p, v, form) || (v.kind == "huge" && form != "path" && form != "add") {
						continue
					}
					w := want
					if p.readOnly() && p.sub != nil && strings.HasPrefix(form, "no path") {
						// a read-only sub-attribute inside a complex value
						// is ignored with the value's other sub-attributes
						w += ",2xx," + wantInvalidValue
					}
					if res == "Group" && p.attr.Name == "members" {
						w = membersWant(p, v, form)
					}
					out = append(out, scimCase{name: v.name + " at " + p.String() + " (" + form + ")", method: "PATCH", path: path, body: patchBody(op), want: w})
				}
			}
		}
		// Malformed requests and operations.
		for name, c := range map[string]struct{ body, want string }{
			"no Operations":                  {`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, "400 invalidSyntax"},
			"Operations an object":           {`{"Operations":{"op":"add"}}`, "400 invalidSyntax"},
			"Operations a string":            {`{"Operations":"add"}`, "400 invalidSyntax"},
			"Operations null":                {`{"Operations":null}`, "400 invalidSyntax"},
			"Operations empty":               {`{"Operations":[]}`, "400 invalidSyntax"},
			"an operation that is a number":  {`{"Operations":[1]}`, "400 invalidSyntax"},
			"an operation that is a string":  {`{"Operations":["add"]}`, "400 invalidSyntax"},
			"1001 operations":                {`{"Operations":` + hugeArray(`{"op":"add","path":"title","value":"x"}`, 1001) + `}`, "400 tooMany"},
			"100,000 operations":             {`{"Operations":` + hugeArray(`1`, 100000) + `}`, "400 tooMany"},
			"Operations 10,000 deep":         {`{"Operations":` + deepArray + `}`, "400 invalidSyntax"},
			"malformed JSON":                 {`{"Operations":[{"op":"add"`, "400 invalidSyntax"},
			"empty body":                     {``, "400 invalidSyntax"},
			"invalid UTF-8":                  {"{\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"\xc3\x28\"}]}", "400 invalidSyntax"},
			"op missing":                     {string(patchBody(`{"path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op unknown":                     {string(patchBody(`{"op":"move","path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op empty":                       {string(patchBody(`{"op":"","path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op with a trailing space":       {string(patchBody(`{"op":"add ","path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op a number":                    {string(patchBody(`{"op":1,"path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op an array":                    {string(patchBody(`{"op":["add"],"path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op null":                        {string(patchBody(`{"op":null,"path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op 70,000 characters":           {string(patchBody(`{"op":"` + sweepLong + `","path":"displayName","value":"x"}`)), "400 invalidSyntax"},
			"op with a NUL":                  {string(patchBody(`{"op":"add\u0000","path":"displayName","value":"x"}`)), wantInvalidValue},
			"remove without a path":          {string(patchBody(`{"op":"remove"}`)), "400 noTarget"},
			"remove without a path, a value": {string(patchBody(`{"op":"remove","value":{"displayName":"x"}}`)), "400 noTarget"},
			"no path, a string value":        {string(patchBody(`{"op":"replace","value":"x"}`)), wantInvalidValue},
			"no path, an array value":        {string(patchBody(`{"op":"add","value":[{"displayName":"x"}]}`)), wantInvalidValue},
			"an empty path, a string value":  {string(patchBody(`{"op":"replace","path":"","value":"x"}`)), wantInvalidValue},
			"path a number":                  {string(patchBody(`{"op":"replace","path":5,"value":"x"}`)), "400 invalidPath"},
			"path an object":                 {string(patchBody(`{"op":"replace","path":{"a":1},"value":"x"}`)), "400 invalidPath"},
			"path with a NUL":                {string(patchBody(`{"op":"replace","path":"display\u0000Name","value":"x"}`)), wantInvalidValue},
			"a value-less replace":           {string(patchBody(`{"op":"replace","path":"displayName"}`)), wantInvalidValue},
			"the id, another value":          {string(patchBody(`{"op":"replace","value":{"id":"other"}}`)), "400 mutability"},
		} {
			out = append(out, scimCase{name: name, method: "PATCH", path: path, body: []byte(c.body), want: c.want})
		}
		for _, p := range malformedPaths {
			for _, op := range []string{"add", "replace", "remove"} {
				out = append(out, scimCase{name: op + " at path " + shortName(p), method: "PATCH", path: path,
					body: patchBody(`{"op":"` + op + `","path":` + string(mustJSON(p)) + `,"value":"x"}`), want: "400 invalidPath"})
			}
		}
	}
	// The users' and groups' own rules.
	for name, c := range map[string]struct{ path, op, want string }{
		"remove userName":                   {target["User"], `{"op":"remove","path":"userName"}`, "400 mutability"},
		"replace matching nothing (co)":     {target["User"], `{"op":"replace","path":"emails[value co \"zzz\"].type","value":"x"}`, "400 noTarget"},
		"a filter on a single-valued attr":  {target["User"], `{"op":"replace","path":"title[value eq \"x\"]","value":"x"}`, "400 invalidPath"},
		"a filter naming no sub-attribute":  {target["User"], `{"op":"replace","path":"emails[nope eq \"x\"].value","value":"x"}`, "400 invalidPath"},
		"remove displayName":                {target["Group"], `{"op":"remove","path":"displayName"}`, "400 mutability"},
		"members filter not value eq":       {target["Group"], `{"op":"remove","path":"members[display co \"x\"]"}`, "400 invalidFilter"},
		"members filter on a number":        {target["Group"], `{"op":"remove","path":"members[value eq 5]"}`, "400 invalidFilter"},
		"members sub-attribute":             {target["Group"], `{"op":"replace","path":"members.value","value":"x"}`, "400 mutability"},
		"replace members with a filter":     {target["Group"], `{"op":"replace","path":"members[value eq \"x\"]","value":[{"value":"x"}]}`, "400 invalidPath"},
		"add an unknown member":             {target["Group"], `{"op":"add","path":"members","value":[{"value":"no-such-user"}]}`, "404,400 invalidValue"},
		"add a member of 70,000 characters": {target["Group"], `{"op":"add","path":"members","value":[{"value":"` + sweepLong + `"}]}`, "404,400 invalidValue"},
		"add 100,000 empty members":         {target["Group"], `{"op":"add","path":"members","value":` + hugeArray(`{}`, 100000) + `}`, wantInvalidValue},
		"add 100,000 members":               {target["Group"], `{"op":"add","path":"members","value":` + hugeArray(`{"value":"u"}`, 70000) + `}`, "404,400 invalidValue"},
		"no path, members a string":         {target["Group"], `{"op":"add","value":{"members":"x"}}`, wantInvalidValue},
		"no path, members of wrong type":    {target["Group"], `{"op":"add","value":{"members":[{"value":5}]}}`, wantInvalidValue},
		"50,000 e-mail addresses (no path)": {target["User"], `{"op":"replace","value":{"emails":` + hugeArray(`{"value":"a@b.c"}`, 50000) + `}}`, wantInvalidValue},
	} {
		out = append(out, scimCase{name: name, method: "PATCH", path: c.path, body: patchBody(c.op), want: c.want})
	}
	return out
}

func shortName(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%.30q… (%d bytes)", s, len(s))
	}
	return strconv.Quote(s)
}

// malformedPaths are PATCH paths that do not parse or name nothing.
var malformedPaths = []string{
	`emails[type eq "work"`, `emails]`, `emails[type eq "work"]]`, `emails[[type eq "work"]]`, `emails[]`, `emails[type eq "work"].`,
	`emails[type eq "work"].value.x`, `emails[(type eq "work"]`, `emails[type eq "work")]`, `emails[type eq "work" or (type eq "home"]`,
	`emails[type eq "work`, `name.`, `.name`, `name..givenName`, `name.givenName.x`, `urn:`, urnUser + `:`, `urn:nope:2.0:User:title`,
	`nope`, `name.nope`, `displayName[`, `[`, `]`, `"displayName"`, `display Name`, strings.Repeat("a", 70000),
	`emails[` + strings.Repeat("(", 10000) + `type eq "work"` + strings.Repeat(")", 10000) + `]`,
	`emails[type eq "` + strings.Repeat("x", 9000) + `"]`,
}

// skipPatchForm reports the variants that are valid PATCHes: null or
// placeholder values in a path-less value (RFC 7643 §2.5: an
// attribute cleared), a single object for a multi-valued user attribute
// (taken as its one value).
func skipPatchForm(p attrPath, v badValue, form string) bool {
	switch {
	case p.required() || p.readOnly():
		return false
	case v.kind == "empty", v.kind == "bare":
		return true
	case v.kind == "null" && strings.HasPrefix(form, "no path"):
		return true
	case v.name == "an object where an array" && p.resource == "User":
		return true
	}
	return false
}

// patchWant is the answer to a PATCH setting p to v.
func patchWant(p attrPath, v badValue) string {
	switch v.kind {
	case "nul":
		return wantInvalidValue
	case "utf8", "deep":
		return wantInvalidSyntax
	}
	switch {
	case p.readOnly() && v.kind == "null":
		return "400 mutability," + wantInvalidValue // and add and replace need a value
	case p.readOnly():
		return "400 mutability"
	case p.ignored():
		return "2xx," + wantInvalidValue // RFC 7644 §3.3: ignored
	case v.kind == "null" && p.required():
		return "400 mutability," + wantInvalidValue
	}
	return wantInvalidValue
}

// membersWant is the answer to a PATCH of a group's members.
func membersWant(p attrPath, v badValue, form string) string {
	switch v.kind {
	case "nul":
		return wantInvalidValue
	case "utf8", "deep":
		return wantInvalidSyntax
	}
	switch {
	case v.kind == "null" && !strings.HasPrefix(form, "no path"):
		return wantInvalidValue // add and replace need a value
	case p.sub != nil:
		return "400 mutability" // members are added and removed whole
	case v.kind == "huge" || v.name == "an object where an array":
		return "404," + wantInvalidValue // no such user
	}
	return wantInvalidValue
}

// searchCases are POST /.search, /Users/.search and /Groups/.search with
// bad bodies.
func (s *scimSweeper) searchCases() []scimCase {
	var out []scimCase
	bigFilter := `userName eq "` + strings.Repeat("x", 8300) + `"`
	deepFilter := strings.Repeat("(", 10000) + `userName eq "x"` + strings.Repeat(")", 10000)
	for _, path := range []string{"/.search", "/Users/.search", "/Groups/.search"} {
		field := func(name, raw, want string) {
			out = append(out, scimCase{name: name, method: "POST", path: path,
				body: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],` + raw + `}`), want: want})
		}
		for _, f := range []struct {
			name, typ string
		}{{"attributes", "list"}, {"excludedAttributes", "list"}, {"filter", "string"}, {"sortBy", "string"}, {"sortOrder", "string"},
			{"startIndex", "int"}, {"count", "int"}, {"schemas", "list"}} {
			var wrong []string
			switch f.typ {
			case "list":
				wrong = []string{`"id"`, `5`, `[5]`, `{}`, `[["id"]]`, `true`}
			case "string":
				wrong = []string{`5`, `["x"]`, `{}`, `true`}
			case "int":
				wrong = []string{`"1"`, `1.5`, `1e20`, `99999999999999999999`, `[1]`, `{}`, `true`}
			}
			for _, w := range wrong {
				field(f.name+" = "+w, `"`+f.name+`":`+w, wantInvalidValue+","+wantInvalidSyntax)
			}
			field(f.name+" 10,000 deep", `"`+f.name+`":`+deepArray, wantInvalidSyntax)
			field(f.name+" with a NUL", `"`+f.name+`":"a\u0000b"`, wantInvalidValue)
			field(f.name+" invalid UTF-8", `"`+f.name+`":"a`+"\xff"+`b"`, wantInvalidSyntax)
			field(f.name+" null", `"`+f.name+`":null`, "2xx") // unassigned
		}
		for name, c := range map[string]struct{ raw, want string }{
			"a filter of 8 KiB+":         {`"filter":` + string(mustJSON(bigFilter)), "400 invalidFilter"},
			"a filter of 70,000 chars":   {`"filter":"` + sweepLong + `"`, "400 invalidFilter"},
			"a filter 10,000 deep":       {`"filter":` + string(mustJSON(deepFilter)), "400 invalidFilter"},
			"a malformed filter":         {`"filter":"userName eq"`, "400 invalidFilter"},
			"a filter naming nothing":    {`"filter":"nope eq \"x\""`, "400 invalidFilter"},
			"unbalanced brackets":        {`"filter":"emails[type eq \"work\""`, "400 invalidFilter"},
			"sortBy unknown":             {`"sortBy":"nope"`, wantInvalidValue},
			"sortBy malformed":           {`"sortBy":"emails["`, wantInvalidValue},
			"sortBy 70,000 chars":        {`"sortBy":"` + sweepLong + `"`, wantInvalidValue},
			"sortOrder sideways":         {`"sortOrder":"sideways"`, wantInvalidValue},
			"attributes malformed":       {`"attributes":["emails["]`, wantInvalidValue},
			"attributes unknown":         {`"attributes":["nope","urn:x:y"]`, "2xx"}, // RFC 7644 §3.4.2.5: ignored
			"100,000 attributes":         {`"attributes":` + hugeArray(`"id"`, 100000), "2xx"},
			"100,000 excludedAttributes": {`"excludedAttributes":` + hugeArray(`"id"`, 100000), "2xx"},
			"unknown fields":             {`"nope":{"a":[1]}`, "2xx"},
		} {
			field(name, c.raw, c.want)
		}
		// RFC 7644 §3.4.2.4: a startIndex below 1 is 1; a negative count is 0.
		for _, si := range []string{"0", "-5"} {
			out = append(out, scimCase{name: "startIndex " + si, method: "POST", path: path, body: []byte(`{"startIndex":` + si + `}`), want: "200", check: wantPage(1, -1)})
		}
		out = append(out, scimCase{name: "count -1", method: "POST", path: path, body: []byte(`{"count":-1}`), want: "200", check: wantPage(1, 0)})
		for name, b := range map[string]string{
			"empty body": "", "malformed JSON": `{"filter":`, "an array": `[]`, "a string": `"x"`, "null": `null`, "trailing data": `{} []`,
			"10,000 nested arrays": `{"x":` + deepArray + `}`, "invalid UTF-8": "{\"\xff\":1}",
		} {
			out = append(out, scimCase{name: name, method: "POST", path: path, body: []byte(b), want: wantInvalidSyntax})
		}
	}
	return out
}

// wantPage checks a ListResponse's startIndex and (n >= 0) itemsPerPage.
func wantPage(startIndex, n int) func(map[string]any) string {
	return func(m map[string]any) string {
		if m["startIndex"] != float64(startIndex) || (n >= 0 && m["itemsPerPage"] != float64(n)) {
			return fmt.Sprintf("startIndex %v itemsPerPage %v, want %d and %d", m["startIndex"], m["itemsPerPage"], startIndex, n)
		}
		return ""
	}
}

// listCases are GET /Users and /Groups (and one resource) with bad query
// parameters.
func (s *scimSweeper) listCases() []scimCase {
	var out []scimCase
	bigFilter := `userName eq "` + strings.Repeat("x", 8300) + `"`
	deepFilter := strings.Repeat("(", 10000) + `userName eq "x"` + strings.Repeat(")", 10000)
	filters := map[string]string{
		"no value": `userName eq`, "an unterminated string": `userName eq "x`, "an open parenthesis": `(userName eq "x"`,
		"a closing parenthesis": `userName eq "x")`, "an open bracket": `emails[type eq "work"`, "a doubled bracket": `emails[type eq "work"]]`,
		"a closing bracket": `emails]`, "an unknown operator": `userName zz "x"`, "an unknown attribute": `nope eq "x"`,
		"a bare word value": `userName eq x`, "a lone and": `and`, "a dangling and": `userName eq "x" and`, "not without parentheses": `not userName eq "x"`,
		"8 KiB+": bigFilter, "10,000 deep": deepFilter, "70,000 characters": sweepLong, "pr with a value": `userName pr "x"`,
		"a number compared with co": `userName co 5`, "a nested value path": `emails[type eq "work" and emails[value eq "x"]]`,
	}
	for _, res := range []string{"/Users", "/Groups"} {
		q := func(name, query, want string, check func(map[string]any) string) {
			out = append(out, scimCase{name: name, method: "GET", path: res + "?" + query, want: want, check: check})
		}
		for name, f := range filters {
			want := "400 invalidFilter"
			if res == "/Groups" && name == "a nested value path" {
				want = "400 invalidFilter"
			}
			q("filter "+name, "filter="+url.QueryEscape(f), want, nil)
		}
		for _, p := range []string{"filter", "sortBy", "sortOrder", "attributes", "excludedAttributes", "startIndex", "count"} {
			q(p+" with a NUL", p+"=a%00b", wantInvalidValue, nil)
			q(p+" invalid UTF-8", p+"=a%FF%FEb", wantInvalidValue, nil)
			q(p+" repeated", p+"=1&"+p+"=1", wantInvalidValue, nil)
			q(p+" empty", p+"=", "200", nil) // absent
		}
		for name, c := range map[string]struct{ query, want string }{
			"sortBy unknown":                {"sortBy=nope", wantInvalidValue},
			"sortBy malformed":              {"sortBy=" + url.QueryEscape("emails["), wantInvalidValue},
			"sortBy two attributes":         {"sortBy=userName,title", wantInvalidValue},
			"sortBy 70,000 characters":      {"sortBy=" + sweepLong, wantInvalidValue},
			"sortOrder sideways":            {"sortOrder=sideways", wantInvalidValue},
			"sortOrder 70,000 characters":   {"sortOrder=" + sweepLong, wantInvalidValue},
			"startIndex x":                  {"startIndex=x", wantInvalidValue},
			"startIndex 1e20":               {"startIndex=1e20", wantInvalidValue},
			"startIndex 1.5":                {"startIndex=1.5", wantInvalidValue},
			"startIndex past int64":         {"startIndex=99999999999999999999", "2xx," + wantInvalidValue},
			"count x":                       {"count=x", wantInvalidValue},
			"count 1e20":                    {"count=1e20", wantInvalidValue},
			"count 1.5":                     {"count=1.5", wantInvalidValue},
			"count past int64":              {"count=99999999999999999999", "2xx," + wantInvalidValue},
			"attributes malformed":          {"attributes=" + url.QueryEscape("emails["), wantInvalidValue},
			"excludedAttributes malformed":  {"excludedAttributes=" + url.QueryEscape("name..x"), wantInvalidValue},
			"attributes unknown":            {"attributes=nope,urn:x:y", "200"}, // ignored
			"attributes 70,000 characters":  {"attributes=" + sweepLong, "200," + wantInvalidValue},
			"attributes 10,000 commas":      {"attributes=" + strings.Repeat(",", 10000), "200"},
			"an unknown parameter":          {"nope=1", "200"},
			"an 8 KiB+ filter and a NUL":    {"filter=" + url.QueryEscape(bigFilter) + "%00", wantInvalidValue},
			"a filter in an odd encoding":   {"filter=id+eq+%22x%22", "200"}, // + is a space: a valid filter
			"duplicate filter, other value": {"filter=" + url.QueryEscape(`id eq "a"`) + "&filter=" + url.QueryEscape(`id eq "b"`), wantInvalidValue},
		} {
			q(name, c.query, c.want, nil)
		}
		for _, si := range []string{"0", "-5"} {
			q("startIndex "+si, "startIndex="+si, "200", wantPage(1, -1))
		}
		q("count -1", "count=-1", "200", wantPage(1, 0))
	}
	for _, p := range []string{"/Users/" + s.userA, "/Groups/" + s.groupG} {
		out = append(out,
			scimCase{name: "attributes malformed", method: "GET", path: p + "?attributes=" + url.QueryEscape("emails["), want: wantInvalidValue},
			scimCase{name: "excludedAttributes malformed", method: "GET", path: p + "?excludedAttributes=" + url.QueryEscape("]"), want: wantInvalidValue},
			scimCase{name: "attributes with a NUL", method: "GET", path: p + "?attributes=a%00", want: wantInvalidValue},
			scimCase{name: "attributes unknown", method: "GET", path: p + "?attributes=nope", want: "200"},
			scimCase{name: "If-None-Match garbage", method: "GET", path: p, headers: []string{"If-None-Match", "garbage"}, want: "200"},
			scimCase{name: "If-None-Match 70,000 characters", method: "GET", path: p, headers: []string{"If-None-Match", `W/"` + sweepLong + `"`}, want: "200"},
			scimCase{name: "If-None-Match another version", method: "GET", path: p, headers: []string{"If-None-Match", `W/"999999"`}, want: "200"},
			scimCase{name: "If-None-Match *", method: "GET", path: p, headers: []string{"If-None-Match", `*`}, want: "304"},
			scimCase{name: "If-None-Match a list with *", method: "GET", path: p, headers: []string{"If-None-Match", `W/"999999", *`}, want: "304"},
		)
	}
	return out
}

// headerCases are writes with bad If-Match and Authorization headers; the
// body of each is a valid change, so that a wrongly passed precondition
// would show as a write.
func (s *scimSweeper) headerCases() []scimCase {
	var out []scimCase
	change := map[string]map[string][]byte{}
	userPut := map[string]any{}
	for k, v := range s.userBody {
		userPut[k] = v
	}
	userPut["title"] = "Changed"
	change["/Users/"+s.userA] = map[string][]byte{
		"PUT": mustJSON(userPut), "PATCH": patchBody(`{"op":"replace","path":"title","value":"Changed"}`), "DELETE": nil,
	}
	change["/Groups/"+s.groupG] = map[string][]byte{
		"PUT":    []byte(`{"displayName":"Changed","members":[]}`),
		"PATCH":  patchBody(`{"op":"replace","path":"displayName","value":"Changed"}`, `{"op":"remove","path":"members"}`),
		"DELETE": nil,
	}
	for path, byMethod := range change {
		for method, body := range byMethod {
			k := func(name, want string, headers ...string) {
				out = append(out, scimCase{name: name, method: method, path: path, body: body, headers: headers, want: want})
			}
			for name, v := range map[string]string{
				"garbage": "garbage", "W/ alone": "W/", "an unquoted number": "1", "a non-number": `W/"x"`, "version 0": `W/"0"`,
				"version -1": `W/"-1"`, "past int64": `W/"99999999999999999999"`, "70,000 characters": `W/"` + sweepLong + `"`,
				"an unterminated tag": `W/"1`,
			} {
				k("If-Match "+name, wantInvalidValue, "If-Match", v)
			}
			k("If-Match a stale version", "412 -", "If-Match", `W/"999999"`)
			k("If-Match a list of stale versions", "412 -,"+wantInvalidValue, "If-Match", `W/"999998", W/"999999"`)
			k("two stale If-Match headers", "412 -,"+wantInvalidValue, "If-Match", `W/"999998"`, "If-Match", `W/"999999"`)
			// RFC 7232 §3.2: If-None-Match "*" fails for a resource that exists.
			k("If-None-Match *", "412 -", "If-None-Match", "*")
			k("two Authorization headers", "401 -", "Authorization", s.c.auth, "Authorization", s.c.auth)
			k("Authorization 70,000 characters", "401 -", "Authorization", "Bearer "+sweepLong)
			k("Authorization with trailing data", "401 -", "Authorization", s.c.auth+" x")
			k("Authorization without a token", "401 -", "Authorization", "Bearer")
		}
	}
	create := mustJSON(fullUser(s.unique("sweep-auth"), s.userB))
	bulk := []byte(`{"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":` + string(create) + `}]}`)
	for path, body := range map[string][]byte{"/Users": create, "/Bulk": bulk} {
		out = append(out,
			scimCase{name: "two Authorization headers", method: "POST", path: path, body: body, headers: []string{"Authorization", s.c.auth, "Authorization", s.c.auth}, want: "401 -"},
			scimCase{name: "a Basic Authorization", method: "POST", path: path, body: body, headers: []string{"Authorization", strings.Replace(s.c.auth, "Bearer", "Basic", 1)}, want: "401 -"},
		)
	}
	return out
}

// bulkReq is one POST /Bulk of several operations, each with its own
// expected answer.
type bulkReq struct {
	name string
	ops  []bulkSweepOp
	// body, when set, is sent instead of the operations (a malformed
	// request, whose want is the request's own answer).
	body []byte
	want string
}

type bulkSweepOp struct {
	name string
	op   string // the operation's JSON
	want string
}

// bulkCases puts every POST, PUT and PATCH case whose body is valid JSON
// into /Bulk operations (RFC 7644 §3.7: each answers as the request would
// alone), adds bad operations, and malformed bulk requests.
func (s *scimSweeper) bulkCases(cases []scimCase) []bulkReq {
	var ops []bulkSweepOp
	n := 0
	for _, k := range cases {
		if k.headers != nil || k.check != nil || (k.method != "POST" && k.method != "PUT" && k.method != "PATCH") ||
			strings.Contains(k.path, "search") || k.path == "/Bulk" || !json.Valid(k.body) || !utf8.Valid(k.body) ||
			bytes.Contains(k.body, []byte(`\u0000`)) || loneSurrogate.Match(k.body) || len(k.body) > 200<<10 || jsonDepth(k.body) > 9990 {
			continue
		}
		var v any
		if json.Unmarshal(k.body, &v) != nil {
			continue
		}
		if _, isObject := v.(map[string]any); !isObject {
			continue
		}
		n++
		op := fmt.Sprintf(`{"method":%q,"path":%q,"bulkId":"b%d","data":%s}`, k.method, k.path, n, k.body)
		ops = append(ops, bulkSweepOp{name: k.method + " " + k.path + " [" + k.name + "]", op: op, want: k.want})
	}
	a, g := "/Users/"+s.userA, "/Groups/"+s.groupG
	create := string(mustJSON(fullUser("bulk-never", s.userB)))
	for name, c := range map[string]struct{ op, want string }{
		"method GET":                  {`{"method":"GET","path":"` + a + `"}`, "400 invalidPath"},
		"method unknown":              {`{"method":"FROB","path":"/Users","bulkId":"x","data":{}}`, "400 invalidPath"},
		"method empty":                {`{"method":"","path":"/Users","bulkId":"x","data":{}}`, "400 invalidPath"},
		"no method":                   {`{"path":"` + a + `"}`, "400 invalidPath"},
		"path empty":                  {`{"method":"DELETE","path":""}`, "400 invalidPath"},
		"path /":                      {`{"method":"DELETE","path":"/"}`, "400 invalidPath"},
		"path unknown type":           {`{"method":"DELETE","path":"/Nope/1"}`, "400 invalidPath"},
		"path too deep":               {`{"method":"DELETE","path":"` + a + `/x"}`, "400 invalidPath"},
		"path with dot segments":      {`{"method":"DELETE","path":"/Users/../Groups/` + s.groupG + `"}`, "400 invalidPath"},
		"path with a query":           {`{"method":"POST","path":"/Users?x=1","bulkId":"q","data":` + create + `}`, "400 invalidPath"},
		"path 70,000 characters":      {`{"method":"DELETE","path":"/Users/` + sweepLong + `"}`, "404,400"},
		"POST to a resource":          {`{"method":"POST","path":"` + a + `","bulkId":"p","data":` + create + `}`, "400 invalidPath"},
		"POST without a bulkId":       {`{"method":"POST","path":"/Users","data":` + create + `}`, wantInvalidValue},
		"POST without data":           {`{"method":"POST","path":"/Users","bulkId":"nd"}`, "400 invalidSyntax"},
		"POST with data a string":     {`{"method":"POST","path":"/Users","bulkId":"ds","data":"x"}`, "400 invalidSyntax"},
		"POST with data an array":     {`{"method":"POST","path":"/Users","bulkId":"da","data":[1]}`, "400 invalidSyntax"},
		"POST with data null":         {`{"method":"POST","path":"/Users","bulkId":"dn","data":null}`, "400 invalidSyntax"},
		"PATCH with data a string":    {`{"method":"PATCH","path":"` + a + `","data":"x"}`, "400 invalidSyntax"},
		"an unknown bulkId reference": {`{"method":"DELETE","path":"/Users/bulkId:nope"}`, "409"},
		"a bulkId reference in data":  {`{"method":"PATCH","path":"` + g + `","data":{"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:nope"}]}]}}`, "409"},
		"version garbage":             {`{"method":"DELETE","path":"` + a + `","version":"garbage"}`, wantInvalidValue},
		"version stale":               {`{"method":"DELETE","path":"` + a + `","version":"W/\"999999\""}`, "412 -"},
		"group version stale":         {`{"method":"DELETE","path":"` + g + `","version":"W/\"999999\""}`, "412 -"},
		"PUT version stale":           {`{"method":"PUT","path":"` + g + `","version":"W/\"999999\"","data":{"displayName":"Changed"}}`, "412 -"},
	} {
		ops = append(ops, bulkSweepOp{name: name, op: c.op, want: c.want})
	}
	var out []bulkReq
	var cur []bulkSweepOp
	size := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, bulkReq{name: fmt.Sprintf("bulk request %d", len(out)+1), ops: cur})
		}
		cur, size = nil, 0
	}
	for _, o := range ops {
		if size+len(o.op) > 900<<10 || len(cur) == 1000 {
			flush()
		}
		cur = append(cur, o)
		size += len(o.op) + 1
	}
	flush()
	// Malformed bulk requests; each could write, were it taken.
	valid := `{"method":"POST","path":"/Users","bulkId":"v","data":` + create + `}`
	for name, c := range map[string]struct{ body, want string }{
		"empty body":                    {``, wantInvalidSyntax},
		"malformed JSON":                {`{"Operations":[` + valid, wantInvalidSyntax},
		"an array":                      {`[` + valid + `]`, wantInvalidSyntax},
		"Operations a string":           {`{"Operations":"x"}`, wantInvalidSyntax},
		"Operations an object":          {`{"Operations":` + valid + `}`, wantInvalidSyntax},
		"Operations of numbers":         {`{"Operations":[1]}`, wantInvalidSyntax},
		"Operations empty":              {`{"Operations":[]}`, wantInvalidSyntax},
		"Operations null":               {`{"Operations":null}`, wantInvalidSyntax},
		"no Operations":                 {`{"failOnErrors":1}`, wantInvalidSyntax},
		"Operations 10,000 deep":        {`{"Operations":` + deepArray + `}`, wantInvalidSyntax},
		"failOnErrors a string":         {`{"failOnErrors":"x","Operations":[` + valid + `]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"failOnErrors 1e20":             {`{"failOnErrors":1e20,"Operations":[` + valid + `]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"failOnErrors 1.5":              {`{"failOnErrors":1.5,"Operations":[` + valid + `]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"failOnErrors an array":         {`{"failOnErrors":[1],"Operations":[` + valid + `]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"method a number":               {`{"Operations":[{"method":5,"path":"/Users","bulkId":"v","data":` + create + `}]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"path a number":                 {`{"Operations":[{"method":"POST","path":5,"bulkId":"v","data":` + create + `}]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"bulkId a number":               {`{"Operations":[{"method":"POST","path":"/Users","bulkId":5,"data":` + create + `}]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"version a number":              {`{"Operations":[{"method":"DELETE","path":"` + a + `","version":5}]}`, wantInvalidSyntax + "," + wantInvalidValue},
		"an operation a string":         {`{"Operations":["x"]}`, wantInvalidSyntax},
		"a NUL in an operation":         {`{"Operations":[{"method":"POST","path":"/Users","bulkId":"v","data":{"userName":"a\u0000"}}]}`, wantInvalidValue},
		"invalid UTF-8 in an op":        {"{\"Operations\":[{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"v\",\"data\":{\"userName\":\"\xff\"}}]}", wantInvalidSyntax},
		"data 10,000 deep":              {`{"Operations":[{"method":"POST","path":"/Users","bulkId":"v","data":{"userName":` + deepArray + `}}]}`, wantInvalidSyntax},
		"100,000 operations":            {`{"Operations":` + hugeArray(`{}`, 100000) + `}`, "413 tooMany"},
		"trailing data":                 {`{"Operations":[` + valid + `]} {}`, wantInvalidSyntax},
		"1,001 operations (maxOps)":     {`{"Operations":` + hugeArray(`{"method":"DELETE","path":"`+a+`"}`, 1001) + `}`, "413 tooMany"},
		"schemas of the wrong type":     {`{"schemas":5,"Operations":[{"method":"DELETE","path":"/Users/bulkId:nope"}]}`, "2xx," + wantInvalidSyntax},
		"Operations key in odd case":    {`{"oPeRaTiOnS":[{"method":"DELETE","path":"/Users/bulkId:nope"}]}`, "2xx"},
		"failOnErrors negative":         {`{"failOnErrors":-1,"Operations":[{"method":"DELETE","path":"/Users/bulkId:nope"}]}`, "2xx"},
		"an op with unknown fields":     {`{"Operations":[{"method":"DELETE","path":"/Users/bulkId:nope","nope":[1]}]}`, "2xx"},
		"data with unbalanced":          {`{"Operations":[{"method":"PATCH","path":"` + a + `","data":{"Operations":[{"op":"add","path":"emails[type eq \"work\"","value":"x"}]}}]}`, "2xx"},
		"a bulkId of 70,000 characters": {`{"Operations":[{"method":"DELETE","path":"/Users/bulkId:` + sweepLong + `"}]}`, "2xx"},
	} {
		out = append(out, bulkReq{name: name, body: []byte(c.body), want: c.want})
	}
	return out
}

func (s *scimSweeper) runBulk(b bulkReq) {
	body := b.body
	if body == nil {
		var ops []string
		for _, o := range b.ops {
			ops = append(ops, o.op)
		}
		body = []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`)
	}
	code, m, raw := s.send("POST", "/Bulk", body, nil)
	typ, _ := m["scimType"].(string)
	fail := func(why string) {
		s.failures = append(s.failures, fmt.Sprintf("  POST /Bulk [%s]: %s (want %s): %d %s", b.name, why, b.want, code, shorten(raw)))
	}
	s.checkWrites()
	defer func() {
		if fp := s.fingerprint(); fp != s.fp {
			fail("the users or groups changed: " + firstDiff(s.fp, fp))
			s.fp = fp
		}
	}()
	if b.ops == nil {
		switch {
		case code >= 500:
			fail("server error")
		case !scimWant(b.want, code, typ):
			fail("unexpected answer")
		case code >= 400:
			if p := envelopeProblem(code, m); p != "" {
				fail(p)
			}
		default:
			s.passed++
			s.bulkResults(b, m, fail)
		}
		return
	}
	if code != 200 {
		fail("a BulkRequest of bad operations is answered 200 with each operation's outcome")
		return
	}
	s.bulkOps += len(b.ops)
	s.bulkResults(b, m, fail)
}

// bulkResults checks each operation's outcome and deletes what a tolerated
// create made.
func (s *scimSweeper) bulkResults(b bulkReq, m map[string]any, fail func(string)) {
	results, _ := m["Operations"].([]any)
	if b.ops != nil && len(results) != len(b.ops) {
		fail(fmt.Sprintf("%d results for %d operations", len(results), len(b.ops)))
		return
	}
	for i, r := range results {
		res, _ := r.(map[string]any)
		code, _ := strconv.Atoi(fmt.Sprint(res["status"]))
		resp, _ := res["response"].(map[string]any)
		typ, _ := resp["scimType"].(string)
		name, want := b.name, b.want
		if b.ops != nil {
			name, want = b.ops[i].name, b.ops[i].want
		}
		if os.Getenv("SWEEP_DEBUG") != "" {
			fmt.Printf("SCIMBULK %s %v %s [%s]\n", b.name, res["status"], typ, name)
		}
		opFail := func(why string) {
			s.failures = append(s.failures, fmt.Sprintf("  POST /Bulk %s: %s (want %s): %d %s", name, why, want, code, shorten(mustJSON(res))))
		}
		switch {
		case code >= 500:
			opFail("server error")
		case b.ops != nil && !scimWant(want, code, typ):
			opFail("unexpected answer")
		case code >= 400:
			if p := envelopeProblem(code, resp); p != "" {
				opFail(p)
			}
		case res["method"] == "POST" && code == 201:
			loc, _ := res["location"].(string)
			i := strings.LastIndex(loc, "/")
			s.cleanup(loc[:max(i, 0)], map[string]any{"id": loc[i+1:]})
		}
	}
}

// loneSurrogate finds a surrogate escape, which in a /Bulk operation
// would make the whole request fail.
var loneSurrogate = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// jsonDepth is the nesting depth of the JSON text b.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == '[' || c == '{'):
			depth++
			deepest = max(deepest, depth)
		case !inString && (c == ']' || c == '}'):
			depth--
		}
	}
	return deepest
}

// firstDiff shows where two fingerprints part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-150, 0)
	return fmt.Sprintf("…%s… became …%s…", a[from:min(i+150, len(a))], b[from:min(i+150, len(b))])
}
