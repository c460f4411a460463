package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/invoker"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// The bad-input sweep: every mounted signed operation gets odd path ids,
// hostile bodies and out-of-range list parameters. Each answer must be a 4xx
// error envelope (never a 5xx, never a panic), and a rejected write must
// leave the stored state exactly as it was.
func TestBadInputSweep(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, storeID := identityStore(t, dialect)
		fx := sweepFixtures(t, srv, c, storeID)
		ops := sweepOps(t, srv)
		for name := range validBodies {
			if _, ok := ops[name]; !ok {
				t.Fatalf("validBodies names %s, which is not an operation", name)
			}
		}
		var cases []sweepCase
		for _, op := range srv.App.Ops() {
			info, ok := ops[op.Pattern]
			if !ok {
				t.Fatalf("mounted op %s is neither in an SDK nor in the sweep's own table", op.Pattern)
			}
			cases = append(cases, info.cases(fx)...)
		}
		sw := &sweeper{srv: srv, fx: fx}
		sw.fp = sw.fingerprint(t)
		for _, k := range cases {
			sw.run(t, k)
		}
		t.Logf("%d (op, input) cases, %d answered 2xx as valid input", len(cases), sw.passed)
		if len(sw.failures) > 0 {
			t.Errorf("%d of %d bad-input cases failed:\n%s", len(sw.failures), len(cases), strings.Join(sw.failures, "\n"))
		}
	})
}

// sweepFx are the real ids path variables and queries can use.
type sweepFx map[string]string

func sweepFixtures(t *testing.T, srv *testenv.Server, c *ics.IdentityCenterStoreClient, storeID string) sweepFx {
	t.Helper()
	userID, _ := createUser(t, c, storeID, "sweep-user")
	groupID := createGroup(t, c, storeID, "sweep-group")
	membershipID, err := addMember(c, storeID, groupID, userID)
	if err != nil {
		t.Fatal(err)
	}
	pem, b64 := validCert(t, "sweep-idp")
	idp, err := c.CreateExternalIdPConfigurationForDirectory(&model.CreateExternalIdPConfigurationForDirectoryRequest{IdentityStoreId: storeID,
		Body: &model.CreateIdpReqBody{IdpSamlMetadata: ptr(idpMetadata("https://idp.example.com", "https://idp.example.com/sso", b64))}})
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := c.CreateProvisioningTenant(&model.CreateProvisioningTenantRequest{IdentityStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	token, err := c.CreateBearerToken(&model.CreateBearerTokenRequest{IdentityStoreId: storeID, TenantId: *tenant.TenantId})
	if err != nil {
		t.Fatal(err)
	}
	spCert, err := c.CreateSpCertificate(&model.CreateSpCertificateRequest{IdentityStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	enrolTOTP(t, srv, c, storeID, userID, "sweep-phone")
	devices := listDevices(t, c, storeID, userID)
	if len(devices) != 1 || len(devices[0].MfaDevices) != 1 {
		t.Fatalf("devices = %+v", devices)
	}
	sweepInstanceSettings(t, srv)
	instanceID, psID, requestID := permissionFixtures(t, srv, userID)
	fedIdP, fedMapping := federationFixtures(t, srv, b64)
	return sweepFx{
		"fed_idp_id": fedIdP, "fed_mapping_id": fedMapping, "fed_protocol_id": "saml",
		"instance_id": instanceID, "permission_set_id": psID, "resource_id": psID, "request_id": requestID,
		"account_id": srv.App.Root.AccountID, "principal_id": userID, "principal_type": "USER",
		"identity_store_id": storeID, "user_id": userID, "group_id": groupID, "membership_id": membershipID,
		"idp_id": *idp.IdpId, "idp_certificate_id": *idp.IdpCertificateId, "sp_certificate_id": *spCert.CertificateId,
		"tenant_id": *tenant.TenantId, "token_id": *token.TokenId, "device_id": devices[0].MfaDevices[0].DeviceId,
		"region_id": "cn-north-4", "pem": pem,
	}
}

// real returns the real value of path variable name in pattern ("" = none known).
func (fx sweepFx) real(pattern, name string) string {
	if strings.Contains(pattern, "/OS-FEDERATION/") {
		switch {
		case name == "id" && strings.Contains(pattern, "/mappings/"):
			return fx["fed_mapping_id"]
		case name == "id":
			return fx["fed_idp_id"]
		}
		return fx["fed_"+name]
	}
	if name == "certificate_id" {
		if strings.Contains(pattern, "external-idp") {
			return fx["idp_certificate_id"]
		}
		return fx["sp_certificate_id"]
	}
	return fx[name]
}

// oddIDs are syntactically odd path values (already escaped for the URL).
var oddIDs = map[string]string{
	"300 chars":     strings.Repeat("a", 300),
	"unicode":       url.PathEscape("ü日本🙂"),
	"escaped slash": "%2F",
	"dot-dot":       "..",
	"NUL byte":      "%00",
	"invalid UTF-8": "%FF%FE",
}

// sweepField is a top-level body field or query parameter.
type sweepField struct {
	name     string
	kind     reflect.Kind // of the JSON value: String, Float64, Bool, Slice, Map, Interface
	required bool
}

// sweepOp is what the sweep knows about one operation.
type sweepOp struct {
	method, path string
	hasBody      bool
	body         []sweepField
	query        []sweepField
}

var pathVar = regexp.MustCompile(`\{([a-z_]+)\}`)

// sweepOps indexes both SDK clients' operations by "METHOD path", from the
// SDK's own request metadata and request models, plus the iic-only
// operations no SDK has.
func sweepOps(t *testing.T, srv *testenv.Server) map[string]sweepOp {
	t.Helper()
	out := map[string]sweepOp{}
	for _, client := range []any{srv.IdentityStore(t), srv.Center(t), srv.Orgs(t), srv.STSAs(t, srv.App.Root.AccessKey, srv.App.Root.SecretKey, ""), srv.IAM(t)} {
		cv := reflect.ValueOf(client)
		for i := 0; i < cv.NumMethod(); i++ {
			m := cv.Type().Method(i)
			if !strings.HasSuffix(m.Name, "Invoker") || m.Type.NumIn() != 2 {
				continue
			}
			reqType := m.Type.In(1).Elem()
			inv := cv.Method(i).Call([]reflect.Value{reflect.New(reqType)})[0]
			base := inv.Elem().FieldByName("BaseInvoker").Interface().(*invoker.BaseInvoker)
			op := sweepOp{method: base.Exchange.ApiReference.Method, path: base.Exchange.ApiReference.Path}
			vars := map[string]bool{}
			for _, v := range pathVar.FindAllStringSubmatch(op.path, -1) {
				vars[v[1]] = true
			}
			for j := 0; j < reqType.NumField(); j++ {
				f := reqType.Field(j)
				if f.Name == "Body" {
					op.hasBody = true
					op.body = modelFields(f.Type)
					continue
				}
				name, opt := jsonName(f)
				if name == "" || vars[name] || strings.HasPrefix(name, "X-") {
					continue
				}
				op.query = append(op.query, sweepField{name: name, kind: jsonKind(f.Type), required: !opt})
			}
			out[op.method+" "+op.path] = op
			// The tag routes are mounted per literal resource type.
			if strings.Contains(op.path, "{resource_type}") {
				op.path = strings.Replace(op.path, "{resource_type}", "identitycenter:permissionset", 1)
				out[op.method+" "+op.path] = op
			}
		}
	}
	str, arr, obj, any := reflect.String, reflect.Slice, reflect.Map, reflect.Interface
	page := []sweepField{{"limit", reflect.Float64, false}, {"marker", str, false}}
	for _, op := range []sweepOp{
		{method: "DELETE", path: "/v1/registered-regions/{region_id}"},
		{method: "GET", path: "/v3/auth/domains"},
		{method: "GET", path: "/v3/projects", query: []sweepField{{"name", str, false}}},
		{method: "POST", path: "/v1/iic/policies", hasBody: true, body: []sweepField{{"policy_name", str, true}, {"description", str, false}, {"policy_document", any, true}}},
		{method: "GET", path: "/v1/iic/policies", query: page},
		{method: "GET", path: "/v1/iic/policies/{policy_id}"},
		{method: "DELETE", path: "/v1/iic/policies/{policy_id}"},
		{method: "POST", path: "/v1/iic/policies/simulate", hasBody: true, body: []sweepField{{"policy_ids", arr, false}, {"policies", arr, false}, {"action", str, true}, {"resource", str, false}, {"context", obj, false}}},
		{method: "GET", path: "/v1/iic/managed-policies"},
		{method: "GET", path: "/v1/iic/managed-policies/{policy_id}"},
		{method: "POST", path: "/v1/iic/access-keys", hasBody: true, body: []sweepField{{"policy_ids", arr, false}, {"description", str, false}, {"user_name", str, false}}},
		{method: "GET", path: "/v1/iic/access-keys", query: page},
		{method: "DELETE", path: "/v1/iic/access-keys/{access_key}"},
	} {
		out[op.method+" "+op.path] = op
	}
	return out
}

// jsonName is a field's JSON name and whether it is omitempty.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "" || tag == "-" {
		return "", false
	}
	name, rest, _ := strings.Cut(tag, ",")
	return name, strings.Contains(rest, "omitempty")
}

func modelFields(t reflect.Type) []sweepField {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []sweepField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opt := jsonName(f)
		if name == "" {
			continue
		}
		out = append(out, sweepField{name: name, kind: jsonKind(f.Type), required: !opt && f.Type.Kind() != reflect.Pointer})
	}
	return out
}

var jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// jsonKind is the kind of JSON value an SDK type travels as (SDK enums are
// structs that marshal as strings).
func jsonKind(t reflect.Type) reflect.Kind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
		return reflect.String
	}
	switch t.Kind() {
	case reflect.String:
		return reflect.String
	case reflect.Bool:
		return reflect.Bool
	case reflect.Slice, reflect.Array:
		return reflect.Slice
	case reflect.Struct, reflect.Map:
		return reflect.Map
	case reflect.Interface:
		return reflect.Interface
	}
	return reflect.Float64
}

// wrongJSON is a value of another JSON type than kind.
func wrongJSON(kind reflect.Kind) string {
	switch kind {
	case reflect.String, reflect.Interface:
		return `12345`
	case reflect.Slice:
		return `"x"`
	case reflect.Map:
		return `[1]`
	case reflect.Bool:
		return `"yes"`
	}
	return `"x"`
}

// sweepCase is one request the sweep sends.
type sweepCase struct {
	op, input    string
	method, path string
	body         []byte
	// mayPass: the input is valid (e.g. an empty object for an operation
	// whose fields are all optional), so a 2xx is a correct answer.
	mayPass bool
}

func (op sweepOp) write() bool { return op.method != http.MethodGet }

func (op sweepOp) cases(fx sweepFx) []sweepCase {
	name := op.method + " " + op.path
	vars := pathVar.FindAllStringSubmatch(op.path, -1)
	fill := func(odd string, oddAt int) (string, bool) {
		ok := true
		i := 0
		p := pathVar.ReplaceAllStringFunc(op.path, func(string) string {
			v := vars[i][1]
			i++
			if i-1 == oddAt {
				return odd
			}
			r := fx.real(op.path, v)
			if r == "" {
				ok = false
			}
			return url.PathEscape(r)
		})
		return p, ok
	}
	realPath, realOK := fill("", -1)
	var out []sweepCase
	add := func(input, path string, body []byte, mayPass bool) {
		out = append(out, sweepCase{op: name, input: input, method: op.method, path: path, body: body, mayPass: mayPass})
	}
	// Odd path ids, one variable at a time (the others real). A body-less
	// write with all-real ids would be a valid request, so it gets only these.
	oddNames := make([]string, 0, len(oddIDs))
	for k := range oddIDs {
		oddNames = append(oddNames, k)
	}
	sort.Strings(oddNames)
	for i, v := range vars {
		for _, k := range oddNames {
			p, ok := fill(oddIDs[k], i)
			if !ok {
				// another variable has no real value: make it odd too
				p = pathVar.ReplaceAllString(op.path, oddIDs[k])
			}
			var body []byte
			if op.hasBody {
				body = []byte(`{}`)
			}
			add(fmt.Sprintf("%s=%s", v[1], k), p+op.baseQuery(fx), body, false)
		}
	}
	if !realOK {
		return out
	}
	anyRequired := false
	for _, f := range op.body {
		anyRequired = anyRequired || f.required
	}
	if op.hasBody {
		add("empty body", realPath, nil, false)
		for _, b := range []string{`{`, `[]`, `"x"`, `[{}]`, `{"a":1} {}`, `{"` + op.firstField() + `":`} {
			add("body "+b, realPath, []byte(b), false)
		}
		for _, b := range []string{`null`, `{}`, `{"unknown_field":1}`} {
			add("body "+b, realPath, []byte(b), !anyRequired)
		}
		for _, f := range op.body {
			add("field "+f.name+" of the wrong type", realPath, []byte(`{"`+f.name+`":`+wrongJSON(f.kind)+`}`), false)
		}
		if valid, ok := validBodies[name]; ok {
			for _, v := range leafVariants(valid(fx)) {
				_, tolerated := toleratedInputs[name+" ["+v.input+"]"]
				add(v.input, realPath, v.body, tolerated)
			}
		}
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		add("deeply nested JSON", realPath, []byte(`{"`+op.firstField()+`":`+deep+`}`), false)
		big := append(append([]byte(`{"`+op.firstField()+`":"`), bytes.Repeat([]byte("x"), 2<<20)...), '"', '}')
		add("2 MiB body", realPath, big, false)
	}
	for _, q := range op.query {
		var bad []string
		switch q.name {
		case "limit":
			above := "101"
			if strings.HasPrefix(op.path, "/v1/organizations") {
				above = "2001" // organizations lists take 1–2000
			}
			bad = []string{"0", "-1", above, "abc", "1.5", "99999999999999999999"}
		case "marker":
			bad = []string{"garbage", strings.Repeat("A", 24), strings.Repeat("A", 300), "%00", "%FF%FE"}
		default:
			continue // filters: an odd filter value may simply match nothing
		}
		for _, v := range bad {
			add(fmt.Sprintf("query %s=%s", q.name, v), realPath+op.queryWith(fx, q.name, v), nil, false)
		}
	}
	// Odd values of required and filter query parameters: a filter that
	// matches nothing is a valid 2xx; a 5xx or a bad envelope is not.
	for _, q := range op.query {
		if q.name == "limit" || q.name == "marker" {
			continue
		}
		for _, k := range oddNames {
			add(fmt.Sprintf("query %s=%s", q.name, k), realPath+op.queryWith(fx, q.name, oddIDs[k]), nil, !q.required)
		}
	}
	return out
}

// validBodies are valid request bodies of some writes and bodied reads;
// the sweep sends each with one string at a time replaced by one holding a
// NUL character, which no name, id or filter may contain.
var validBodies = map[string]func(sweepFx) string{
	"POST /v1/identity-stores/{identity_store_id}/users": func(sweepFx) string {
		b, _ := json.Marshal(newUserBody("nul-user", otpMode))
		return string(b)
	},
	"PUT /v1/identity-stores/{identity_store_id}/users/{user_id}": func(sweepFx) string {
		return `{"operations":[{"attribute_path":"display_name","attribute_value":"New name"}]}`
	},
	"POST /v1/identity-stores/{identity_store_id}/users/retrieve-user-id": func(sweepFx) string {
		return `{"alternate_identifier":{"unique_attribute":{"attribute_path":"user_name","attribute_value":"sweep-user"}}}`
	},
	"POST /v1/identity-stores/{identity_store_id}/users/batch-query": func(fx sweepFx) string {
		return `{"user_ids":["` + fx["user_id"] + `"]}`
	},
	"POST /v1/identity-stores/{identity_store_id}/groups": func(sweepFx) string {
		return `{"display_name":"nul-group","description":"about"}`
	},
	"PUT /v1/identity-stores/{identity_store_id}/groups/{group_id}": func(sweepFx) string {
		return `{"operations":[{"attribute_path":"description","attribute_value":"new"}]}`
	},
	"POST /v1/identity-stores/{identity_store_id}/groups/retrieve-group-id": func(sweepFx) string {
		return `{"alternate_identifier":{"unique_attribute":{"attribute_path":"display_name","attribute_value":"sweep-group"}}}`
	},
	"POST /v1/identity-stores/{identity_store_id}/groups/batch-query": func(fx sweepFx) string {
		return `{"group_ids":["` + fx["group_id"] + `"]}`
	},
	"POST /v1/identity-stores/{identity_store_id}/group-memberships": func(fx sweepFx) string {
		return `{"group_id":"` + fx["group_id"] + `","member_id":{"user_id":"` + fx["user_id"] + `"}}`
	},
	"POST /v1/identity-stores/{identity_store_id}/group-memberships/retrieve-group-membership-id": func(fx sweepFx) string {
		return `{"group_id":"` + fx["group_id"] + `","member_id":{"user_id":"` + fx["user_id"] + `"}}`
	},
	"POST /v1/identity-stores/{identity_store_id}/is-member-in-groups": func(fx sweepFx) string {
		return `{"group_ids":["` + fx["group_id"] + `"],"member_id":{"user_id":"` + fx["user_id"] + `"}}`
	},
	"PUT /v1/identity-stores/{identity_store_id}/users/{user_id}/mfa-devices/{device_id}": func(sweepFx) string {
		return `{"display_name":"new phone"}`
	},
	"POST /v1/iic/access-keys": func(sweepFx) string { return `{"user_name":"sweeper","description":"d"}` },
	"PUT /v1/identity-stores/{identity_store_id}/external-idp/{idp_id}": func(sweepFx) string {
		return `{"entity_id":"https://idp2.example.com","login_url":"https://idp2.example.com/sso"}`
	},
	"POST /v1/identity-stores/{identity_store_id}/external-idp/{idp_id}/certificate": func(fx sweepFx) string {
		b, _ := json.Marshal(map[string]string{"x509_certificate_in_pem": fx["pem"], "certificate_use": "SIGNING"})
		return string(b)
	},
	"POST /v1/identity-stores/{identity_store_id}/users/retrieve-mfa-devices": func(fx sweepFx) string {
		return `{"user_list":[{"identity_store_id":"` + fx["identity_store_id"] + `","user_id":"` + fx["user_id"] + `"}]}`
	},
	"POST /v1/identity-stores/{identity_store_id}/users/{user_id}/reset-password": func(sweepFx) string { return `{"mode":"OTP"}` },
	"POST /v1/identity-stores/{identity_store_id}/users/{user_id}/sessions/batch-delete": func(sweepFx) string {
		return `{"session_ids":["no-such-session"]}`
	},
	"POST /v1/register-regions": func(sweepFx) string { return `{"region_id":"cn-north-4"}` },
	"POST /v1/iic/policies": func(sweepFx) string {
		return `{"policy_name":"sweep-policy","description":"d","policy_document":{"Version":"5.0","Statement":[{"Sid":"s","Effect":"Allow","Action":["iic:policy:list"]}]}}`
	},
	"POST /v1/iic/policies/simulate": func(sweepFx) string {
		return `{"action":"iic:policy:list","resource":"iic:::policy:x","policies":[{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["iic:*"]}]}],"context":{"g:SourceIp":"10.0.0.1"}}`
	},
	"POST /v1/instances/{instance_id}/alias": func(sweepFx) string { return `{"alias":"sweep-portal"}` },
	"POST /v1/instances/{instance_id}/sso-configuration": func(sweepFx) string {
		return `{"configuration_type":"APP_AUTHENTICATION_CONFIGURATION","sso_configuration":{"mfa_mode":"CONTEXT_AWARE","allowed_mfa_types":["TOTP"],` +
			`"no_mfa_signin_behavior":"BLOCKED","no_password_signin_behavior":"BLOCKED","session_configuration":{"max_authentication_age":"PT4H"}}}`
	},
	"POST /v1/instances/{instance_id}/mfa-devices/management-settings": func(fx sweepFx) string {
		return `{"identity_store_id":"` + fx["identity_store_id"] + `","user_permission":"READ_ACTIONS"}`
	},
	"POST /v1/instances/{instance_id}/access-control-attribute-configuration": func(sweepFx) string { return sweepABAC },
	"PUT /v1/instances/{instance_id}/access-control-attribute-configuration":  func(sweepFx) string { return sweepABAC },
	"PUT /v1/instances/{instance_id}/disaster-recovery-configuration":         func(sweepFx) string { return `{"disaster_recovery_choice":"ACCEPT"}` },
	"PUT /v1/identity-stores/{identity_store_id}/password-policy": func(sweepFx) string {
		return `{"password_policy":{"minimum_password_length":12,"max_password_age":90,"password_reuse_prevention":3,"require_numbers":true}}`
	},
}

// toleratedInputs are variants that are valid by design, with the reason.
var toleratedInputs = map[string]string{
	// Batch reads return the ids that exist and skip the others; an id too
	// long to exist is one more id that does not.
	"POST /v1/identity-stores/{identity_store_id}/users/batch-query [70000 characters in body.user_ids[0]]":                   "unknown ids are skipped",
	"POST /v1/identity-stores/{identity_store_id}/groups/batch-query [70000 characters in body.group_ids[0]]":                 "unknown ids are skipped",
	"POST /v1/identity-stores/{identity_store_id}/users/retrieve-mfa-devices [70000 characters in body.user_list[0].user_id]": "unknown users are skipped",
}

type leafVariant struct {
	input string
	body  []byte
}

// longString is longer than any name, id or description may be, yet well
// inside the body limit (and beyond PostgreSQL's btree entry size).
var longString = strings.Repeat("n", 70000)

// leafVariants returns body once per bad value of each leaf: every string
// with a NUL in the middle and 70,000 characters long, every number
// negative, fractional and out of range.
func leafVariants(body string) []leafVariant {
	var root any
	if err := json.Unmarshal([]byte(body), &root); err != nil {
		panic("sweep: invalid valid body " + body)
	}
	var out []leafVariant
	try := func(input string, set func(any), bad any) {
		set(bad)
		b, _ := json.Marshal(root)
		out = append(out, leafVariant{input, uniqueNames(b, len(out))})
	}
	var walk func(v any, path string, set func(any))
	walk = func(v any, path string, set func(any)) {
		switch x := v.(type) {
		case string:
			try("NUL in "+path, set, x[:len(x)/2]+"\x00"+x[len(x)/2:])
			try("70000 characters in "+path, set, longString)
			set(x)
		case float64:
			for _, bad := range []any{-1, 1.5, 1e30, 2147483648} {
				try(fmt.Sprintf("%s=%v", path, bad), set, bad)
			}
			set(x)
		case map[string]any:
			for k, e := range x {
				walk(e, path+"."+k, func(n any) { x[k] = n })
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s[%d]", path, i), func(n any) { x[i] = n })
			}
		}
	}
	walk(root, "body", func(any) {})
	sort.Slice(out, func(i, j int) bool { return out[i].input < out[j].input })
	return out
}

// uniqueNames gives the names that must be unique in a store (a create's
// top-level user_name and display_name, the first e-mail address) a
// suffix n, so that one accepted variant cannot make the later ones fail
// for the wrong reason (a duplicate).
func uniqueNames(body []byte, n int) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	suffix := func(v any) any {
		if s, ok := v.(string); ok && s != longString && !strings.ContainsRune(s, 0) {
			return fmt.Sprintf("%s%d", s, n)
		}
		return v
	}
	for _, k := range []string{"user_name", "display_name", "policy_name"} {
		if v, ok := m[k]; ok {
			m[k] = suffix(v)
		}
	}
	if es, ok := m["emails"].([]any); ok && len(es) > 0 {
		if e, ok := es[0].(map[string]any); ok {
			if s, ok := e["value"].(string); ok && s != longString && !strings.ContainsRune(s, 0) {
				e["value"] = fmt.Sprintf("u%d.%s", n, s)
			}
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func (op sweepOp) firstField() string {
	if len(op.body) == 0 {
		return "x"
	}
	return op.body[0].name
}

// baseQuery sets the required query parameters to real values.
func (op sweepOp) baseQuery(fx sweepFx) string { return op.queryWith(fx, "", "") }

func (op sweepOp) queryWith(fx sweepFx, name, raw string) string {
	var parts []string
	for _, q := range op.query {
		switch {
		case q.name == name:
			parts = append(parts, q.name+"="+raw)
		case q.required && fx[q.name] != "":
			parts = append(parts, q.name+"="+url.QueryEscape(fx[q.name]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

type sweeper struct {
	srv      *testenv.Server
	fx       sweepFx
	fp       string
	passed   int
	failures []string
}

func (s *sweeper) run(t *testing.T, k sweepCase) {
	t.Helper()
	resp, body := s.srv.Do(t, k.method, k.path, k.body, nil, true)
	if os.Getenv("SWEEP_DEBUG") != "" {
		var e envelope
		json.Unmarshal(body, &e)
		fmt.Printf("SWEEP %d %s %s [%s] %s\n", resp.StatusCode, e.ErrorCode, k.op, k.input, e.ErrorMsg)
	}
	shown := body
	if len(shown) > 300 {
		shown = shown[:300]
	}
	fail := func(why string) {
		s.failures = append(s.failures, fmt.Sprintf("  %s [%s]: %s: %d %s", k.op, k.input, why, resp.StatusCode, shown))
	}
	write := k.method != http.MethodGet
	switch {
	case resp.StatusCode >= 500:
		fail("server error")
	case resp.StatusCode < 400 && !k.mayPass:
		fail("bad input accepted")
		if write {
			s.fp = s.fingerprint(t)
		}
		return
	case resp.StatusCode < 400:
		s.passed++
		if write {
			s.fp = s.fingerprint(t) // a valid write may change the state
		}
		return
	}
	if resp.StatusCode >= 400 {
		var e envelope
		if err := json.Unmarshal(body, &e); err != nil || e.ErrorCode == "" || e.ErrorMsg == "" || e.RequestID == "" || resp.Header.Get("X-Request-Id") != e.RequestID {
			fail("not an error envelope with X-Request-Id")
		}
	}
	if write {
		if fp := s.fingerprint(t); fp != s.fp {
			fail("rejected write changed the stored state")
			s.fp = fp
		}
	}
}

// fingerprint reads everything the sweep's writes could touch.
func (s *sweeper) fingerprint(t *testing.T) string {
	t.Helper()
	base := "/v1/identity-stores/" + s.fx["identity_store_id"]
	devices := []byte(`{"user_list":[{"identity_store_id":"` + s.fx["identity_store_id"] + `","user_id":"` + s.fx["user_id"] + `"}]}`)
	var b strings.Builder
	for _, r := range []struct {
		method, path string
		body         []byte
	}{
		{"GET", base + "/users?limit=100", nil},
		{"GET", base + "/groups?limit=100", nil},
		{"GET", base + "/group-memberships?group_id=" + s.fx["group_id"], nil},
		{"GET", base + "/external-idp", nil},
		{"GET", base + "/external-idp/" + s.fx["idp_id"] + "/certificate", nil},
		{"GET", base + "/provision-tenant", nil},
		{"GET", base + "/tenant/" + s.fx["tenant_id"] + "/bearer-token", nil},
		{"GET", base + "/password-policy", nil},
		{"GET", base + "/saml-certificates", nil},
		{"GET", base + "/users/" + s.fx["user_id"] + "/sessions", nil},
		{"POST", base + "/users/retrieve-mfa-devices", devices},
		{"GET", "/v1/registered-regions", nil},
		{"GET", "/v3/OS-FEDERATION/identity_providers", nil},
		{"GET", "/v3/OS-FEDERATION/mappings", nil},
		{"GET", "/v3/OS-FEDERATION/identity_providers/" + s.fx["fed_idp_id"] + "/protocols", nil},
		{"GET", "/v3-ext/OS-FEDERATION/identity_providers/" + s.fx["fed_idp_id"] + "/protocols/saml/metadata", nil},
		{"GET", "/v3.0/OS-FEDERATION/identity-providers/" + s.fx["fed_idp_id"] + "/openid-connect-config", nil},
		{"GET", "/v1/instances", nil},
		{"GET", "/v1/iic/policies", nil},
		{"GET", "/v1/iic/access-keys", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/sso-configuration", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/mfa-devices/management-settings", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/access-control-attribute-configuration", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/disaster-recovery-configuration", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/identity-store-associations", nil},
		{"GET", "/v1/organizations", nil},
		{"GET", "/v1/organizations/accounts", nil},
		{"GET", "/v1/organizations/organizational-units", nil},
		{"GET", "/v1/organizations/trusted-services", nil},
		{"GET", "/v1/organizations/delegated-administrators", nil},
		{"GET", "/v1/organizations/create-account-status", nil},
		{"GET", "/v1/organizations/close-account-status", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets/" + s.fx["permission_set_id"] + "/managed-policies", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets/" + s.fx["permission_set_id"] + "/managed-roles", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets/" + s.fx["permission_set_id"] + "/custom-policy", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets/" + s.fx["permission_set_id"] + "/custom-role", nil},
		{"GET", "/v1/instances/identitycenter:permissionset/" + s.fx["permission_set_id"] + "/tags", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/account-assignments?account_id=" + s.fx["account_id"], nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/account-assignments/creation-statuses", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/account-assignments/deletion-statuses", nil},
		{"GET", "/v1/instances/" + s.fx["instance_id"] + "/permission-sets/provisioning-statuses", nil},
	} {
		resp, body := s.srv.Do(t, r.method, r.path, r.body, nil, true)
		if resp.StatusCode != 200 {
			t.Fatalf("fingerprint %s %s: %d %s", r.method, r.path, resp.StatusCode, body)
		}
		fmt.Fprintf(&b, "%s\n", body)
	}
	return b.String()
}
