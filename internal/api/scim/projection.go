package scim

import "strings"

// projection is the attributes / excludedAttributes of a request (RFC 7644
// §3.4.2.5): with attributes, only those (and the "always" ones) are
// returned; excludedAttributes drops attributes (never the "always" ones);
// "never" attributes are never returned, "request" ones only when named.
type projection struct {
	rt       *resourceType
	include  map[string]bool // "ext|attr" and "ext|attr.sub"
	exclude  map[string]bool
	explicit bool // attributes was given
}

func projKey(ext, attr, sub string) string {
	k := strings.ToLower(ext) + "|" + strings.ToLower(attr)
	if sub != "" {
		k += "." + strings.ToLower(sub)
	}
	return k
}

// projectionOf parses the two parameters (comma-separated attribute paths).
func projectionOf(rt *resourceType, attributes, excluded string) (projection, error) {
	p := projection{rt: rt, include: map[string]bool{}, exclude: map[string]bool{}}
	parse := func(list string, into map[string]bool) error {
		for _, item := range strings.Split(list, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			ps, err := newParser(item, "invalidValue")
			if err != nil {
				return err
			}
			path, err := ps.path()
			if err != nil || !ps.eof() {
				return badRequest("invalidValue", "malformed attribute path "+item)
			}
			r, ok := rt.resolve(path)
			if !ok {
				continue // an attribute this service does not define
			}
			sub := ""
			if r.sub != nil {
				sub = r.sub.Name
			}
			into[projKey(r.ext, r.attr.Name, sub)] = true
			if sub != "" {
				into[projKey(r.ext, r.attr.Name, "")+".*"] = true // the parent is needed to hold the sub-attribute
			}
		}
		return nil
	}
	if err := parse(attributes, p.include); err != nil {
		return p, err
	}
	if err := parse(excluded, p.exclude); err != nil {
		return p, err
	}
	p.explicit = strings.TrimSpace(attributes) != ""
	return p, nil
}

// apply returns res projected.
func (p projection) apply(res map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range res {
		if k == "schemas" {
			out[k] = v
			continue
		}
		if strings.HasPrefix(k, "urn:") {
			var ext *Schema
			for i := range p.rt.Extensions {
				if p.rt.Extensions[i].ID == k {
					ext = &p.rt.Extensions[i]
				}
			}
			m, ok := v.(map[string]any)
			if ext == nil || !ok {
				continue
			}
			sub := p.object(k, ext.Attributes, m)
			if len(sub) > 0 {
				out[k] = sub
			}
			continue
		}
		a, ok := findAttr(append(commonAttributes[:len(commonAttributes):len(commonAttributes)], p.rt.Schema.Attributes...), k)
		if !ok {
			continue
		}
		if pv, keep := p.value("", a, v); keep {
			out[k] = pv
		}
	}
	return out
}

func (p projection) object(ext string, attrs []Attribute, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		a, ok := findAttr(attrs, k)
		if !ok {
			continue
		}
		if pv, keep := p.value(ext, a, v); keep {
			out[k] = pv
		}
	}
	return out
}

// value decides whether attribute a (value v) is returned, and projects
// its sub-attributes.
func (p projection) value(ext string, a Attribute, v any) (any, bool) {
	key := projKey(ext, a.Name, "")
	switch {
	case a.Returned == "never":
		return nil, false
	case a.Returned == "always":
		return v, true
	case p.exclude[key]:
		return nil, false
	case a.Returned == "request" && !p.include[key] && !p.include[key+".*"]:
		return nil, false
	case p.explicit && !p.include[key] && !p.include[key+".*"]:
		return nil, false
	}
	if a.Type != "complex" || (!p.include[key+".*"] && !p.hasSubExclusion(key)) || p.include[key] {
		return v, true
	}
	// Only some sub-attributes were asked for, or some excluded.
	keepSub := func(s Attribute) bool {
		sk := projKey(ext, a.Name, s.Name)
		if s.Returned == "always" {
			return true
		}
		if p.exclude[sk] {
			return false
		}
		return !p.explicit || p.include[sk]
	}
	project := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for sk, sv := range m {
			if s, ok := findAttr(a.Sub, sk); ok && keepSub(s) {
				out[sk] = sv
			}
		}
		return out
	}
	switch x := v.(type) {
	case map[string]any:
		return project(x), true
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, project(m))
			}
		}
		return out, true
	}
	return v, true
}

func (p projection) hasSubExclusion(key string) bool {
	for k := range p.exclude {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}
