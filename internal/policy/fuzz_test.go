package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		v5(allowAll),
		v11(`{"Effect":"Deny","Action":"obs:bucket:DeleteBucket","Resource":["obs:*:*:bucket:*"]}`),
		`{"Version":"1.0","Statement":[{"Effect":"Allow","Action":["*"]}],"Depends":[{"catalog":"BASE","n":[1.0,true,null,{"x":"<&>"}]}]}`,
		v5(`{"Sid":"s","Effect":"Allow","NotAction":["iam:*"],"NotResource":"x:y","Condition":{"ForAnyValue:StringLikeIfExists":{"g:TagKeys":["a*"]},"Bool":{"g:MFAPresent":true}}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"NumericLessThan":{"svc:n":[1e3,-2.5]},"DateGreaterThan":{"g:CurrentTime":1700000000},"IpAddress":{"g:SourceIp":["10.0.0.0/8","::1"]},"Null":{"g:UserName":"false"}}}`),
		v5(`{"Effect":"Allow","Action":["*"],"Condition":{"StringEquals":{"g:PrincipalTag/é":"\u00e9\ud800"}}}`),
		`{"Version":"1.1","Statement":[{"Action":["iam:agencies:assume"],"Resource":{"uri":["/iam/agencies/b36b1258b5dc41a4aa8255508*"]},"Effect":"Deny"}]}`,
		`{"Version":"1.0","Statement":[{"Effect":"Allow","Action":"*","Resource":{"uri":"/iam/agencies/x","urn":1}}]}`,
		`{"Version":"5.0","Statement":[]}`,
		`{"Version":"5.0","Version":"5.0"}`,
		`[1,2`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := Parse(raw)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if errors.Is(err, ErrTooLarge) != (utf8.RuneCount(raw) > MaxDocumentChars) {
				t.Fatalf("ErrTooLarge mismatch for %d characters: %v", utf8.RuneCount(raw), err)
			}
			return
		}
		if _, err := Compile(doc); err != nil {
			t.Fatalf("Compile after successful Parse: %v", err)
		}
		canon, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		doc2, err := Parse(canon)
		if errors.Is(err, ErrTooLarge) {
			return // escaping can legitimately push the canonical form over the limit
		}
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", canon, err)
		}
		if !reflect.DeepEqual(doc, doc2) {
			t.Fatalf("round trip changed the document:\n%#v\n%#v", doc, doc2)
		}
		canon2, err := json.Marshal(doc2)
		if err != nil || string(canon2) != string(canon) {
			t.Fatalf("canonical form not stable:\n%s\n%s", canon, canon2)
		}
		// The compiled policy must evaluate without panicking.
		c, _ := Compile(doc2)
		Evaluate([]*Compiled{c}, &Request{Action: "a:b:c", Resource: "x:y", ResourceURI: "/iam/agencies/x", Ctx: &baseCtx})
		_ = Explain([]*Compiled{c}, &Request{Action: "a:b:c"}).String()
	})
}
