package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PATCH (RFC 7644 §3.5.2) on the generic form of a resource: add, replace
// and remove, with or without a path, value filters in paths, op names in
// any case (Microsoft Entra ID sends "Replace"), and, without a path, value
// objects whose keys are themselves paths ("name.givenName",
// `emails[type eq "work"].value`, extension URNs) as Entra sends them.

// patchOp is one operation of a PatchOp request.
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// maxPatchOps bounds the operations of one PATCH.
const maxPatchOps = 1000

// readPatch decodes a PatchOp body.
func readPatch(body []byte) ([]patchOp, error) {
	m, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	var raw any
	for k, v := range m {
		if strings.EqualFold(k, "Operations") {
			raw = v
		}
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, badRequest("invalidSyntax", "a PatchOp request needs a non-empty Operations array")
	}
	if len(list) > maxPatchOps {
		return nil, badRequest("tooMany", fmt.Sprintf("at most %d operations per PATCH", maxPatchOps))
	}
	ops := make([]patchOp, 0, len(list))
	for i, e := range list {
		om, ok := e.(map[string]any)
		if !ok {
			return nil, badRequest("invalidSyntax", fmt.Sprintf("Operations[%d] must be an object", i))
		}
		var op patchOp
		for k, v := range om {
			switch strings.ToLower(k) {
			case "op":
				s, ok := v.(string)
				if !ok {
					return nil, badRequest("invalidSyntax", fmt.Sprintf("Operations[%d].op must be a string", i))
				}
				op.Op = strings.ToLower(s)
			case "path":
				s, ok := v.(string)
				if !ok {
					return nil, badRequest("invalidPath", fmt.Sprintf("Operations[%d].path must be a string", i))
				}
				op.Path = strings.TrimSpace(s)
			case "value":
				op.Value = v
			}
		}
		switch op.Op {
		case "add", "replace":
			if op.Value == nil {
				return nil, badRequest("invalidValue", fmt.Sprintf("Operations[%d] (%s) needs a value", i, op.Op))
			}
		case "remove":
		default:
			return nil, badRequest("invalidSyntax", fmt.Sprintf("Operations[%d].op must be add, replace or remove, not %q", i, op.Op))
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// applyPatch applies op to res (a resource of type rt in generic form).
func applyPatch(rt *resourceType, res map[string]any, op patchOp) error {
	if op.Path == "" {
		if op.Op == "remove" {
			return badRequest("noTarget", "remove needs a path")
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return badRequest("invalidValue", "without a path, the value must be an object of attributes")
		}
		for k, v := range obj {
			if strings.EqualFold(k, "schemas") || (strings.EqualFold(k, "id") && v == res["id"]) { // Okta sends the unchanged id
				continue
			}
			if ext := extensionOf(rt, k); ext != nil {
				sub, ok := v.(map[string]any)
				if !ok {
					return badRequest("invalidValue", k+" must be an object")
				}
				for sk, sv := range sub {
					if err := applyPath(rt, res, op.Op, ext.ID+":"+sk, sv); err != nil {
						return err
					}
				}
				continue
			}
			if err := applyPath(rt, res, op.Op, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	return applyPath(rt, res, op.Op, op.Path, op.Value)
}

func extensionOf(rt *resourceType, k string) *Schema {
	for i := range rt.Extensions {
		if strings.EqualFold(rt.Extensions[i].ID, k) {
			return &rt.Extensions[i]
		}
	}
	return nil
}

// holderOf returns the map attribute t lives in (the resource, or its
// extension object, created when create is set).
func holderOf(res map[string]any, t target, create bool) map[string]any {
	if t.ext == "" {
		return res
	}
	m, ok := res[t.ext].(map[string]any)
	if !ok && create {
		m = map[string]any{}
		res[t.ext] = m
	}
	return m
}

func applyPath(rt *resourceType, res map[string]any, op, path string, value any) error {
	pp, err := ParsePatchPath(path)
	if err != nil {
		return badRequest("invalidPath", err.Error())
	}
	t, err := (scope{rt: rt}).resolve(pp.Path)
	if err != nil {
		return badRequest("invalidPath", "unknown attribute "+pp.Path.String())
	}
	if t.attr.Mutability == "readOnly" || (t.sub != nil && t.sub.Mutability == "readOnly") {
		return badRequest("mutability", pp.Path.String()+" is read-only")
	}
	value = canonicalPatchValue(t, pp, value)
	if pp.Filter != nil {
		return applyFiltered(res, t, pp, op, value)
	}
	holder := holderOf(res, t, op != "remove")
	if holder == nil {
		return nil // removing from an absent extension: nothing to do
	}
	name := t.attr.Name
	if t.sub != nil {
		return applySub(holder, t, op, value)
	}
	switch op {
	case "remove":
		if t.attr.Required {
			return badRequest("mutability", name+" is required and cannot be removed")
		}
		delete(holder, name)
	case "add":
		if t.attr.MultiValued {
			holder[name] = appendUnique(asList(holder[name]), asList(value))
			return nil
		}
		fallthrough
	case "replace":
		if t.attr.MultiValued {
			holder[name] = asList(value)
			return nil
		}
		if t.attr.Type == "complex" {
			obj, ok := value.(map[string]any)
			if !ok {
				return badRequest("invalidValue", name+" must be an object")
			}
			cur, _ := holder[name].(map[string]any)
			merged := map[string]any{}
			for k, v := range cur {
				merged[k] = v
			}
			for k, v := range obj {
				merged[k] = v
			}
			holder[name] = merged
			return nil
		}
		holder[name] = value
	}
	return nil
}

// applySub changes a sub-attribute (name.givenName; emails.value sets the
// sub-attribute of every value).
func applySub(holder map[string]any, t target, op string, value any) error {
	name, sub := t.attr.Name, t.sub.Name
	if t.attr.MultiValued {
		list := asList(holder[name])
		if len(list) == 0 && op != "remove" {
			list = []any{map[string]any{}}
		}
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				setOrDelete(m, sub, op, value)
			}
		}
		holder[name] = list
		return nil
	}
	m, ok := holder[name].(map[string]any)
	if !ok {
		if op == "remove" {
			return nil
		}
		m = map[string]any{}
		holder[name] = m
	}
	setOrDelete(m, sub, op, value)
	return nil
}

func setOrDelete(m map[string]any, k, op string, v any) {
	if op == "remove" {
		delete(m, k)
		return
	}
	m[k] = v
}

// applyFiltered changes the values of a multi-valued attribute that match
// the path's filter. With no match, add — and replace, as Microsoft Entra ID
// expects — create the value when the filter is a conjunction of eq
// comparisons (emails[type eq "work"].value); otherwise replace is noTarget.
func applyFiltered(res map[string]any, t target, pp PatchPath, op string, value any) error {
	if !t.attr.MultiValued || t.attr.Type != "complex" {
		return badRequest("invalidPath", pp.Path.String()+" is not a multi-valued complex attribute")
	}
	inner := scope{subs: t.attr.Sub, of: t.attr.Name}
	if err := checkFilter(inner, pp.Filter); err != nil {
		return badRequest("invalidPath", err.Error())
	}
	var sub *Attribute
	if pp.Sub != "" {
		s, ok := findAttr(t.attr.Sub, pp.Sub)
		if !ok {
			return badRequest("invalidPath", t.attr.Name+" has no sub-attribute "+pp.Sub)
		}
		if s.Mutability == "readOnly" {
			return badRequest("mutability", t.attr.Name+"."+s.Name+" is read-only")
		}
		sub = &s
	}
	holder := holderOf(res, t, op != "remove")
	if holder == nil {
		return nil
	}
	list := asList(holder[t.attr.Name])
	out := make([]any, 0, len(list))
	hit := false
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || !matches(inner, m, pp.Filter) {
			out = append(out, e)
			continue
		}
		hit = true
		switch {
		case op == "remove" && sub == nil:
			// dropped
		case sub != nil:
			setOrDelete(m, sub.Name, op, value)
			out = append(out, m)
		default: // add or replace the whole value
			obj, ok := value.(map[string]any)
			if !ok {
				return badRequest("invalidValue", t.attr.Name+" values are objects")
			}
			merged := map[string]any{}
			if op == "add" {
				for k, v := range m {
					merged[k] = v
				}
			}
			for k, v := range obj {
				merged[k] = v
			}
			out = append(out, merged)
		}
	}
	if !hit && op != "remove" {
		created, ok := fromEqFilter(pp.Filter)
		if !ok {
			return badRequest("noTarget", "no value of "+t.attr.Name+" matches "+pp.Filter.String())
		}
		if sub != nil {
			created[sub.Name] = value
		} else if obj, isObj := value.(map[string]any); isObj {
			for k, v := range obj {
				created[k] = v
			}
		}
		out = append(out, created)
	}
	holder[t.attr.Name] = out
	return nil
}

// fromEqFilter builds the value a conjunction of "sub eq literal" filters
// describes (type eq "work" → {"type": "work"}).
func fromEqFilter(f Expr) (map[string]any, bool) {
	switch x := f.(type) {
	case *Compare:
		if x.Op != "eq" || x.Path.Sub != "" || x.Path.URN != "" {
			return nil, false
		}
		return map[string]any{x.Path.Attr: x.Value}, true
	case *Logical:
		if x.Op != "and" {
			return nil, false
		}
		l, ok1 := fromEqFilter(x.Left)
		r, ok2 := fromEqFilter(x.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		for k, v := range r {
			l[k] = v
		}
		return l, true
	}
	return nil, false
}

// canonicalPatchValue spells the sub-attribute names inside a PATCH value
// canonically.
func canonicalPatchValue(t target, pp PatchPath, v any) any {
	if t.sub != nil || pp.Sub != "" || t.attr.Type != "complex" {
		return v
	}
	return canonicalValue(t.attr, v)
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return append([]any(nil), x...)
	}
	return []any{v}
}

// appendUnique appends the values of add not already in list (RFC 7644
// §3.5.2.1: an add of an existing value changes nothing). A complex value
// with a "value" sub-attribute is the same as another complex value of an
// equal value; any other value is the same as an equal one. It is linear
// in the values (each is compared by its JSON text through a set), so that
// a PATCH adding tens of thousands of distinct values costs what its size
// does.
func appendUnique(list, add []any) []any {
	byValue, whole := map[string]bool{}, map[string]bool{}
	note := func(e any) {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m["value"]; ok {
				byValue[jsonKey(v)] = true
				return
			}
		}
		whole[jsonKey(e)] = true
	}
	for _, e := range list {
		note(e)
	}
	for _, v := range add {
		dup := whole[jsonKey(v)]
		if m, ok := v.(map[string]any); ok && byValue[jsonKey(m["value"])] {
			dup = true
		}
		if !dup {
			list = append(list, v)
			note(v)
		}
	}
	return list
}

// jsonKey is v's JSON text (object keys sorted), by which equal values
// are found.
func jsonKey(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
