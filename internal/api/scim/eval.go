package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// A scope resolves the paths of a filter: the resource type at the top
// level, a multi-valued attribute's sub-attributes inside a value path.
type scope struct {
	rt   *resourceType // top level
	subs []Attribute   // inside a value path
	of   string        // the value path's attribute, for messages
}

// target is what a path names in a scope.
type target struct {
	ext  string     // extension URN holding the attribute ("" = top level)
	attr Attribute  // the attribute
	sub  *Attribute // its sub-attribute, if named
}

func (t target) leaf() Attribute { return resolved{ext: t.ext, attr: t.attr, sub: t.sub}.leaf() }

func (sc scope) resolve(p Path) (target, error) {
	if sc.rt != nil {
		r, ok := sc.rt.resolve(p)
		if !ok {
			return target{}, &ParseError{"invalidFilter", fmt.Sprintf("unknown attribute %s", p)}
		}
		return target{ext: r.ext, attr: r.attr, sub: r.sub}, nil
	}
	if p.URN != "" || p.Sub != "" {
		return target{}, &ParseError{"invalidFilter", fmt.Sprintf("%s: only sub-attributes of %s can be named inside its [ ]", p, sc.of)}
	}
	for _, a := range sc.subs {
		if strings.EqualFold(a.Name, p.Attr) {
			return target{attr: a}, nil
		}
	}
	return target{}, &ParseError{"invalidFilter", fmt.Sprintf("%s has no sub-attribute %s", sc.of, p.Attr)}
}

// checkFilter resolves every path of e and checks each operator against its
// attribute's type (RFC 7644 §3.4.2.2): invalidFilter otherwise.
func checkFilter(sc scope, e Expr) error {
	switch x := e.(type) {
	case *Logical:
		if err := checkFilter(sc, x.Left); err != nil {
			return err
		}
		return checkFilter(sc, x.Right)
	case *Not:
		return checkFilter(sc, x.X)
	case *Present:
		_, err := sc.resolve(x.Path)
		return err
	case *ValuePath:
		t, err := sc.resolve(x.Path)
		if err != nil {
			return err
		}
		if t.sub != nil || t.attr.Type != "complex" || !t.attr.MultiValued {
			return &ParseError{"invalidFilter", fmt.Sprintf("%s is not a multi-valued complex attribute", x.Path)}
		}
		return checkFilter(scope{subs: t.attr.Sub, of: t.attr.Name}, x.Filter)
	case *Compare:
		t, err := sc.resolve(x.Path)
		if err != nil {
			return err
		}
		leaf := t.leaf()
		if leaf.Type == "complex" {
			return &ParseError{"invalidFilter", fmt.Sprintf("%s is complex: compare one of its sub-attributes", x.Path)}
		}
		switch x.Op {
		case "co", "sw", "ew":
			if _, ok := x.Value.(string); !ok || !isStringType(leaf.Type) {
				return &ParseError{"invalidFilter", fmt.Sprintf("%s applies to strings only", x.Op)}
			}
		case "gt", "ge", "lt", "le":
			if leaf.Type == "boolean" {
				return &ParseError{"invalidFilter", fmt.Sprintf("%s cannot compare booleans", x.Op)}
			}
		}
		if leaf.Type == "dateTime" && x.Value != nil {
			s, ok := x.Value.(string)
			if !ok {
				return &ParseError{"invalidFilter", fmt.Sprintf("%s is a dateTime: compare it with a quoted RFC 3339 time", x.Path)}
			}
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return &ParseError{"invalidFilter", fmt.Sprintf("%q is not an RFC 3339 time", s)}
			}
		}
		return nil
	}
	return &ParseError{"invalidFilter", "unknown expression"}
}

func isStringType(t string) bool {
	return t == "string" || t == "reference" || t == "dateTime" || t == "binary"
}

// values returns the values path t holds in obj: each value of a
// multi-valued attribute, the sub-attribute of each element, "value" of
// each element for a complex attribute compared without a sub-attribute.
func (t target) values(obj map[string]any) []any {
	holder := holderOf(obj, t, false) // nil (reads as empty) when the extension is absent
	v, ok := holder[t.attr.Name]
	if !ok || v == nil {
		return nil
	}
	var elems []any
	if list, isList := v.([]any); isList {
		elems = list
	} else {
		elems = []any{v}
	}
	subName := ""
	if t.sub != nil {
		subName = t.sub.Name
	} else if t.attr.Type == "complex" {
		subName = "value"
	}
	if subName == "" {
		return elems
	}
	out := make([]any, 0, len(elems))
	for _, e := range elems {
		if m, ok := e.(map[string]any); ok {
			if sv, ok := m[subName]; ok && sv != nil {
				out = append(out, sv)
			}
		}
	}
	return out
}

// matches evaluates a checked filter against obj (a resource, or an
// element of a multi-valued attribute inside a value path).
func matches(sc scope, obj map[string]any, e Expr) bool {
	switch x := e.(type) {
	case *Logical:
		if x.Op == "and" {
			return matches(sc, obj, x.Left) && matches(sc, obj, x.Right)
		}
		return matches(sc, obj, x.Left) || matches(sc, obj, x.Right)
	case *Not:
		return !matches(sc, obj, x.X)
	case *Present:
		t, err := sc.resolve(x.Path)
		if err != nil {
			return false
		}
		for _, v := range t.values(obj) {
			if !isEmpty(v) {
				return true
			}
		}
		return false
	case *ValuePath:
		t, err := sc.resolve(x.Path)
		if err != nil {
			return false
		}
		inner := scope{subs: t.attr.Sub, of: t.attr.Name}
		for _, el := range t.elements(obj) {
			if matches(inner, el, x.Filter) {
				return true
			}
		}
		return false
	case *Compare:
		t, err := sc.resolve(x.Path)
		if err != nil {
			return false
		}
		leaf := t.leaf()
		vals := t.values(obj)
		if x.Value == nil { // eq null: absent; ne null: present
			present := false
			for _, v := range vals {
				present = present || !isEmpty(v)
			}
			return present == (x.Op == "ne")
		}
		if x.Op == "ne" {
			for _, v := range vals {
				if compare(leaf, v, "eq", x.Value) {
					return false
				}
			}
			return true
		}
		for _, v := range vals {
			if compare(leaf, v, x.Op, x.Value) {
				return true
			}
		}
		return false
	}
	return false
}

// elements returns the elements of the multi-valued complex attribute t.
func (t target) elements(obj map[string]any) []map[string]any {
	holder := holderOf(obj, t, false) // nil (reads as empty) when the extension is absent
	list, _ := holder[t.attr.Name].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// compare applies op (not ne) to a stored value v and a filter value w,
// by the attribute's type.
func compare(a Attribute, v any, op string, w any) bool {
	switch a.Type {
	case "boolean":
		b, ok1 := asBool(v)
		c, ok2 := w.(bool)
		return ok1 && ok2 && op == "eq" && b == c
	case "integer", "decimal":
		f, ok1 := asFloat(v)
		g, ok2 := asFloat(w)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op, cmpFloat(f, g))
	case "dateTime":
		s, ok1 := v.(string)
		u, ok2 := w.(string)
		if !ok1 || !ok2 {
			return false
		}
		t1, err1 := time.Parse(time.RFC3339Nano, s)
		t2, err2 := time.Parse(time.RFC3339Nano, u)
		if err1 != nil || err2 != nil {
			return false
		}
		return ordered(op, t1.Compare(t2))
	}
	s, ok1 := v.(string)
	u, ok2 := w.(string)
	if !ok1 || !ok2 {
		return false
	}
	if !a.CaseExact {
		s, u = fold(s), fold(u)
	}
	switch op {
	case "co":
		return strings.Contains(s, u)
	case "sw":
		return strings.HasPrefix(s, u)
	case "ew":
		return strings.HasSuffix(s, u)
	}
	return ordered(op, strings.Compare(s, u))
}

// fold is how caseExact:false strings compare: case-insensitively and up to
// Unicode compatibility (NFKC), so that a filter value matches the forms
// the identity service stores (a user name's canonical form maps widths,
// a group name is NFC) as its index look-ups do.
func fold(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

func ordered(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// asBool reads a boolean, accepting the strings "true"/"false" in any case
// (Microsoft Entra ID sends "False").
func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
