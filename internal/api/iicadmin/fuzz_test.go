package iicadmin

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/sim"
)

// FuzzCreatePolicyBody feeds arbitrary bodies through what POST
// /v1/iic/policies does before storing: decode, extract the document text
// (object or string), check it. It must never panic, every rejection must
// be a 400 API error, and whatever is accepted must parse and fit the limit.
func FuzzCreatePolicyBody(f *testing.F) {
	for _, s := range []string{
		`{"policy_name":"p","policy_document":{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["a:b:c"]}]}}`,
		`{"policy_name":"p","policy_document":"{\"Version\":\"1.1\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"*\"]}]}"}`,
		`{"policy_document":"\"nested\""}`, `{"policy_document":[1]}`, `{"policy_document":null}`, `{"policy_document":"{\"a\":1,\"a\":2}"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b createPolicyBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		in, err := b.policyInput()
		if err == nil {
			_, err = accesskeys.CheckDocument("policy_document", in.Document)
			if err == nil {
				if _, perr := policy.Parse(in.Document); perr != nil {
					t.Fatalf("accepted a document Parse rejects: %v", perr)
				}
				if utf8.RuneCount(in.Document) > policy.MaxDocumentChars {
					t.Fatal("accepted an oversized document")
				}
				return
			}
		}
		if e, ok := apierr.From(err); !ok || e.Status() != 400 {
			t.Fatalf("rejection %v is not a 400 API error", err)
		}
	})
}

// FuzzSimulateBody does the same for POST /v1/iic/policies/simulate's
// decoding of policies and context.
func FuzzSimulateBody(f *testing.F) {
	for _, s := range []string{
		`{"policies":[{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["*"]}]}],"action":"a:b:c","context":{"g:SourceIp":"1.2.3.4","g:TagKeys":["a",1,true]}}`,
		`{"context":{"g:MFAPresent":true,"g:EpochTime":5,"x:y":[[1]]}}`, `{"context":{"g:CurrentTime":"2026-01-01T00:00:00Z","g:EpochTime":"3"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b simulateBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		in, err := b.simInput()
		if err != nil {
			if e, ok := apierr.From(err); !ok || e.Status() != 400 {
				t.Fatalf("rejection %v is not a 400 API error", err)
			}
			return
		}
		if c, err := sim.ParseContext(in.Context); err == nil {
			sim.Simulate(nil, nil, in.Action, in.Resource, c)
		}
	})
}
