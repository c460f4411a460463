package iamfed_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// fuzzOp is one OS-FEDERATION write whose body the fuzzer chooses, at
// path (with fresh, a new id for each input, substituted for "{id}").
type fuzzOp struct {
	method, path string
	// create says the write creates the object at path: a refused create
	// must leave nothing behind.
	create bool
	// needs are the objects made first: an IdP with the fresh id ("idp"),
	// its saml protocol ("protocol").
	needs []string
}

var fuzzOps = []fuzzOp{
	{"PUT", "/v3/OS-FEDERATION/identity_providers/{id}", true, nil},
	{"PATCH", "/v3/OS-FEDERATION/identity_providers/fz", false, nil},
	{"PUT", "/v3/OS-FEDERATION/mappings/{id}", true, nil},
	{"PATCH", "/v3/OS-FEDERATION/mappings/fz-map", false, nil},
	{"PUT", "/v3/OS-FEDERATION/identity_providers/{id}/protocols/saml", true, []string{"idp"}},
	{"PATCH", "/v3/OS-FEDERATION/identity_providers/fz/protocols/saml", false, nil},
	{"POST", "/v3-ext/OS-FEDERATION/identity_providers/{id}/protocols/saml/metadata", true, []string{"idp", "protocol"}},
	{"POST", "/v3.0/OS-FEDERATION/identity-providers/{id}/openid-connect-config", true, []string{"idp"}},
	{"PUT", "/v3.0/OS-FEDERATION/identity-providers/fz/openid-connect-config", false, nil},
}

const fuzzJWKS = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}`

func addFuzzSeeds(f *testing.F) {
	rules := `[{"local":[{"user":{"name":"{0}"}},{"group":{"name":"admins"}}],"remote":[{"type":"UserName"},{"type":"Groups","any_one_of":["a.*"],"regex":true}]}]`
	oidc, _ := json.Marshal(map[string]any{"openid_connect_config": map[string]any{"access_mode": "program_console", "idp_url": "https://accounts.example.com",
		"client_id": "c", "authorization_endpoint": "https://accounts.example.com/authorize", "scope": "openid email", "response_type": "id_token",
		"response_mode": "form_post", "signing_key": fuzzJWKS}})
	bodies := [][]byte{
		[]byte(`{"identity_provider":{"description":"d","enabled":true,"sso_type":"virtual_user_sso","remote_ids":["a"]}}`),
		[]byte(`{"identity_provider":{"enabled":false}}`),
		[]byte(`{"identity_provider":{"sso_type":"iam_user_sso"}}`),
		[]byte(`{"identity_provider":{"remote_ids":null,"description":null}}`),
		[]byte(`{"identity_provider":{}}`),
		[]byte(`{"identity_provider":null}`),
		[]byte(`{"identity_provider":{"description":"` + string(bytes.Repeat([]byte("é"), 300)) + `"}}`),
		[]byte(`{"mapping":{"rules":` + rules + `}}`),
		[]byte(`{"mapping":{"rules":[{"local":[{"user":{"name":"{1}"}}],"remote":[{"type":"UserName"}]}]}}`),
		[]byte(`{"mapping":{"rules":[{"local":[{"groups":"{0}","domain":{"name":"d"}}],"remote":[{"type":"G","blacklist":["x"]}]}]}}`),
		[]byte(`{"mapping":{"rules":"not a list"}}`),
		[]byte(`{"protocol":{"mapping_id":"fz-map"}}`),
		[]byte(`{"protocol":{"mapping_id":"nobody"}}`),
		[]byte(`{"protocol":{}}`),
		[]byte(`{"domain_id":"d","xaccount_type":"","metadata":"<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>"}`),
		[]byte(`{"metadata":"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>"}`),
		oidc,
		must(json.Marshal(map[string]string{"domain_id": "", "xaccount_type": "", "metadata": fuzzMetadata(f)})),
		[]byte(`{"openid_connect_config":{"access_mode":"program","idp_url":"https://a.example","client_id":"c","signing_key":"{}"}}`),
		[]byte(`{"openid_connect_config":{"access_mode":"program","idp_url":"https://a.example","client_id":"c","signing_key":` + string(must(json.Marshal(fuzzJWKS))) + `}}`),
		[]byte(`{}`), []byte(`[]`), []byte(`null`), []byte(``), []byte(`{"a":1} {}`), []byte("{\"identity_provider\":{\"description\":\"\xff\"}}"),
		[]byte(`{"identity_provider":{"description":"a\u0000b","enabled":true}}`), []byte(`{"mapping":{"rules":[{"local":[],"remote":[]}]}}`),
	}
	for i := range fuzzOps {
		for _, b := range bodies {
			f.Add(uint8(i), b)
		}
	}
}

// fuzzMetadata is an IdP's SAML metadata with a fresh signing certificate.
func fuzzMetadata(f *testing.F) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzFederationWrites sends arbitrary bodies to every OS-FEDERATION
// write of a real server, through its decoding, validation and store: the
// answer is never a 5xx; a refusal is the surface's envelope (error_code,
// error_msg, and Keystone's error with the same status) and, for a create,
// leaves nothing behind; what is accepted reads back as it was answered.
func FuzzFederationWrites(f *testing.F) {
	addFuzzSeeds(f)
	var servers []*testenv.Server
	for _, d := range sqltest.Dialects() {
		servers = append(servers, startFuzzServer(f, d))
	}
	known := map[string]bool{}
	for _, d := range apierr.All {
		known[d.Code] = true
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		o := fuzzOps[int(op)%len(fuzzOps)]
		fresh := fmt.Sprintf("fz-%d", n.Add(1))
		for _, srv := range servers {
			checkWrite(t, srv, known, o, fresh, body)
		}
	})
}

// startFuzzServer starts a server with the objects the writes that do not
// create aim at: the IdP fz, the mapping fz-map, fz's saml protocol and
// OIDC configuration.
func startFuzzServer(f *testing.F, dialect string) *testenv.Server {
	srv := testenv.Start(f, testenv.Options{Dialect: dialect})
	for _, s := range []struct{ method, path, body string }{
		{"PUT", "/v3/OS-FEDERATION/identity_providers/fz", `{"identity_provider":{"enabled":true}}`},
		{"PUT", "/v3/OS-FEDERATION/mappings/fz-map", `{"mapping":{"rules":[{"local":[{"user":{"name":"FederationUser"}}],"remote":[{"type":"__NAMEID__"}]}]}}`},
		{"PUT", "/v3/OS-FEDERATION/identity_providers/fz/protocols/saml", `{"protocol":{"mapping_id":"fz-map"}}`},
		{"POST", "/v3.0/OS-FEDERATION/identity-providers/fz/openid-connect-config", `{"openid_connect_config":{"access_mode":"program","idp_url":"https://a.example","client_id":"c","signing_key":` + string(must(json.Marshal(fuzzJWKS))) + `}}`},
	} {
		if resp, body := srv.Do(f, s.method, s.path, []byte(s.body), nil, true); resp.StatusCode != 201 {
			f.Fatalf("%s %s = %d %s", s.method, s.path, resp.StatusCode, body)
		}
	}
	return srv
}

// checkWrite sends one write and checks the answer and what the server
// holds afterwards.
func checkWrite(t *testing.T, srv *testenv.Server, known map[string]bool, o fuzzOp, fresh string, body []byte) {
	t.Helper()
	path := strings.ReplaceAll(o.path, "{id}", fresh)
	for _, need := range o.needs {
		p, b := "/v3/OS-FEDERATION/identity_providers/"+fresh, `{"identity_provider":{}}`
		if need == "protocol" {
			p, b = p+"/protocols/saml", `{"protocol":{"mapping_id":"fz-map"}}`
		}
		if resp, answer := srv.Do(t, "PUT", p, []byte(b), nil, true); resp.StatusCode != 201 {
			t.Fatalf("PUT %s = %d %s", p, resp.StatusCode, answer)
		}
	}
	before := map[string]any{}
	if !o.create {
		before = readBack(t, srv, path)
	}
	resp, answer := srv.Do(t, o.method, path, body, nil, true)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s %q = %d %s", o.method, path, body, resp.StatusCode, answer)
	}
	var doc map[string]any
	if err := json.Unmarshal(answer, &doc); err != nil {
		t.Fatalf("%s %s %q = %d, not a JSON object: %s", o.method, path, body, resp.StatusCode, answer)
	}
	if resp.StatusCode >= 400 {
		checkEnvelope(t, known, resp.StatusCode, doc, answer)
		if o.create {
			if code, b := status(t, srv, path); code != 404 {
				t.Fatalf("refused %s %s left %d %s", o.method, path, code, b)
			}
		} else if after := readBack(t, srv, path); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("refused %s %s changed the object:\n%v\n%v", o.method, path, before, after)
		}
		return
	}
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		t.Fatalf("%s %s = %d %s", o.method, path, resp.StatusCode, answer)
	}
	got := readBack(t, srv, path)
	if _, isMessage := doc["message"]; !isMessage && fmt.Sprint(got) != fmt.Sprint(doc) {
		t.Fatalf("%s %s answered %s, reads back %v", o.method, path, answer, got)
	}
}

func status(t *testing.T, srv *testenv.Server, path string) (int, []byte) {
	t.Helper()
	resp, b := srv.Do(t, "GET", path, nil, nil, true)
	return resp.StatusCode, b
}

func readBack(t *testing.T, srv *testenv.Server, path string) map[string]any {
	t.Helper()
	resp, b := srv.Do(t, "GET", path, nil, nil, true)
	var m map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(b, &m) != nil {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
	}
	return m
}

// checkEnvelope fails unless doc is the surface's error envelope for status.
func checkEnvelope(t *testing.T, known map[string]bool, status int, doc map[string]any, raw []byte) {
	t.Helper()
	code, _ := doc["error_code"].(string)
	msg, _ := doc["error_msg"].(string)
	ks, _ := doc["error"].(map[string]any)
	if !known[code] || msg == "" || ks == nil || ks["code"] != float64(status) || ks["message"] != msg {
		t.Fatalf("%d is not the surface's envelope: %s", status, raw)
	}
}
