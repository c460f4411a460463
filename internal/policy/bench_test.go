package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// benchPolicies returns 10 policies of 5 statements with 2 conditions each.
// Only the last statement of the last policy allows the benchmark request;
// on the way many statements match the action but not the resource, and
// Deny statements match action and resource but fail a condition, so
// Evaluate has to look at every statement.
func benchPolicies(tb testing.TB) []*Compiled {
	var out []*Compiled
	for p := 0; p < 10; p++ {
		out = append(out, mustCompile(tb, v5(benchStatements(p)...)))
	}
	return out
}

// benchStatements returns the 5 statements of benchmark policy p.
func benchStatements(p int) []string {
	verbs := []string{"list", "get", "create", "update", "delete"}
	var stmts []string
	{
		for s := 0; s < 5; s++ {
			var st string
			switch {
			case p == 9 && s == 4: // the one that allows
				st = `{"Sid":"AllowPermissionSets","Effect":"Allow","Action":["identitycenter:permissionSet:*","identitycenter:instance:get*"],
					"Resource":["identitycenter::*:instance:ins-9"],
					"Condition":{"StringEquals":{"g:DomainId":"d-1"},"IpAddress":{"g:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}`
			case s == 0: // Deny that matches action and resource, fails its condition
				st = `{"Effect":"Deny","Action":["identitycenter:*:create","identitycenter:*:delete"],
					"Condition":{"NotIpAddress":{"g:SourceIp":["192.0.2.0/24","2001:db8::/32"]},"BoolIfExists":{"g:MFAPresent":"false"}}}`
			case s == 1: // matches the action, not the resource
				st = fmt.Sprintf(`{"Effect":"Allow","Action":["identitycenter:permissionSet:*"],"Resource":["identitycenter::*:instance:ins-x%d"],
					"Condition":{"StringEquals":{"g:DomainId":"d-1"},"StringLike":{"g:PrincipalTag/team":"idc-*"}}}`, p)
			default: // other actions
				st = fmt.Sprintf(`{"Effect":"Allow","Action":["identitycenter:account%d:%s*","iam:users:%s"],"Resource":["*"],
					"Condition":{"StringEquals":{"g:DomainName":"acme"},"DateLessThan":{"g:CurrentTime":"2030-01-01T00:00:00Z"}}}`, p, verbs[s], verbs[s])
			}
			stmts = append(stmts, st)
		}
	}
	return stmts
}

func benchRequest() *Request {
	return &Request{
		Action:   "identitycenter:permissionSet:create",
		Resource: "identitycenter::0123456789abcdef:instance:ins-9",
		Ctx: &Context{
			UserName: "alice", DomainID: "d-1", DomainName: "acme",
			PrincipalTags: []Tag{{"team", "idc-core"}},
			SourceIP:      netip.MustParseAddr("192.0.2.10"),
			CurrentTime:   time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
			MFAPresent:    BoolTrue,
		},
	}
}

func TestBenchScenario(t *testing.T) {
	d := Evaluate(benchPolicies(t), benchRequest())
	if d.Effect != EffectAllow || d.Policy != 9 || d.Statement != 4 {
		t.Fatalf("benchmark scenario decision = %+v", d)
	}
}

func BenchmarkEvaluate10x5x2(b *testing.B) {
	ps, req := benchPolicies(b), benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if !Evaluate(ps, req).Allowed {
			b.Fatal("denied")
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	raw := []byte(v5(
		`{"Sid":"A","Effect":"Allow","Action":["identitycenter:permissionSet:*","identitycenter:instance:get*"],"Resource":["identitycenter::*:instance:ins-9"],
			"Condition":{"StringEquals":{"g:DomainId":"d-1"},"IpAddress":{"g:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}`,
		`{"Effect":"Deny","Action":["identitycenter:*:delete"],"Condition":{"BoolIfExists":{"g:MFAPresent":"false"},"DateGreaterThan":{"g:CurrentTime":"2030-01-01T00:00:00Z"}}}`,
	))
	doc, err := Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Compile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Compile(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseAndCompile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CacheHit", func(b *testing.B) {
		c := NewCache(16)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompiledMemory reports the approximate heap retained per compiled
// policy (the document of benchPolicies' first policy, 5 statements with 2
// conditions each), Document included.
func BenchmarkCompiledMemory(b *testing.B) {
	raw := []byte(v5(benchStatements(0)...))
	const n = 1000
	var total uint64
	var rounds int
	for b.Loop() {
		keep := make([]*Compiled, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range keep {
			_, c, err := parseCompile(raw) // Document + Compiled, as Cache.Get keeps them
			if err != nil {
				b.Fatal(err)
			}
			keep[i] = c
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(keep)
		total += after.HeapAlloc - before.HeapAlloc
		rounds++
	}
	b.ReportMetric(float64(total)/float64(rounds*n), "bytes/policy")
}

// BenchmarkCacheHitRate replays a skewed (Zipf) stream of lookups over 1,000
// distinct policy documents through a 256-entry cache and reports the hit
// rate, the way a busy server with a long tail of policies would use it.
func BenchmarkCacheHitRate(b *testing.B) {
	docs := make([][]byte, 1000)
	for i := range docs {
		docs[i] = []byte(v5(fmt.Sprintf(`{"Sid":"P%d","Effect":"Allow","Action":["identitycenter:*:get*"],"Condition":{"StringEquals":{"g:DomainId":"d-%d"}}}`, i, i)))
	}
	c := NewCache(256)
	z := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.2, 1, uint64(len(docs)-1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(docs[z.Uint64()]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Hits())/float64(c.Hits()+c.Misses()), "hit-rate")
}
