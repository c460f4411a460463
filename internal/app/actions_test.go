package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/managed"
)

// opInfo is what the expected-coverage rules look at.
type opInfo struct {
	service, resource string // of the documented action
	read              bool   // documented access level List or Read
	readVerb          bool   // some name of it has a read verb (list…, get…): what generic verb-prefix policies match
	action            string
}

// expectedCoverage says, for each managed policy that grants anything on
// our own surfaces, which operations it must allow; every other managed
// policy (the member-account services: ECS, OBS, ...) must allow none.
var expectedCoverage = map[string]func(o opInfo) bool{
	"IdentityCenter FullAccess": func(o opInfo) bool {
		return o.service == "IdentityCenter" || o.action == "iic:region:deregister"
	},
	"IdentityCenter ReadOnlyAccess": func(o opInfo) bool { return o.read && o.service == "IdentityCenter" },
	"IdentityCenter AccountAssignmentAccess": func(o opInfo) bool {
		return o.service == "IdentityCenter" && (o.read || o.resource == "accountAssignment")
	},
	"IdentityStore FullAccess": func(o opInfo) bool { return o.service == "IdentityCenter" && identityStoreArea(o.resource) },
	"IdentityStore ReadOnlyAccess": func(o opInfo) bool {
		return o.read && o.service == "IdentityCenter" && identityStoreArea(o.resource)
	},
	"Organizations FullAccess":     func(o opInfo) bool { return o.service == "organizations" },
	"Organizations ReadOnlyAccess": func(o opInfo) bool { return o.readVerb && o.service == "organizations" },
	"FullAccess":                   func(opInfo) bool { return true },
	"ReadOnlyAccess":               func(o opInfo) bool { return o.readVerb },
	"Tenant Administrator":         func(o opInfo) bool { return o.service != "iam" && o.service != "iic" },
	"Tenant Guest":                 func(o opInfo) bool { return o.readVerb && o.service != "iam" && o.service != "iic" },
	"Security Administrator":       func(o opInfo) bool { return o.service == "iam" },
	"IAM ReadOnlyAccess":           func(o opInfo) bool { return o.readVerb && o.service == "iam" },
	"Agent Operator":               func(o opInfo) bool { return o.action == authz.OperationByName(authz.OpCreateAgencyToken).Action },
}

// identityStoreArea reports whether an IdentityCenter action's resource
// segment belongs to the identity store (not the instance, its permission
// sets, assignments and tags).
func identityStoreArea(resource string) bool {
	switch resource {
	case "instance", "permissionSet", "accountAssignment", "accountAssignmentForPrincipals", "tags", "resources":
		return false
	}
	return true
}

var pathVar = regexp.MustCompile(`\{([^}]+)\}`)

// TestActionCatalog walks every operation the real handler serves and
// checks it against the action table (internal/authz/actions.tsv): each
// mounted operation has its row (same route), each row is mounted, the
// resource has the row's form, and the managed policies allow exactly what
// their documented scope says.
func TestActionCatalog(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LogOutput: io.Discard, LogLevel: "error"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ops := a.Ops()
	for name := range expectedCoverage {
		if _, err := managed.ByName(name); err != nil {
			t.Fatalf("expected-coverage table names %q: %v", name, err)
		}
	}
	principal := &authz.Principal{Kind: authz.KindScoped, AccountID: "0123456789abcdef0123456789abcdef", AccessKey: "AKTEST"}
	mounted := map[string]bool{}
	byPattern := map[string]bool{}
	for _, op := range ops {
		row := authz.OperationByName(op.Name)
		if row == nil || op.Spec != row {
			t.Errorf("%s (%s): no row in the action table", op.Name, op.Pattern)
			continue
		}
		if mounted[op.Name] {
			t.Errorf("operation %s mounted twice", op.Name)
		}
		mounted[op.Name] = true
		if byPattern[op.Pattern] {
			t.Errorf("pattern %s mounted twice", op.Pattern)
		}
		byPattern[op.Pattern] = true
		if op.Pattern != row.Pattern || op.Action != row.Action {
			t.Errorf("%s: mounted as %s %s, the table has %s %s", op.Name, op.Pattern, op.Action, row.Pattern, row.Action)
		}
		service, _, verb, ok := authz.SplitAction(row.Action)
		if !ok {
			t.Errorf("%s: action %q", op.Name, row.Action)
			continue
		}

		method, path, _ := strings.Cut(op.Pattern, " ")
		r := httptest.NewRequest(method, pathVar.ReplaceAllString(path, "x"), nil)
		for _, m := range pathVar.FindAllStringSubmatch(path, -1) {
			r.SetPathValue(strings.TrimSuffix(m[1], "..."), "v-"+m[1])
		}
		resource := ""
		if op.Resource != nil {
			resource = op.Resource(r, principal)
		}
		// A row may list several resource types (TagResource: account, ou
		// or root): the resource is of one of them.
		types := strings.ReplaceAll(regexp.QuoteMeta(row.ResourceType), ",", "|")
		switch {
		case op.Target != nil && row.ResourceType == "":
			// A Target without a resource type only reads the tags a
			// create sets (g:RequestTag, g:TagKeys).
		case op.Target != nil:
			// Resolved per request (internal/e2e checks them through the
			// server): stand for them with one of the row's types.
			resource = authz.ResourceURN(service, "", principal.AccountID, strings.Split(row.ResourceType, ",")[0], "x")
		case row.ResourceType == "" && resource != "":
			t.Errorf("%s: the product has no resource-level permission for %s, but the resource is %q", op.Name, row.Action, resource)
		case row.ResourceType != "":
			want := regexp.MustCompile("^" + regexp.QuoteMeta(service) + "::" + principal.AccountID + ":(" + types + "):[^:]+$")
			if !want.MatchString(resource) {
				t.Errorf("%s: resource %q is not %s::<account>:%s:<path>", op.Name, resource, service, row.ResourceType)
			}
		}
		if (method == "GET" || method == "HEAD") && !row.IsRead() {
			t.Errorf("%s: a %s with access level %s", op.Name, method, row.Access)
		}
		checkManagedCoverage(t, row, &policy.Request{Action: row.Action, Alternates: row.Alternates, LegacyAction: row.LegacyAction, Resource: resource})

		// The live authorizer: a key bound to IdentityCenter ReadOnlyAccess
		// may do exactly the documented List and Read operations, plus the
		// discovery look-ups.
		ro, _ := managed.ByName("IdentityCenter ReadOnlyAccess")
		p := *principal
		p.PolicyIDs = []string{ro.ID}
		err := authz.NewPolicies(a.Store).Authorize(context.Background(), &p, &authz.Request{Action: row.Action, Alternates: row.Alternates,
			LegacyAction: row.LegacyAction, Dependencies: row.Dependencies, Resource: resource, Time: time.Now()})
		wantAllowed := authz.AlwaysAllowed(row.Action) || row.IsRead() && service == "IdentityCenter"
		if (err == nil) != wantAllowed {
			t.Errorf("%s: read-only key: Authorize = %v, want allowed=%v", row.Action, err, wantAllowed)
		}
		t.Logf("%-7s %-75s %-55s %-6s %s", method, path, row.Action, row.Access, verb)
	}
	for _, row := range authz.Operations() {
		switch {
		case row.Name == authz.OpCreateAgencyToken:
			// Authorized by its handler, outside the Guard, on the
			// agency's URI (internal/e2e drives it through the server).
			checkManagedCoverage(t, row, &policy.Request{Action: row.Action, Alternates: row.Alternates, LegacyAction: row.LegacyAction,
				ResourceURI: authz.AgencyURI("iam::" + principal.AccountID + ":agency:x")})
		case !mounted[row.Name]:
			t.Errorf("the action table's %s (%s) is not mounted", row.Name, row.Pattern)
		}
	}
}

// checkManagedCoverage checks that each managed policy allows req, the
// request of row, exactly when expectedCoverage says so, and that a write
// action is not named like a read.
func checkManagedCoverage(t *testing.T, row *authz.Operation, req *policy.Request) {
	t.Helper()
	service, resType, _, _ := authz.SplitAction(row.Action)
	info := opInfo{service: service, resource: resType, read: row.IsRead(), action: row.Action}
	for _, n := range row.Names() {
		_, _, v, _ := authz.SplitAction(n)
		info.readVerb = info.readVerb || authz.IsReadVerb(v)
	}
	if info.readVerb && !info.read {
		t.Errorf("%s: write action named like a read (%v): generic read-only policies would allow it", row.Name, row.Names())
	}
	for _, mp := range managed.All() {
		want := false
		if f := expectedCoverage[mp.Name]; f != nil {
			want = f(info)
		}
		if got := policy.Evaluate([]*policy.Compiled{mp.Compiled}, req).Allowed; got != want {
			t.Errorf("%s (%s): managed policy %q allows=%v, want %v", row.Name, row.Action, mp.Name, got, want)
		}
	}
}

// The read-only managed policies are the table's List and Read actions,
// not verb patterns.
func TestReadOnlyPoliciesFollowAccessLevels(t *testing.T) {
	var all, store []string
	for _, o := range authz.Operations() {
		svc, res, _, _ := authz.SplitAction(o.Action)
		if svc != "IdentityCenter" || !o.IsRead() {
			continue
		}
		all = append(all, o.Action)
		if identityStoreArea(res) {
			store = append(store, o.Action)
		}
	}
	for name, want := range map[string][]string{"IdentityCenter ReadOnlyAccess": all, "IdentityStore ReadOnlyAccess": store} {
		p, _ := managed.ByName(name)
		var doc policy.Document
		if err := json.Unmarshal(p.Document, &doc); err != nil {
			t.Fatal(err)
		}
		got := append([]string(nil), doc.Statement[0].Action...)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s allows\n%v\nthe table's List/Read actions are\n%v", name, got, want)
		}
	}
	for _, name := range []string{"IdentityCenter FullAccess", "IdentityCenter ReadOnlyAccess"} {
		if p, _ := managed.ByName(name); p.IIC {
			t.Errorf("%s is Huawei's, marked iic", name)
		}
	}
	for _, name := range []string{"IdentityCenter AccountAssignmentAccess", "IdentityStore FullAccess", "IdentityStore ReadOnlyAccess"} {
		if p, _ := managed.ByName(name); !p.IIC {
			t.Errorf("%s is iic's own, not marked", name)
		}
	}
}
