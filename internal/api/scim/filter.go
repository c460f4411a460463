package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Filter expressions and attribute paths of RFC 7644 §3.4.2.2 and §3.5.2:
// the whole grammar (eq ne co sw ew gt ge lt le pr, and or not, grouping,
// value paths, sub-attributes, schema-URN-prefixed names). Keywords and
// operators are case-insensitive. Parsing is bounded (maxFilterLen,
// maxFilterDepth, maxFilterTerms) and never panics; String prints a
// canonical form that parses back to the same tree.

const (
	maxFilterLen   = 8 << 10 // bytes
	maxFilterDepth = 32      // nested groups, nots and value paths
	maxFilterTerms = 64      // comparisons and presence tests
)

// Expr is a parsed filter: one of *Compare, *Present, *Logical, *Not,
// *ValuePath.
type Expr interface {
	String() string
}

// Path names an attribute: an optional schema URN, the attribute and an
// optional sub-attribute (name.givenName), as written.
type Path struct {
	URN  string
	Attr string
	Sub  string
}

func (p Path) String() string {
	s := p.Attr
	if p.Sub != "" {
		s += "." + p.Sub
	}
	if p.URN != "" {
		s = p.URN + ":" + s
	}
	return s
}

// Compare is "path op value"; Value is a string, a json.Number, a bool or
// nil (null).
type Compare struct {
	Path  Path
	Op    string // lower case: eq ne co sw ew gt ge lt le
	Value any
}

func (c *Compare) String() string { return c.Path.String() + " " + c.Op + " " + literal(c.Value) }

// Present is "path pr".
type Present struct{ Path Path }

func (p *Present) String() string { return p.Path.String() + " pr" }

// Logical is "left and right" or "left or right".
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Expr
}

// String parenthesizes only where the grammar needs it (an or inside an
// and; a right operand of the same operator), so that printing never makes
// a filter nest deeper than it was written.
func (l *Logical) String() string {
	return grouped(l.Left, l.Op, false) + " " + l.Op + " " + grouped(l.Right, l.Op, true)
}

func grouped(x Expr, parent string, right bool) string {
	c, ok := x.(*Logical)
	if ok && (c.Op == parent && right || parent == "and" && c.Op == "or") {
		return "(" + c.String() + ")"
	}
	return x.String()
}

// Not is "not (x)".
type Not struct{ X Expr }

func (n *Not) String() string { return "not (" + n.X.String() + ")" }

// ValuePath is "path[filter]": the values of a multi-valued attribute that
// match filter, whose paths name sub-attributes of path.
type ValuePath struct {
	Path   Path
	Filter Expr
}

func (v *ValuePath) String() string { return v.Path.String() + "[" + v.Filter.String() + "]" }

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// ParseError is a filter or path that does not parse; ScimType is
// invalidFilter or invalidPath.
type ParseError struct {
	ScimType string
	Msg      string
}

func (e *ParseError) Error() string { return e.Msg }

// ParseFilter parses a filter expression.
func ParseFilter(s string) (Expr, error) {
	p, err := newParser(s, "invalidFilter")
	if err != nil {
		return nil, err
	}
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eof() {
		return nil, p.fail("unexpected %q", p.rest(12))
	}
	return x, nil
}

// PatchPath is the path of a PATCH operation: attrPath, or
// valuePath [ "." subAttr ].
type PatchPath struct {
	Path   Path // with Sub set when there is no Filter
	Filter Expr // nil without a value filter
	Sub    string
}

func (pp PatchPath) String() string {
	if pp.Filter == nil {
		return pp.Path.String()
	}
	s := pp.Path.String() + "[" + pp.Filter.String() + "]"
	if pp.Sub != "" {
		s += "." + pp.Sub
	}
	return s
}

// ParsePatchPath parses a PATCH operation's path.
func ParsePatchPath(s string) (PatchPath, error) {
	p, err := newParser(s, "invalidPath")
	if err != nil {
		return PatchPath{}, err
	}
	path, err := p.path()
	if err != nil {
		return PatchPath{}, err
	}
	out := PatchPath{Path: path}
	if p.peek() == '[' {
		if path.Sub != "" {
			return PatchPath{}, p.fail("a value filter follows an attribute, not a sub-attribute")
		}
		p.pos++
		p.depth++
		p.inVP = true
		f, err := p.or()
		if err != nil {
			return PatchPath{}, err
		}
		if p.space(); p.peek() != ']' {
			return PatchPath{}, p.fail("missing ]")
		}
		p.pos++
		out.Filter = f
		if p.peek() == '.' {
			p.pos++
			sub, err := p.name()
			if err != nil {
				return PatchPath{}, err
			}
			out.Sub = sub
		}
	}
	if !p.eof() {
		return PatchPath{}, p.fail("unexpected %q", p.rest(12))
	}
	return out, nil
}

type parser struct {
	s        string
	pos      int
	depth    int
	terms    int
	inVP     bool // inside a value path's [ ]: value paths do not nest
	scimType string
}

func newParser(s, scimType string) (*parser, error) {
	if len(s) > maxFilterLen {
		return nil, &ParseError{scimType, fmt.Sprintf("longer than %d bytes", maxFilterLen)}
	}
	if !utf8.ValidString(s) {
		return nil, &ParseError{scimType, "not valid UTF-8"}
	}
	return &parser{s: s, scimType: scimType}, nil
}

func (p *parser) fail(format string, args ...any) error {
	return &ParseError{p.scimType, fmt.Sprintf("at character %d: ", p.pos+1) + fmt.Sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

func (p *parser) rest(n int) string {
	r := p.s[p.pos:]
	if len(r) > n {
		r = r[:n] + "…"
	}
	return r
}

func (p *parser) space() {
	for !p.eof() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// keyword consumes kw (case-insensitive) when it is followed by a
// delimiter.
func (p *parser) keyword(kw string) bool {
	p.space()
	end := p.pos + len(kw)
	if end > len(p.s) || !strings.EqualFold(p.s[p.pos:end], kw) {
		return false
	}
	if end < len(p.s) && isNameChar(p.s[end]) {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Logical{Op: "or", Left: l, Right: r}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &Logical{Op: "and", Left: l, Right: r}
	}
	return l, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxFilterDepth {
		return p.fail("nested deeper than %d", maxFilterDepth)
	}
	return nil
}

func (p *parser) unary() (Expr, error) {
	p.space()
	if p.keyword("not") {
		p.space()
		if p.peek() != '(' {
			return nil, p.fail("not must be followed by (")
		}
		x, err := p.group()
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	}
	if p.peek() == '(' {
		return p.group()
	}
	return p.attrExp()
}

func (p *parser) group() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // (
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.space(); p.peek() != ')' {
		return nil, p.fail("missing )")
	}
	p.pos++
	p.depth--
	return x, nil
}

func (p *parser) attrExp() (Expr, error) {
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	if p.peek() == '[' {
		if path.Sub != "" || p.inVP {
			return nil, p.fail("a value filter cannot be nested or follow a sub-attribute")
		}
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.pos++
		p.inVP = true
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.space(); p.peek() != ']' {
			return nil, p.fail("missing ]")
		}
		p.pos++
		p.depth--
		p.inVP = false
		if p.peek() != '.' {
			return &ValuePath{Path: path, Filter: f}, nil
		}
		// emails[type eq "work"].value eq "x", which Entra ID sends (RFC
		// 7644's grammar has no such form): the values that match the
		// filter and whose sub-attribute matches the comparison, i.e.
		// emails[type eq "work" and value eq "x"].
		p.pos++
		sub, err := p.name()
		if err != nil {
			return nil, err
		}
		c, err := p.comparison(Path{Attr: sub})
		if err != nil {
			return nil, err
		}
		return &ValuePath{Path: path, Filter: &Logical{Op: "and", Left: f, Right: c}}, nil
	}
	return p.comparison(path)
}

// comparison reads what follows path in an attribute expression: "pr", or
// an operator and a value.
func (p *parser) comparison(path Path) (Expr, error) {
	p.terms++
	if p.terms > maxFilterTerms {
		return nil, p.fail("more than %d comparisons", maxFilterTerms)
	}
	if p.keyword("pr") {
		return &Present{Path: path}, nil
	}
	for _, op := range []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"} {
		if p.keyword(op) {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if v == nil && op != "eq" && op != "ne" {
				return nil, p.fail("%s cannot compare with null", op)
			}
			if _, isBool := v.(bool); isBool && op != "eq" && op != "ne" {
				return nil, p.fail("%s cannot compare with a boolean", op)
			}
			return &Compare{Path: path, Op: op, Value: v}, nil
		}
	}
	p.space()
	if p.eof() {
		return nil, p.fail("missing an operator after %s", path)
	}
	return nil, p.fail("unknown operator %q", p.rest(8))
}

func isNameChar(c byte) bool {
	return c == '-' || c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// name reads ATTRNAME (ALPHA *nameChar; "$ref" too).
func (p *parser) name() (string, error) {
	start := p.pos
	for !p.eof() && isNameChar(p.s[p.pos]) {
		p.pos++
	}
	n := p.s[start:p.pos]
	if n == "" {
		return "", p.fail("expected an attribute name")
	}
	if c := n[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || n == "$ref") {
		return "", p.fail("attribute name %q must start with a letter", n)
	}
	return n, nil
}

// path reads [URN ":"] ATTRNAME ["." subAttr].
func (p *parser) path() (Path, error) {
	p.space()
	start := p.pos
	if len(p.s)-p.pos > 4 && strings.EqualFold(p.s[p.pos:p.pos+4], "urn:") {
		// The URN runs to the last ':' before the end of the token.
		end := p.pos
		for end < len(p.s) && !strings.ContainsRune(" \t[]()", rune(p.s[end])) {
			end++
		}
		tok := p.s[p.pos:end]
		colon := strings.LastIndexByte(tok, ':')
		urn := tok[:colon]
		if colon <= 4 || strings.ContainsAny(urn, `"`) {
			return Path{}, p.fail("malformed schema URN")
		}
		p.pos += colon + 1
		path, err := p.plainPath()
		if err != nil {
			return Path{}, err
		}
		path.URN = urn
		return path, nil
	}
	path, err := p.plainPath()
	if err != nil {
		p.pos = start
		return Path{}, err
	}
	return path, nil
}

func (p *parser) plainPath() (Path, error) {
	attr, err := p.name()
	if err != nil {
		return Path{}, err
	}
	out := Path{Attr: attr}
	if p.peek() == '.' {
		p.pos++
		sub, err := p.name()
		if err != nil {
			return Path{}, err
		}
		out.Sub = sub
	}
	return out, nil
}

// value reads compValue: false / null / true / number / string.
func (p *parser) value() (any, error) {
	p.space()
	switch {
	case p.keyword("true"):
		return true, nil
	case p.keyword("false"):
		return false, nil
	case p.keyword("null"):
		return nil, nil
	case p.peek() == '"':
		start := p.pos
		p.pos++
		for !p.eof() && p.s[p.pos] != '"' {
			if p.s[p.pos] == '\\' {
				p.pos++
			}
			p.pos++
		}
		if p.eof() {
			return nil, p.fail("unterminated string")
		}
		p.pos++
		var s string
		if err := json.Unmarshal([]byte(p.s[start:p.pos]), &s); err != nil {
			return nil, p.fail("malformed string %s", p.s[start:p.pos])
		}
		return s, nil
	case p.peek() == '-' || p.peek() >= '0' && p.peek() <= '9':
		start := p.pos
		for !p.eof() && strings.IndexByte("+-.eE0123456789", p.s[p.pos]) >= 0 {
			p.pos++
		}
		n := json.Number(p.s[start:p.pos])
		if _, err := n.Float64(); err != nil || !json.Valid([]byte(n)) {
			return nil, p.fail("malformed number %s", n)
		}
		return n, nil
	}
	if p.eof() {
		return nil, p.fail("missing a value")
	}
	return nil, p.fail("expected a value (a quoted string, a number, true, false or null), found %q", p.rest(12))
}
