package mapping

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkEvaluate20Rules50Attributes: the measure — a 20-rule
// mapping against 50 remote attributes (target ≤ 10 µs).
func BenchmarkEvaluate20Rules50Attributes(b *testing.B) {
	var rules []string
	for i := 0; i < 20; i++ {
		switch i % 4 {
		case 0:
			rules = append(rules, fmt.Sprintf(`{"local": [{"user": {"name": "{0}", "email": "{1}"}}, {"group": {"id": "g%d"}}], "remote": [{"type": "attr0"}, {"type": "attr1"}, {"type": "attr%d", "any_one_of": ["v%d-0", "nope"]}]}`, i, i+2, i+2))
		case 1:
			rules = append(rules, fmt.Sprintf(`{"local": [{"groups": "{0}", "domain": {"name": "corp"}}], "remote": [{"type": "memberOf", "whitelist": ["grp-1", "grp-3", "grp-%d"]}]}`, i))
		case 2:
			rules = append(rules, fmt.Sprintf(`{"local": [{"group": {"id": "r%d"}}], "remote": [{"type": "attr%d", "any_one_of": ["^v%d-", "x$"], "regex": true}, {"type": "dept", "not_any_of": ["Sales"]}]}`, i, i, i))
		default:
			rules = append(rules, fmt.Sprintf(`{"local": [{"group_ids": "['a%d', 'b%d']"}], "remote": [{"type": "attr%d", "not_any_of": ["v%d-0"]}]}`, i, i, i+30, i+30))
		}
	}
	rs, err := Parse([]byte(`{"rules": [` + strings.Join(rules, ",") + `]}`))
	if err != nil {
		b.Fatal(err)
	}
	attrs := Attributes{}
	for i := 0; i < 48; i++ {
		attrs[fmt.Sprintf("attr%d", i)] = []string{fmt.Sprintf("v%d-0", i), fmt.Sprintf("v%d-1", i)}
	}
	attrs["memberOf"] = []string{"grp-1", "grp-2", "grp-3", "grp-4", "grp-5"}
	attrs["dept"] = []string{"IT"}
	if res, err := rs.Evaluate(attrs); err != nil || len(res.GroupIDs) == 0 || len(res.GroupNames) == 0 {
		b.Fatalf("Evaluate = %+v, %v", res, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := rs.Evaluate(attrs); err != nil {
			b.Fatal(err)
		}
	}
}
