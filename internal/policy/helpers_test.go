package policy

import (
	"strings"
	"testing"
)

// v5 wraps statement JSON objects into a version 5.0 document.
func v5(stmts ...string) string {
	return `{"Version":"5.0","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// v11 wraps statement JSON objects into a version 1.1 document.
func v11(stmts ...string) string {
	return `{"Version":"1.1","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func mustCompile(t testing.TB, doc string) *Compiled {
	t.Helper()
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	c, err := Compile(d)
	if err != nil {
		t.Fatalf("Compile(%s): %v", doc, err)
	}
	return c
}

func compileAll(t testing.TB, docs []string) []*Compiled {
	t.Helper()
	out := make([]*Compiled, len(docs))
	for i, d := range docs {
		out[i] = mustCompile(t, d)
	}
	return out
}

// evalCase is one row of an evaluation table.
type evalCase struct {
	name     string
	policies []string
	req      Request
	want     string // EffectAllow, EffectDeny or EffectImplicitDeny
}

// runEvalCases checks each case's effect, that Explain agrees with
// Evaluate, and that Evaluate does not allocate.
func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := compileAll(t, tc.policies)
			req := tc.req
			got := Evaluate(ps, &req)
			if got.Effect != tc.want {
				t.Fatalf("Evaluate = %+v, want effect %s\n%s", got, tc.want, Explain(ps, &req))
			}
			if got.Allowed != (tc.want == EffectAllow) {
				t.Errorf("Allowed = %v with effect %s", got.Allowed, got.Effect)
			}
			if (got.Policy < 0) != (tc.want == EffectImplicitDeny) || (got.Statement < 0) != (got.Policy < 0) {
				t.Errorf("indices %d/%d inconsistent with effect %s", got.Policy, got.Statement, got.Effect)
			}
			if ex := Explain(ps, &req); ex.Decision != got {
				t.Errorf("Explain decision %+v != Evaluate %+v", ex.Decision, got)
			}
			if n := testing.AllocsPerRun(20, func() { Evaluate(ps, &req) }); n != 0 {
				t.Errorf("Evaluate allocated %v times", n)
			}
		})
	}
}
