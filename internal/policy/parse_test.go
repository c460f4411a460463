package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, path, reason string // reason: substring of ParseError.Reason
	}{
		{"not JSON", `{`, "", "invalid JSON"},
		{"trailing data", v5(allowAll) + `{}`, "", "trailing data"},
		{"not an object", `[]`, "", "must be a JSON object"},
		{"missing version", `{"Statement":[` + allowAll + `]}`, "Version", "required"},
		{"version type", `{"Version":5,"Statement":[]}`, "Version", "must be a string"},
		{"unknown version", `{"Version":"2012-10-17","Statement":[` + allowAll + `]}`, "Version", "unsupported version"},
		{"unknown top-level key", `{"Version":"5.0","Statement":[` + allowAll + `],"Id":"x"}`, "Id", "unknown key"},
		{"Depends in 5.0", `{"Version":"5.0","Statement":[` + allowAll + `],"Depends":[]}`, "Depends", "unknown key"},
		{"Depends not objects", `{"Version":"1.1","Statement":[` + allowAll + `],"Depends":[1]}`, "Depends[0]", "must be an object"},
		{"missing statement", `{"Version":"5.0"}`, "Statement", "required"},
		{"statement not array", `{"Version":"5.0","Statement":{}}`, "Statement", "must be an array"},
		{"empty statement", `{"Version":"5.0","Statement":[]}`, "Statement", "at least one statement"},
		{"statement not object", v5(allowAll, `"x"`), "Statement[1]", "must be an object"},
		{"duplicated top key", `{"Version":"5.0","Version":"5.0","Statement":[` + allowAll + `]}`, "Version", "duplicated key"},
		{"duplicated statement key", v5(`{"Effect":"Allow","Effect":"Deny","Action":["*"]}`), "Statement[0].Effect", "duplicated key"},
		{"unknown statement key", v5(`{"Effect":"Allow","Action":["*"],"Principal":"*"}`), "Statement[0].Principal", "unknown statement key"},
		{"Sid in 1.1", v11(`{"Sid":"x","Effect":"Allow","Action":["*"]}`), "Statement[0].Sid", "version 1.x"},
		{"NotAction in 1.1", v11(`{"Effect":"Allow","NotAction":["*"]}`), "Statement[0].NotAction", "version 1.x"},
		{"missing effect", v5(`{"Action":["*"]}`), "Statement[0].Effect", "required"},
		{"bad effect", v5(`{"Effect":"allow","Action":["*"]}`), "Statement[0].Effect", "must be \"Allow\" or \"Deny\""},
		{"effect type", v5(`{"Effect":true,"Action":["*"]}`), "Statement[0].Effect", "must be a string"},
		{"missing action", v5(`{"Effect":"Allow"}`), "Statement[0].Action", "required"},
		{"action and notaction", v5(`{"Effect":"Allow","Action":["*"],"NotAction":["a:b:c"]}`), "Statement[0]", "mutually exclusive"},
		{"empty action list", v5(`{"Effect":"Allow","Action":[]}`), "Statement[0].Action", "must not be empty"},
		{"action element type", v5(`{"Effect":"Allow","Action":["a:b:c",3]}`), "Statement[0].Action[1]", "must be a string"},
		{"action type", v5(`{"Effect":"Allow","Action":{}}`), "Statement[0].Action", "string or an array"},
		{"action two parts", v5(allowAll, allowAll, `{"Effect":"Allow","Action":["a:b:c","iam:users"]}`), "Statement[2].Action[1]", "service:resource:verb"},
		{"action four parts", v5(`{"Effect":"Allow","Action":["a:b:c:d"]}`), "Statement[0].Action[0]", "service:resource:verb"},
		{"action empty part", v5(`{"Effect":"Allow","Action":["a::c"]}`), "Statement[0].Action[0]", "empty part"},
		{"action bad char", v5(`{"Effect":"Allow","Action":["a:b c:d"]}`), "Statement[0].Action[0]", "invalid character"},
		{"notaction bad", v5(`{"Effect":"Allow","NotAction":["iam"]}`), "Statement[0].NotAction[0]", "service:resource:verb"},
		{"empty resource list", v5(`{"Effect":"Allow","Action":["*"],"Resource":[]}`), "Statement[0].Resource", "must not be empty"},
		{"empty resource", v5(`{"Effect":"Allow","Action":["*"],"Resource":[""]}`), "Statement[0].Resource[0]", "must not be empty"},
		{"resource and notresource", v5(`{"Effect":"Allow","Action":["*"],"Resource":["*"],"NotResource":["x:y"]}`), "Statement[0]", "mutually exclusive"},
		{"condition type", v5(`{"Effect":"Allow","Action":["*"],"Condition":[]}`), "Statement[0].Condition", "must be an object"},
		{"unknown operator", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEqualz":{"g:UserName":"a"}}}`), "Statement[0].Condition.StringEqualz", "unknown condition operator"},
		{"operator case", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"stringequals":{"g:UserName":"a"}}}`), "Statement[0].Condition.stringequals", "unknown condition operator"},
		{"Null IfExists", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"NullIfExists":{"g:UserName":"true"}}}`), "Statement[0].Condition.NullIfExists", "Null operator"},
		{"Null qualified", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"ForAnyValue:Null":{"g:UserName":"true"}}}`), "Statement[0].Condition.ForAnyValue:Null", "Null operator"},
		{"empty operator", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{}}}`), "Statement[0].Condition.StringEquals", "at least one condition key"},
		{"key without prefix", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"UserName":"a"}}}`), "Statement[0].Condition.StringEquals.UserName", "<service>:<key>"},
		{"unknown global key", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:Nope":"a"}}}`), "Statement[0].Condition.StringEquals.g:Nope", "unknown global condition key"},
		{"bad service prefix", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"o bs:x":"a"}}}`), "Statement[0].Condition.StringEquals.o bs:x", "invalid service prefix"},
		{"keys differing in case", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:UserName":"a","g:username":"b"}}}`), "Statement[0].Condition.StringEquals.g:username", "case-insensitive"},
		{"value object", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:UserName":{"a":1}}}}`), "Statement[0].Condition.StringEquals.g:UserName", "string, boolean or number"},
		{"value null in array", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:UserName":["a",null]}}}`), "Statement[0].Condition.StringEquals.g:UserName[1]", "string, boolean or number"},
		{"empty values", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:UserName":[]}}}`), "Statement[0].Condition.StringEquals.g:UserName", "at least one value"},
		{"bad number", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"NumericLessThan":{"svc:n":["1","x"]}}}`), "Statement[0].Condition.NumericLessThan.svc:n[1]", "not a number"},
		{"NaN number", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"NumericLessThan":{"svc:n":"NaN"}}}`), "Statement[0].Condition.NumericLessThan.svc:n[0]", "not a number"},
		{"bad date", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"DateLessThan":{"g:CurrentTime":"yesterday"}}}`), "Statement[0].Condition.DateLessThan.g:CurrentTime[0]", "RFC 3339"},
		{"bad bool", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"Bool":{"g:MFAPresent":"yes"}}}`), "Statement[0].Condition.Bool.g:MFAPresent[0]", "not a boolean"},
		{"bad ip", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"IpAddress":{"g:SourceIp":"10.0.0.0/33"}}}`), "Statement[0].Condition.IpAddress.g:SourceIp[0]", "IP address or CIDR"},
		{"string op on ip key", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:SourceIp":"10.0.0.1"}}}`), "Statement[0].Condition.StringEquals.g:SourceIp", "cannot be used"},
		{"numeric op on user name", v5(`{"Effect":"Allow","Action":["*"],"Condition":{"NumericEquals":{"g:UserName":"1"}}}`), "Statement[0].Condition.NumericEquals.g:UserName", "cannot be used"},
		{"bad second statement", v5(allowAll, `{"Effect":"Allow","Action":["*"],"Condition":{"Bool":{"g:MFAPresent":"1"}}}`), "Statement[1].Condition.Bool.g:MFAPresent[0]", "not a boolean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want *ParseError", err)
			}
			if pe.Path != tc.path || !strings.Contains(pe.Reason, tc.reason) {
				t.Errorf("got path %q reason %q, want path %q reason containing %q", pe.Path, pe.Reason, tc.path, tc.reason)
			}
			want := tc.path + ": " + pe.Reason
			if tc.path == "" {
				want = pe.Reason
			}
			if pe.Error() != want {
				t.Errorf("Error() = %q, want %q", pe.Error(), want)
			}
			if errors.Is(err, ErrTooLarge) {
				t.Errorf("unexpected ErrTooLarge")
			}
		})
	}
}

// padded returns a valid document of exactly n characters, padding with
// multi-byte characters in the Sid so that bytes != characters.
func padded(t *testing.T, n int) []byte {
	t.Helper()
	head, tail := `{"Version":"5.0","Statement":[{"Sid":"`, `","Effect":"Allow","Action":["*"]}]}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("n too small")
	}
	return []byte(head + strings.Repeat("é", pad) + tail)
}

func TestParseSizeLimit(t *testing.T) {
	tests := []struct {
		chars   int
		wantErr bool
	}{
		{100, false},
		{MaxDocumentChars, false},
		{MaxDocumentChars + 1, true},
		{3 * MaxDocumentChars, true},
	}
	for _, tc := range tests {
		raw := padded(t, tc.chars)
		_, err := Parse(raw)
		if got := errors.Is(err, ErrTooLarge); got != tc.wantErr {
			t.Errorf("%d characters (%d bytes): err = %v, want ErrTooLarge=%v", tc.chars, len(raw), err, tc.wantErr)
		}
		if !tc.wantErr && err != nil {
			t.Errorf("%d characters: unexpected error %v", tc.chars, err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	docs := []string{
		v5(allowAll),
		v11(`{"Effect":"Allow","Action":"ecs:*:*"}`),
		`{"Version":"1.0","Statement":[{"Effect":"Allow","Action":["*"]}],"Depends":[{"catalog":"BASE","display_name":"x"}]}`,
		v5(`{"Effect":"Allow","Action":["identitycenter:*"],"Resource":"*"}`),
		v5(`{"Effect":"Allow","Action":["iam:*:*","i?m:us*:g?t","*:*:*"]}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"ForAllValues:StringLikeIfExists":{"g:TagKeys":["a*"]},"Null":{"g:PrincipalTag/Team":true}}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:ResourceTag/env":"prod","g:ViaService":"x","iam:AWSServiceName":"y"}}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"DateLessThan":{"g:EpochTime":[1700000000,"2024-01-01T00:00:00.5+08:00"]}}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"IpAddress":{"g:SourceIp":["::1","fe80::/10","1.2.3.4"]}}}`),
	}
	for i, d := range docs {
		if _, err := Parse([]byte(d)); err != nil {
			t.Errorf("doc %d: %v", i, err)
		}
	}
}

func TestParseCanonicalRoundTrip(t *testing.T) {
	raw := `{"Version":"5.0","Statement":[{"Sid":"S","Effect":"Deny","NotAction":"iam:*","NotResource":"obs:*:*:bucket:b",
		"Condition":{"Bool":{"g:MFAPresent":false},"NumericLessThan":{"svc:n":[1.50,2]}}}]}`
	doc, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{Version: "5.0", Statement: []Statement{{
		Sid: "S", Effect: "Deny", NotAction: []string{"iam:*"}, NotResource: []string{"obs:*:*:bucket:b"},
		Condition: Condition{"Bool": {"g:MFAPresent": {"false"}}, "NumericLessThan": {"svc:n": {"1.50", "2"}}},
	}}}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("Parse = %+v, want %+v", doc, want)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"Version":"5.0","Statement":[{"Sid":"S","Effect":"Deny","NotAction":["iam:*"],"NotResource":["obs:*:*:bucket:b"],"Condition":{"Bool":{"g:MFAPresent":["false"]},"NumericLessThan":{"svc:n":["1.50","2"]}}}]}`
	if string(b) != wantJSON {
		t.Errorf("canonical JSON\n got %s\nwant %s", b, wantJSON)
	}
	doc2, err := Parse(b)
	if err != nil || !reflect.DeepEqual(doc, doc2) {
		t.Errorf("re-parse = %+v, %v", doc2, err)
	}
}

func TestCompileRejectsInvalidDocument(t *testing.T) {
	tests := []struct {
		doc  *Document
		path string
	}{
		{nil, ""},
		{&Document{Version: "9"}, "Version"},
		{&Document{Version: "5.0"}, "Statement"},
		{&Document{Version: "1.1", Statement: []Statement{{Effect: "Allow", Action: []string{"*"}, Sid: "x"}}}, "Statement[0]"},
		{&Document{Version: "5.0", Statement: []Statement{{Effect: "Allow", Action: []string{}}}}, "Statement[0].Action"},
		{&Document{Version: "5.0", Statement: []Statement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{}}}}, "Statement[0].Resource"},
	}
	for i, tc := range tests {
		_, err := Compile(tc.doc)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Path != tc.path {
			t.Errorf("case %d: err = %v, want path %q", i, err, tc.path)
		}
	}
}
