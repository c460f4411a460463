package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	uriA = "/iam/agencies/iam::0123456789abcdef:agency:IdentityCenter_A"
	uriB = "/iam/agencies/iam::0123456789abcdef:agency:IdentityCenter_B"
	// huaweiAgencyPolicy is the custom policy Huawei's delegated-party guide
	// gives (iam_01_0063), for agency A.
	huaweiAgencyPolicy = `{"Version":"1.1","Statement":[{"Action":["iam:agencies:assume"],"Resource":{"uri":["` + uriA + `"]},"Effect":"Allow"}]}`
)

// assumeReq is a request to obtain the token of the agency uri names, by
// the action Huawei's system role uses with the delegated-party guide's
// name as an alternate.
func assumeReq(uri string) Request {
	return Request{Action: "iam:tokens:assume", Alternates: []string{"iam:agencies:assume"}, ResourceURI: uri, Ctx: &baseCtx}
}

func TestResourceURIParse(t *testing.T) {
	doc, err := Parse([]byte(huaweiAgencyPolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{Version: "1.1", Statement: []Statement{{Effect: "Allow", Action: []string{"iam:agencies:assume"}, ResourceURI: []string{uriA}}}}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("Parse = %+v, want %+v", doc, want)
	}
	// The canonical form keeps the object form, and plain encoding/json
	// reads it back.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["` + uriA + `"]}}]}`
	if string(b) != wantJSON {
		t.Errorf("canonical JSON\n got %s\nwant %s", b, wantJSON)
	}
	if doc2, err := Parse(b); err != nil || !reflect.DeepEqual(doc, doc2) {
		t.Errorf("re-parse = %+v, %v", doc2, err)
	}
	var plain Document
	if err := json.Unmarshal(b, &plain); err != nil || !reflect.DeepEqual(&plain, doc) {
		t.Errorf("json.Unmarshal = %+v, %v", plain, err)
	}
	// A Resource list is unchanged by the custom encoding.
	list := `{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["obs:*:*"],"Resource":["obs:*:*:bucket:b"]}]}`
	var ld Document
	if err := json.Unmarshal([]byte(list), &ld); err != nil || len(ld.Statement[0].Resource) != 1 || ld.Statement[0].ResourceURI != nil {
		t.Errorf("json.Unmarshal of a Resource list = %+v, %v", ld, err)
	}
	if b, _ := json.Marshal(ld); string(b) != list {
		t.Errorf("Marshal of a Resource list = %s", b)
	}

	for _, d := range []string{
		`{"Version":"1.0","Statement":[{"Effect":"Deny","Action":["iam:*:*"],"Resource":{"uri":"/iam/agencies/*"}}]}`,
		v11(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/b36b1258b5dc41a4aa8255508?x*","` + uriB + `"]}}`),
		v11(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/` + strings.Repeat("a", 114) + `"]}}`),
	} {
		if _, err := Parse([]byte(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

func TestResourceURIParseErrors(t *testing.T) {
	stmt := func(resource string) string {
		return v11(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":` + resource + `}`)
	}
	for _, tc := range []struct{ name, doc, path, reason string }{
		{"in 5.0", v5(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["` + uriA + `"]}}`), "Statement[0].Resource", "version 1.x"},
		{"no uri", stmt(`{}`), "Statement[0].Resource.uri", "required"},
		{"other key", stmt(`{"uri":["` + uriA + `"],"urn":["x"]}`), "Statement[0].Resource.urn", "only \"uri\""},
		{"empty list", stmt(`{"uri":[]}`), "Statement[0].Resource.uri", "must not be empty"},
		{"not strings", stmt(`{"uri":[1]}`), "Statement[0].Resource.uri[0]", "must be a string"},
		{"empty uri", stmt(`{"uri":[""]}`), "Statement[0].Resource.uri[0]", "must not be empty"},
		{"other path", stmt(`{"uri":["/iam/users/u-1"]}`), "Statement[0].Resource.uri[0]", "/iam/agencies/<agency id>"},
		{"no id", stmt(`{"uri":["` + uriA + `","/iam/agencies/"]}`), "Statement[0].Resource.uri[1]", "/iam/agencies/<agency id>"},
		{"prefix case", stmt(`{"uri":["/IAM/agencies/x"]}`), "Statement[0].Resource.uri[0]", "/iam/agencies/<agency id>"},
		{"slash in id", stmt(`{"uri":["/iam/agencies/a/b"]}`), "Statement[0].Resource.uri[0]", "/iam/agencies/<agency id>"},
		{"too long", stmt(`{"uri":["/iam/agencies/` + strings.Repeat("é", 115) + `"]}`), "Statement[0].Resource.uri[0]", "129 characters, limit is 128"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Path != tc.path || !strings.Contains(pe.Reason, tc.reason) {
				t.Fatalf("Parse = %v, want path %q reason containing %q", err, tc.path, tc.reason)
			}
		})
	}
	for i, d := range []*Document{
		{Version: "5.0", Statement: []Statement{{Effect: "Allow", Action: []string{"*"}, ResourceURI: []string{uriA}}}},
		{Version: "1.1", Statement: []Statement{{Effect: "Allow", Action: []string{"*"}, ResourceURI: []string{uriA}, Resource: []string{"*"}}}},
		{Version: "1.1", Statement: []Statement{{Effect: "Allow", Action: []string{"*"}, ResourceURI: []string{}}}},
	} {
		if _, err := Compile(d); err == nil {
			t.Errorf("Compile case %d accepted", i)
		}
	}
}

func TestResourceURIEvaluate(t *testing.T) {
	agentOperator := v11(`{"Effect":"Allow","Action":["iam:tokens:assume"]}`)
	runEvalCases(t, []evalCase{
		{"allowed on its agency", []string{huaweiAgencyPolicy}, assumeReq(uriA), EffectAllow},
		{"not on another", []string{huaweiAgencyPolicy}, assumeReq(uriB), EffectImplicitDeny},
		{"not without a URI", []string{huaweiAgencyPolicy}, assumeReq(""), EffectImplicitDeny},
		{"not for another action", []string{huaweiAgencyPolicy}, Request{Action: "iam:agencies:assume", Resource: uriA}, EffectImplicitDeny},
		{"URIs are case-sensitive", []string{huaweiAgencyPolicy}, assumeReq(strings.ToUpper(uriA)), EffectImplicitDeny},
		{"wildcard id", []string{v11(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/*_B"]}}`)}, assumeReq(uriB), EffectAllow},
		{"the primary name scoped too", []string{v11(`{"Effect":"Allow","Action":["iam:tokens:assume"],"Resource":{"uri":["` + uriB + `"]}}`)}, assumeReq(uriA), EffectImplicitDeny},
		{"no Resource: every agency", []string{v11(`{"Effect":"Allow","Action":["iam:agencies:assume"]}`)}, assumeReq(uriB), EffectAllow},
		{"a Resource list sees no URI", []string{v11(`{"Effect":"Allow","Action":["iam:agencies:assume"],"Resource":["` + uriA + `"]}`)}, assumeReq(uriA), EffectImplicitDeny},
		{"Agent Operator: every agency", []string{agentOperator}, assumeReq(uriB), EffectAllow},
		{"Deny on the agency beats Agent Operator", []string{agentOperator,
			v11(`{"Effect":"Deny","Action":["iam:agencies:assume"],"Resource":{"uri":["` + uriA + `"]}}`)}, assumeReq(uriA), EffectDeny},
		{"that Deny leaves the other agency", []string{agentOperator,
			v11(`{"Effect":"Deny","Action":["iam:agencies:assume"],"Resource":{"uri":["` + uriA + `"]}}`)}, assumeReq(uriB), EffectAllow},
		{"Deny of the primary name beats the URI Allow", []string{huaweiAgencyPolicy, v11(`{"Effect":"Deny","Action":["iam:tokens:assume"]}`)}, assumeReq(uriA), EffectDeny},
		{"Deny iam:*:* on the URI", []string{huaweiAgencyPolicy, v11(`{"Effect":"Deny","Action":["iam:*:*"],"Resource":{"uri":["/iam/agencies/*"]}}`)}, assumeReq(uriA), EffectDeny},
		{"a URI Deny does not touch other actions", []string{v5(allowAll), v11(`{"Effect":"Deny","Action":["*"],"Resource":{"uri":["/iam/agencies/*"]}}`)},
			rq("IdentityCenter:instance:list", &baseCtx), EffectAllow},
	})
}

func TestResourceURIExplain(t *testing.T) {
	ps := compileAll(t, []string{huaweiAgencyPolicy})
	req := assumeReq(uriB)
	e := Explain(ps, &req)
	if e.ResourceURI != uriB || e.Statements[0].Resource.Matched || !strings.Contains(e.Statements[0].Resource.Reason, "resource URI") {
		t.Fatalf("explanation = %+v", e)
	}
	if s := e.String(); !strings.Contains(s, `resource_uri="`+uriB+`"`) || !strings.Contains(s, `[ok] action: action "iam:agencies:assume" matches "iam:agencies:assume"`) {
		t.Errorf("String():\n%s", s)
	}
	req = assumeReq(uriA)
	if e := Explain(ps, &req); !e.Statements[0].Resource.Matched || !e.Statements[0].Decisive {
		t.Errorf("explanation = %+v", e)
	}
}
