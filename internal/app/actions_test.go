package app_test

import (
	"context"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/managed"
)

// expectedCoverage says, for each managed policy that grants anything on
// our own surfaces, which actions it must allow; every other managed policy
// (the member-account services: ECS, OBS, ...) must allow none of them.
var expectedCoverage = map[string]func(service, resource, verb string, read bool) bool{
	"IdentityCenter FullAccess": func(s, _, _ string, _ bool) bool { return s == "identitycenter" || s == "identitystore" },
	"IdentityCenter ReadOnlyAccess": func(s, _, _ string, read bool) bool {
		return read && (s == "identitycenter" || s == "identitystore")
	},
	"IdentityCenter AccountAssignmentAccess": func(s, res, _ string, read bool) bool {
		return read && (s == "identitycenter" || s == "identitystore") ||
			s == "identitycenter" && strings.HasPrefix(res, "accountAssignment")
	},
	"IdentityStore FullAccess":     func(s, _, _ string, _ bool) bool { return s == "identitystore" },
	"IdentityStore ReadOnlyAccess": func(s, _, _ string, read bool) bool { return read && s == "identitystore" },
	"FullAccess":                   func(string, string, string, bool) bool { return true },
	"ReadOnlyAccess":               func(_, _, _ string, read bool) bool { return read },
	"Tenant Administrator":         func(s, _, _ string, _ bool) bool { return s != "iam" && s != "iic" },
	"Tenant Guest":                 func(s, _, _ string, read bool) bool { return read && s != "iam" && s != "iic" },
	"Security Administrator":       func(s, _, _ string, _ bool) bool { return s == "iam" },
	"IAM ReadOnlyAccess":           func(s, _, _ string, read bool) bool { return read && s == "iam" },
}

var pathVar = regexp.MustCompile(`\{([^}]+)\}`)

// TestActionCatalog walks every operation the real handler serves and
// checks its action name, its resource and which managed policies allow it.
func TestActionCatalog(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LogOutput: io.Discard, LogLevel: "error"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ops := a.Ops()
	if len(ops) < 15 {
		t.Fatalf("only %d operations mounted", len(ops))
	}
	for name := range expectedCoverage {
		if _, err := managed.ByName(name); err != nil {
			t.Fatalf("expected-coverage table names %q: %v", name, err)
		}
	}
	principal := &authz.Principal{Kind: authz.KindScoped, AccountID: "0123456789abcdef0123456789abcdef", AccessKey: "AKTEST"}
	byAction := map[string]string{}
	byPattern := map[string]bool{}
	for _, op := range ops {
		service, resType, verb, ok := authz.SplitAction(op.Action)
		if !ok {
			t.Errorf("%s: action %q is not service:resource:verb (lowercase service, camelCase resource and verb)", op.Pattern, op.Action)
			continue
		}
		if prev, dup := byAction[op.Action]; dup {
			t.Errorf("action %q is used by %s and %s", op.Action, prev, op.Pattern)
		}
		byAction[op.Action] = op.Pattern
		if byPattern[op.Pattern] {
			t.Errorf("pattern %s mounted twice", op.Pattern)
		}
		byPattern[op.Pattern] = true
		if op.Resource == nil {
			t.Errorf("%s (%s): no resource", op.Pattern, op.Action)
			continue
		}
		method, path, _ := strings.Cut(op.Pattern, " ")
		r := httptest.NewRequest(method, pathVar.ReplaceAllString(path, "x"), nil)
		for _, m := range pathVar.FindAllStringSubmatch(path, -1) {
			r.SetPathValue(strings.TrimSuffix(m[1], "..."), "v-"+m[1])
		}
		resource := op.Resource(r, principal)
		if svc, _, _ := strings.Cut(resource, ":"); !strings.EqualFold(svc, service) {
			t.Errorf("%s (%s): resource %q is not in service %s", op.Pattern, op.Action, resource, service)
		}
		if !strings.Contains(resource, ":"+principal.AccountID+":") {
			t.Errorf("%s (%s): resource %q does not name the caller's account", op.Pattern, op.Action, resource)
		}
		read := authz.IsReadVerb(verb)
		if read != (method == "GET" || method == "HEAD") && !(method == "POST" && read) {
			// A GET must be a read; a POST may be a read (e.g. a search
			// with a body), never the reverse.
			t.Errorf("%s: action %q is a %s by the read-verb convention", op.Pattern, op.Action, map[bool]string{true: "read", false: "write"}[read])
		}
		req := &policy.Request{Action: op.Action, Resource: resource}
		for _, mp := range managed.All() {
			want := false
			if f := expectedCoverage[mp.Name]; f != nil {
				want = f(service, resType, verb, read)
			}
			if got := policy.Evaluate([]*policy.Compiled{mp.Compiled}, req).Allowed; got != want {
				t.Errorf("%s (%s on %s): managed policy %q allows=%v, want %v", op.Pattern, op.Action, resource, mp.Name, got, want)
			}
		}

		// The live authorizer: a key bound to IdentityCenter ReadOnlyAccess
		// may do exactly the identity-center and identity-store reads, plus
		// the discovery look-ups.
		ro, _ := managed.ByName("IdentityCenter ReadOnlyAccess")
		p := *principal
		p.PolicyIDs = []string{ro.ID}
		err := authz.NewPolicies(a.Store).Authorize(context.Background(), &p, &authz.Request{Action: op.Action, Resource: resource, Time: time.Now()})
		wantAllowed := authz.AlwaysAllowed(op.Action) || read && (service == "identitycenter" || service == "identitystore")
		if (err == nil) != wantAllowed {
			t.Errorf("%s: read-only key: Authorize = %v, want allowed=%v", op.Action, err, wantAllowed)
		}
		t.Logf("%-7s %-70s %-40s read=%v", method, path, op.Action, read)
	}
	for _, must := range []string{"identitycenter:instances:list", "identitycenter:region:register", "iam:projects:list", "iic:accessKey:create"} {
		if byAction[must] == "" {
			t.Errorf("operation %s is not mounted", must)
		}
	}
}
