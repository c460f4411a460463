package sim

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/policy"
)

func TestSimulate(t *testing.T) {
	ps, names, err := Compile([]Input{
		{Name: "allow", Document: []byte(`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["identitycenter:*"]}]}`)},
		{Name: "deny", Document: []byte(`{"Version":"5.0","Statement":[{"Sid":"Office","Effect":"Deny","Action":["*"],"Condition":{"NotIpAddress":{"g:SourceIp":["10.0.0.0/8"]}}}]}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := ParseAssignments([]string{"g:SourceIp=192.168.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := ParseContext(kv)
	if err != nil {
		t.Fatal(err)
	}
	r := Simulate(ps, names, "identitycenter:instances:list", "", ctx)
	if r.Allowed || r.Effect != policy.EffectDeny || r.Deciding == nil || r.Deciding.PolicyName != "deny" || r.Deciding.Sid != "Office" {
		t.Fatalf("result %+v", r)
	}
	out := r.String()
	for _, want := range []string{"Decision: Deny", `Decided by: policy 1 (deny) statement 0 (Sid "Office")`, `"NotIpAddress"`, "Explanation:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ctx.SourceIP = netip.MustParseAddr("10.1.1.1")
	if r := Simulate(ps, names, "identitycenter:instances:list", "", ctx); !r.Allowed || r.Deciding.PolicyName != "allow" {
		t.Fatalf("inside the office: %+v", r)
	}
	if r := Simulate(ps, names, "iam:users:list", "", ctx); r.Allowed || r.Deciding != nil || !strings.Contains(r.String(), "implicit deny") {
		t.Fatalf("implicit deny: %+v", r)
	}
}

func TestCompileErrorsNamePolicyAndPath(t *testing.T) {
	_, _, err := Compile([]Input{{Name: "f.json", Document: []byte(`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["a:b:c:d"]}]}`)}})
	if err == nil || !strings.Contains(err.Error(), "f.json: Statement[0].Action[0]") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = Compile([]Input{{Document: []byte(strings.Repeat(" ", 7000) + "{}")}})
	if !errors.Is(err, policy.ErrTooLarge) || !strings.Contains(err.Error(), "policy 0") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseContext(t *testing.T) {
	c, err := ParseContext(map[string][]string{
		"g:UserName": {"alice"}, "g:sourceip": {"::ffff:10.0.0.1"}, "g:CurrentTime": {"2026-01-02T03:04:05Z"},
		"g:MFAPresent": {"true"}, "g:SecureTransport": {"false"}, "g:TagKeys": {"a", "b"}, "g:PrincipalTag/Team": {"blue"},
		"obs:prefix": {"x/", "y/"}, "g:DomainId": {"d"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.UserName != "alice" || c.SourceIP != netip.MustParseAddr("10.0.0.1") || !c.CurrentTime.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) ||
		c.MFAPresent != policy.BoolTrue || c.SecureTransport != policy.BoolFalse || len(c.TagKeys) != 2 || c.DomainID != "d" ||
		len(c.PrincipalTags) != 1 || c.PrincipalTags[0] != (policy.Tag{Key: "Team", Value: "blue"}) ||
		len(c.Extra) != 1 || c.Extra[0].Key != "obs:prefix" || len(c.Extra[0].Values) != 2 {
		t.Fatalf("context %+v", c)
	}
	if c, err := ParseContext(map[string][]string{"g:EpochTime": {"100"}}); err != nil || c.CurrentTime.Unix() != 100 {
		t.Fatalf("epoch: %+v %v", c, err)
	}
	for name, kv := range map[string]map[string][]string{
		"bad ip":        {"g:SourceIp": {"x"}},
		"two ips":       {"g:SourceIp": {"1.1.1.1", "2.2.2.2"}},
		"bad time":      {"g:CurrentTime": {"yesterday"}},
		"two clocks":    {"g:CurrentTime": {"2026-01-02T03:04:05Z"}, "g:EpochTime": {"1"}},
		"bad bool":      {"g:MFAPresent": {"yes"}},
		"no service":    {"SourceIp": {"1.1.1.1"}},
		"two usernames": {"g:UserName": {"a", "b"}},
	} {
		if _, err := ParseContext(kv); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseAssignments([]string{"novalue"}); err == nil {
		t.Error("assignment without = accepted")
	}
}
