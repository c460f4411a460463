package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/iic-project/iic"

// A layer is a set of packages (paths relative to the module; "x/..." is x
// and every package below it) and the layers whose packages they may import
// (non-test imports). This table is the README's layer rule
// ("## Architecture", "The layer rule"); keep the two the same.
type layer struct {
	name      string
	pkgs      []string
	mayImport []string // layer names; "*" = any
}

var (
	services = []string{"internal/center", "internal/account", "internal/accesskeys", "internal/identity",
		"internal/idsource", "internal/authn", "internal/authz", "internal/organization", "internal/permission", "internal/jobs", "internal/oidc", "internal/signin", "internal/portal", "internal/federation", "internal/tokens"}
	leaves = []string{"internal/apierr", "internal/ids", "internal/secrets", "internal/paging", "internal/aksk",
		"internal/metrics", "internal/policy/...", "internal/mail", "internal/convert", "internal/ttlcache", "internal/argon2id", "internal/cputime", "internal/federation/mapping", "internal/federation/samlmeta"}
	testHelpers = []string{"internal/testenv", "internal/e2e", "internal/e2e/terraform", "internal/archtest", "internal/store/storetest",
		"internal/store/sqlstore/sqltest"}
)

var layers = []layer{
	// Outermost: the binaries. cmd → app → ….
	{"commands", []string{"cmd/...", "tools/...", "internal/apierr/gen"}, []string{"app", "api", "services", "store", "leaves", "client"}},
	// The client side of sign-in (profiles, login, credentials): it talks
	// HTTP to a server and knows none of its packages.
	{"client", []string{"internal/cli"}, []string{"leaves"}},
	// The examples show the SDK alone: no iic package.
	{"examples", []string{"examples/..."}, nil},
	// Test-only code may use anything; nothing else may import it.
	{"test helpers", testHelpers, []string{"*"}},
	// The one wiring point, and the only importer of the SQL backend.
	{"app", []string{"internal/app"}, []string{"api", "services", "sqlstore", "store", "leaves"}},
	// Wire surfaces and their shared plumbing (see checkAPI).
	{"api", []string{"internal/api/..."}, []string{"api", "services", "store", "leaves"}},
	// Services: never api, app or sqlstore; they may use each other.
	{"services", services, []string{"services", "store", "leaves"}},
	// The SQL backend of the storage contract.
	{"sqlstore", []string{"internal/store/sqlstore"}, []string{"store", "leaves"}},
	// The storage contract: nothing from the project (nor net/http, see checkStore).
	{"store", []string{"internal/store"}, nil},
	// Leaves: only apierr, or their own package tree (see checkLeaf).
	{"leaves", leaves, []string{"leaves"}},
}

// sqlImports are the packages only internal/store/sqlstore/... may import,
// in tests too.
var sqlImports = []string{"database/sql", "github.com/jackc/pgx", "modernc.org/sqlite", "github.com/lib/pq",
	"github.com/mattn/go-sqlite3"}

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Error        *struct{ Err string }
}

// match reports whether the module-relative path p is matched by pattern.
func match(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

// classify returns the layer of p and the pattern that matched it.
func classify(p string) (layer string, pattern string, n int) {
	for _, l := range layers {
		for _, pat := range l.pkgs {
			if match(pat, p) {
				layer, pattern = l.name, pat
				n++
			}
		}
	}
	return layer, pattern, n
}

// readSources reads every directory and Go file of the module. go test
// caches a result by the files a test opens; the import graph comes from a
// go list subprocess, which it does not see, so without this an edit that
// adds a forbidden import could be answered with a stale pass.
func readSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	readSources(t, filepath.Join("..", ".."))
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages: not run from the module?", len(pkgs))
	}
	return pkgs
}

func rel(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	return strings.CutPrefix(imp, module+"/")
}

// violations checks every package against the table and returns one line
// per forbidden import.
func violations(t *testing.T, pkgs []pkg) []string {
	var bad []string
	byName := map[string]layer{}
	for _, l := range layers {
		byName[l.name] = l
	}
	for _, p := range pkgs {
		from, ok := rel(p.ImportPath)
		if !ok {
			t.Fatalf("%s is outside module %s", p.ImportPath, module)
		}
		fromLayer, fromPat, n := classify(from)
		if n != 1 {
			bad = append(bad, from+": in "+map[bool]string{true: "no layer", false: "several layers"}[n == 0]+" of the table in internal/archtest (add it where the README's layer rule puts it)")
			continue
		}
		allowed := byName[fromLayer].mayImport
		for _, imp := range p.Imports {
			if fromLayer == "store" && (imp == "net/http" || strings.HasPrefix(imp, "net/http/")) {
				bad = append(bad, from+" (store) imports "+imp+": the storage contract knows nothing of HTTP")
			}
			to, ok := rel(imp)
			if !ok {
				continue
			}
			toLayer, toPat, _ := classify(to)
			if !slices.Contains(allowed, "*") && !slices.Contains(allowed, toLayer) {
				bad = append(bad, from+" ("+fromLayer+") imports "+to+" ("+toLayer+"): "+fromLayer+" may import "+describe(allowed))
				continue
			}
			switch {
			case fromLayer == "api" && toLayer == "api" && (to != "internal/api/httpx" || from == "internal/api/httpx"):
				bad = append(bad, from+" imports "+to+": surfaces never import each other, only internal/api/httpx, which imports no surface")
			case fromLayer == "leaves" && toLayer == "leaves" && to != "internal/apierr" && toPat != fromPat:
				bad = append(bad, from+" (leaf) imports "+to+": a leaf imports no other iic package except apierr")
			}
		}
		if !match("internal/store/sqlstore/...", from) {
			for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
				for _, s := range sqlImports {
					if imp == s || strings.HasPrefix(imp, s+"/") {
						bad = append(bad, from+" imports "+imp+": only internal/store/sqlstore knows SQL")
					}
				}
			}
		}
	}
	return bad
}

func describe(names []string) string {
	if len(names) == 0 {
		return "no iic package"
	}
	return strings.Join(names, ", ")
}

// TestLayerRule checks the import graph against the README's layer rule:
// outer layers import inner ones, never the reverse.
func TestLayerRule(t *testing.T) {
	for _, v := range violations(t, listPackages(t)) {
		t.Error(v)
	}
}

// The rule catches what it claims to: a synthetic graph with one forbidden
// import of each kind yields one violation each.
func TestLayerRuleCatches(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	pkgs := []pkg{
		{ImportPath: m("internal/identity"), Imports: []string{m("internal/api/httpx")}},                                    // service → api
		{ImportPath: m("internal/center"), Imports: []string{m("internal/app")}},                                            // service → app
		{ImportPath: m("internal/accesskeys"), Imports: []string{m("internal/store/sqlstore")}},                             // service → sqlstore
		{ImportPath: m("internal/store"), Imports: []string{"net/http", m("internal/ids")}},                                 // store → net/http, → leaf
		{ImportPath: m("internal/api/admin"), Imports: []string{m("internal/api/idstore")}},                                 // surface → surface
		{ImportPath: m("internal/api/httpx"), Imports: []string{m("internal/api/admin")}},                                   // httpx → surface
		{ImportPath: m("internal/paging"), Imports: []string{m("internal/ids")}},                                            // leaf → leaf
		{ImportPath: m("internal/policy/sim"), Imports: []string{m("internal/store")}},                                      // leaf → store
		{ImportPath: m("internal/authz"), TestImports: []string{"database/sql"}},                                            // SQL outside sqlstore
		{ImportPath: m("internal/app"), Imports: []string{m("internal/testenv")}},                                           // → test helper
		{ImportPath: m("examples/sdk"), Imports: []string{m("internal/aksk")}},                                              // example → iic
		{ImportPath: m("internal/newthing")},                                                                                // unclassified
		{ImportPath: m("internal/policy/managed"), Imports: []string{m("internal/policy"), m("internal/apierr")}},           // allowed
		{ImportPath: m("internal/store/sqlstore/sqltest"), Imports: []string{"database/sql", m("internal/store/sqlstore")}}, // allowed
	}
	got := violations(t, pkgs)
	if len(got) != 13 {
		t.Fatalf("%d violations, want 13:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// The README states the same lists as the table.
func TestREADMEStatesTheRule(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	short := func(ps []string) string {
		var out []string
		for _, p := range ps {
			p = strings.TrimSuffix(strings.TrimPrefix(p, "internal/"), "/...")
			out = append(out, p)
		}
		return strings.Join(out, ", ")
	}
	for _, want := range []string{
		"services (" + short(services) + ")",
		"Leaf packages (`" + strings.ReplaceAll(short(leaves), ", ", "`, `") + "`",
	} {
		if !bytes.Contains(bytes.Join(bytes.Fields(readme), []byte(" ")), []byte(want)) {
			t.Errorf("README.md does not say %q", want)
		}
	}
}
