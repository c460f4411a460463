package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	ps := compileAll(t, []string{
		v5(`{"Sid":"AllowIAM","Effect":"Allow","Action":["iam:*:*"],"Resource":["*"]}`),
		v5(`{"Sid":"DenyNoMFA","Effect":"Deny","Action":["iam:users:delete"],"Condition":{"BoolIfExists":{"g:MFAPresent":"false"},"StringNotEquals":{"g:UserName":["root","alice"]}}}`),
	})
	req := &Request{Action: "iam:users:delete", Ctx: &Context{UserName: "bob"}}
	e := Explain(ps, req)
	e.SetPolicyNames([]string{"iam-admin", "mfa-guard"})

	if e.Decision.Effect != EffectDeny || e.Decision.Policy != 1 || e.Decision.Sid != "DenyNoMFA" {
		t.Fatalf("decision = %+v", e.Decision)
	}
	if len(e.Statements) != 2 {
		t.Fatalf("got %d statement traces", len(e.Statements))
	}
	deny := e.Statements[1]
	if !deny.Applies || !deny.Decisive || deny.PolicyName != "mfa-guard" || len(deny.Conditions) != 2 {
		t.Fatalf("deny trace = %+v", deny)
	}
	mfa := deny.Conditions[0]
	if mfa.Operator != "BoolIfExists" || mfa.Present || !mfa.Matched || !strings.Contains(mfa.Reason, "IfExists") {
		t.Errorf("MFA condition trace = %+v", mfa)
	}
	user := deny.Conditions[1]
	if user.Key != "g:UserName" || len(user.RequestValues) != 1 || user.RequestValues[0] != "bob" || !user.Matched {
		t.Errorf("user condition trace = %+v", user)
	}
	if e.Statements[0].Decisive || !e.Statements[0].Applies {
		t.Errorf("allow trace = %+v", e.Statements[0])
	}

	s := e.String()
	for _, want := range []string{
		`Decision: Deny by policy 1 statement 0 (Sid "DenyNoMFA")`,
		`policy 1 (mfa-guard) statement 0 (Sid "DenyNoMFA") Deny: APPLIES (decisive)`,
		`[ok] condition StringNotEquals g:UserName: policy ["root", "alice"], request ["bob"]`,
		`[ok] action: action "iam:users:delete" matches "iam:*:*"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
	b, err := json.Marshal(e)
	if err != nil || !strings.Contains(string(b), `"request_values":["bob"]`) {
		t.Errorf("JSON = %s, %v", b, err)
	}

	// With MFA the Deny no longer applies and the Allow decides.
	req.Ctx.MFAPresent = BoolTrue
	e = Explain(ps, req)
	if e.Decision.Effect != EffectAllow || !e.Statements[0].Decisive || e.Statements[1].ConditionsMatched {
		t.Errorf("with MFA: %s", e)
	}
	if !strings.Contains(e.String(), "[no] condition BoolIfExists g:MFAPresent") {
		t.Errorf("String() should show the failed condition:\n%s", e)
	}
}
