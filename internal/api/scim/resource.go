package scim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// decodeObject parses body as one JSON object (numbers kept exact), refusing
// NUL characters, trailing data, a body that is not UTF-8 (RFC 8259 §8.1:
// encoding/json would silently turn the bytes into U+FFFD and store that)
// and \u escapes of unpaired surrogates (no Unicode text; decoded as
// U+FFFD too).
func decodeObject(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("invalidSyntax", "a JSON request body is required")
	}
	if !utf8.Valid(body) {
		return nil, badRequest("invalidSyntax", "the body must be UTF-8 text")
	}
	if bytes.Contains(body, []byte(`\u0000`)) {
		return nil, badRequest("invalidValue", "values must not contain NUL characters")
	}
	if httpx.HasLoneSurrogate(body) {
		return nil, badRequest("invalidValue", `strings must be Unicode text: a \uD800-\uDFFF escape must be half of a surrogate pair`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest("invalidSyntax", httpx.DescribeJSONError(err, "attribute"))
	}
	if m == nil {
		return nil, badRequest("invalidSyntax", "the body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("invalidSyntax", "unexpected data after the JSON object")
	}
	return m, nil
}

// readResource reads a request body holding a resource of type rt, with
// attribute names in their canonical spelling.
func readResource(r *http.Request, rt *resourceType) (map[string]any, error) {
	m, err := decodeObject(requestBody(r))
	if err != nil {
		return nil, err
	}
	return canonical(rt, m), nil
}

// canonical renames the attributes of a resource (and of its extensions
// and complex values) to the schema's spelling: SCIM attribute names are
// case-insensitive. Unknown attributes are dropped (RFC 7644 §3.3: a
// service provider ignores what it does not define).
func canonical(rt *resourceType, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch {
		case strings.EqualFold(k, "schemas"):
			out["schemas"] = v
			continue
		case strings.HasPrefix(strings.ToLower(k), "urn:"):
			for _, e := range rt.Extensions {
				if strings.EqualFold(k, e.ID) {
					if sub, ok := v.(map[string]any); ok {
						out[e.ID] = canonicalAttrs(e.Attributes, sub)
					} else {
						out[e.ID] = v // a wrong type: decoding says so
					}
				}
			}
			if strings.EqualFold(k, rt.Schema.ID) { // core attributes under the core URN
				if sub, ok := v.(map[string]any); ok {
					for sk, sv := range canonical(rt, sub) {
						out[sk] = sv
					}
				}
			}
			continue
		}
		if a, ok := findAttr(append(commonAttributes[:len(commonAttributes):len(commonAttributes)], rt.Schema.Attributes...), k); ok {
			out[a.Name] = canonicalValue(a, v)
		}
	}
	return out
}

func findAttr(attrs []Attribute, name string) (Attribute, bool) {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return Attribute{}, false
}

func canonicalAttrs(attrs []Attribute, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if a, ok := findAttr(attrs, k); ok {
			out[a.Name] = canonicalValue(a, v)
		}
	}
	return out
}

func canonicalValue(a Attribute, v any) any {
	if a.Type != "complex" {
		return v
	}
	switch x := v.(type) {
	case string:
		// A singular reference given as its bare value (Entra ID sends the
		// enterprise manager as "id" as well as {"value": "id"}).
		if !a.MultiValued && hasSub(a, "value") {
			return map[string]any{"value": x}
		}
	case map[string]any:
		return canonicalAttrs(a.Sub, x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if m, ok := e.(map[string]any); ok {
				out[i] = canonicalAttrs(a.Sub, m)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return v
}

func hasSub(a Attribute, name string) bool {
	for _, sub := range a.Sub {
		if sub.Name == name {
			return true
		}
	}
	return false
}

// ifMatch returns the version If-Match names (0 when absent or "*").
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, ok := parseETag(h)
	if !ok {
		return 0, badRequest("invalidValue", "If-Match must be an entity tag such as W/\"3\"")
	}
	return v, nil
}

// ifNoneMatch is a write's If-None-Match precondition (RFC 7232 §3.2):
// "*", or a tag naming the resource's current version, fails it (412); a
// tag that does not parse names no version and so never matches.
func ifNoneMatch(r *http.Request, version int64) error {
	for _, h := range r.Header.Values("If-None-Match") {
		for _, t := range strings.Split(h, ",") {
			if t = strings.TrimSpace(t); t == "*" {
				return errVersionMismatch
			}
			if v, ok := parseETag(t); ok && v == version {
				return errVersionMismatch
			}
		}
	}
	return nil
}

// parseETag reads W/"n" or "n".
func parseETag(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(s[1:len(s)-1], 10, 64)
	return v, err == nil && v > 0
}

// writeResource writes one resource with its ETag, projected by the
// request's attributes/excludedAttributes; a GET whose If-None-Match names
// the resource's version is answered 304.
func (a *API) writeResource(w http.ResponseWriter, r *http.Request, status int, rt *resourceType, res map[string]any, version int64) error {
	tag := etag(version)
	w.Header().Set("ETag", tag)
	if r.Method == http.MethodGet {
		for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
			if t = strings.TrimSpace(t); t == "*" || (t != "" && strings.TrimPrefix(t, "W/") == strings.TrimPrefix(tag, "W/")) {
				w.WriteHeader(http.StatusNotModified)
				return nil
			}
		}
	}
	proj, err := projectionOf(rt, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes"))
	if err != nil {
		return err
	}
	writeJSON(w, status, proj.apply(res))
	return nil
}

// aboutUser names the user a not-found error is about.
func aboutUser(err error, id string) error {
	if e, ok := apierr.From(err); ok && e.Kind() == apierr.KindNotFound {
		if typ, _ := e.Resource(); typ == "" {
			return e.About("user", id)
		}
	}
	return err
}

// aboutGroup names the group a not-found error is about.
func aboutGroup(err error, id string) error {
	if e, ok := apierr.From(err); ok && e.Kind() == apierr.KindNotFound {
		if typ, _ := e.Resource(); typ == "" {
			return e.About("group", id)
		}
	}
	return err
}
