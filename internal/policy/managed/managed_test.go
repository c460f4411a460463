package managed

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/policy"
)

// Every id ever published keeps its name's policy: ids are stable.
func TestIDsAreStable(t *testing.T) {
	f, err := os.Open("testdata/ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, name, _ := strings.Cut(line, " ")
		p, err := ByID(id)
		if err != nil {
			t.Errorf("published id %s (%s) is gone", id, name)
			continue
		}
		if p.Name != name {
			t.Errorf("id %s: name %q, published as %q", id, p.Name, name)
		}
		n++
	}
	if n != len(All()) {
		t.Errorf("testdata/ids.txt pins %d ids, the catalog has %d: append the new ones", n, len(All()))
	}
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"IdentityCenter FullAccess", "IdentityCenter ReadOnlyAccess", "IdentityCenter AccountAssignmentAccess",
		"IdentityStore FullAccess", "IdentityStore ReadOnlyAccess", "Tenant Administrator", "Tenant Guest",
		"ECS FullAccess", "ECS ReadOnlyAccess", "OBS Administrator", "OBS ReadOnlyAccess", "VPC FullAccess", "EVS ReadOnlyAccess",
		"RDS FullAccess", "RDS ReadOnlyAccess", "IAM ReadOnlyAccess", "Security Administrator", "Agent Operator"} {
		p, err := ByName(strings.ToUpper(name))
		if err != nil {
			t.Fatalf("ByName(%q): %v", name, err)
		}
		if q, err := ByID(p.ID); err != nil || q != p || Lookup(p.ID) != p {
			t.Fatalf("ByID(%s) = %v, %v", p.ID, q, err)
		}
		if !IsID(p.ID) || p.Compiled == nil || p.Description == "" {
			t.Fatalf("%s: incomplete entry %+v", name, p)
		}
	}
	if _, err := ByID("00000000000000000000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := ByName("No Such Policy"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown name: %v", err)
	}
	if Lookup("nope") != nil || IsID("ABCDEF00000000000000000000000000") || IsID("abc") {
		t.Fatal("IsID/Lookup accept bad ids")
	}
}

func TestCatalogDocuments(t *testing.T) {
	for _, p := range All() {
		if _, err := policy.Parse(p.Document); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if p.Type != TypeIdentityPolicy && p.Type != TypeRole {
			t.Errorf("%s: type %q", p.Name, p.Type)
		}
	}
	ro, _ := ByName("ECS ReadOnlyAccess")
	full, _ := ByName("ECS FullAccess")
	for _, c := range []struct {
		p      *Policy
		action string
		want   bool
	}{
		{ro, "ecs:cloudServers:list", true}, {ro, "ecs:cloudServers:create", false},
		{full, "ecs:cloudServers:create", true}, {full, "obs:bucket:CreateBucket", false},
	} {
		if got := policy.Evaluate([]*policy.Compiled{c.p.Compiled}, &policy.Request{Action: c.action}).Allowed; got != c.want {
			t.Errorf("%s %s = %v", c.p.Name, c.action, got)
		}
	}
	guest, _ := ByName("Tenant Guest")
	if d := policy.Evaluate([]*policy.Compiled{guest.Compiled}, &policy.Request{Action: "iam:users:list"}); d.Effect != policy.EffectDeny {
		t.Errorf("Tenant Guest on IAM: %+v", d)
	}
}

func TestLoadRejectsBadCatalogs(t *testing.T) {
	good := `{"id":"0123456789abcdef0123456789abcdef","name":"X","type":"role","service":"S","description":"d","document":{"Version":"1.1","Statement":[{"Effect":"Allow","Action":["a:b:c"]}]}}`
	if _, err := load([]byte("[" + good + "]")); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]string{
		"duplicate":     "[" + good + "," + good + "]",
		"bad id":        strings.Replace(good, "0123456789abcdef0123456789abcdef", "xyz", 1),
		"type mismatch": strings.Replace(good, `"role"`, `"identity-policy"`, 1),
		"bad document":  strings.Replace(good, `"a:b:c"`, `"a:b:c:d"`, 1),
		"unknown field": strings.Replace(good, `"name"`, `"extra":1,"name"`, 1),
	} {
		if !strings.HasPrefix(bad, "[") {
			bad = "[" + bad + "]"
		}
		if _, err := load(bytes.NewBufferString(bad).Bytes()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
