package policy

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Compiled is an immutable, pre-processed policy ready for [Evaluate]. It is
// safe for concurrent use.
type Compiled struct {
	doc    *Document
	stmts  []compiledStatement
	legacy bool
}

// Legacy returns a copy of c that matches a request's LegacyAction instead
// of its Action and Alternates (see [Request]). Policies written before an
// API's actions were renamed are evaluated this way, so they keep deciding
// exactly as they did.
func (c *Compiled) Legacy() *Compiled {
	cc := *c
	cc.legacy = true
	return &cc
}

// IsLegacy reports whether c was made by [Compiled.Legacy].
func (c *Compiled) IsLegacy() bool { return c.legacy }

// Document returns the document the policy was compiled from. Callers must
// not modify it.
func (c *Compiled) Document() *Document { return c.doc }

// NumStatements returns the number of statements.
func (c *Compiled) NumStatements() int { return len(c.stmts) }

type resourceMode uint8

const (
	resAll  resourceMode = iota // no Resource element
	resList                     // Resource
	resNot                      // NotResource
	resURI                      // Resource {"uri": [...]}, matched against Request.ResourceURI
)

// AgencyURIPrefix starts every URI of a Resource element's object form:
// Huawei documents exactly "/iam/agencies/<agency id>" (for
// iam:agencies:assume), of at most maxResourceURIChars characters.
const AgencyURIPrefix = "/iam/agencies/"

const maxResourceURIChars = 128

type compiledStatement struct {
	sid       string
	deny      bool
	notAction bool
	actions   []wildPattern // lower-cased patterns
	rawActs   []string      // patterns as written, for Explain
	resMode   resourceMode
	resources []resourcePattern
	conds     []compiledCondition
}

// resourcePattern is a resource URN pattern. When the service segment (up to
// the first ":") is wildcard-free it is held lower-cased in svc and matched
// case-insensitively, and rest is matched against the remainder.
type resourcePattern struct {
	raw  string
	svc  string
	rest wildPattern
}

type compiledCondition struct {
	op      operator
	opName  string   // as written
	keyName string   // as written
	raw     []string // values as written
	key     keyID
	arg     string // tag key or extra key name
	strs    []string
	nums    []float64
	times   []time.Time
	bools   []bool
	nets    []netip.Prefix
}

// Compile validates doc and pre-computes everything evaluation needs. It
// returns a *[ParseError] for documents [Parse] would reject (except for the
// size limit, which only applies to raw text). doc must not be modified
// afterwards.
func Compile(doc *Document) (*Compiled, error) {
	if doc == nil {
		return nil, errorf("", "nil document")
	}
	v5 := doc.Version == Version50
	switch doc.Version {
	case Version10, Version11, Version50:
	default:
		return nil, errorf("Version", "unsupported version %q (want \"1.0\", \"1.1\" or \"5.0\")", doc.Version)
	}
	if len(doc.Statement) == 0 {
		return nil, errorf("Statement", "must contain at least one statement")
	}
	if v5 && len(doc.Depends) > 0 {
		return nil, errorf("Depends", "unknown key in a version 5.0 policy")
	}
	c := &Compiled{doc: doc, stmts: make([]compiledStatement, len(doc.Statement))}
	for i := range doc.Statement {
		if err := compileStatement(&c.stmts[i], &doc.Statement[i], "Statement["+strconv.Itoa(i)+"]", v5); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func compileStatement(cs *compiledStatement, st *Statement, path string, v5 bool) error {
	switch st.Effect {
	case EffectAllow:
	case EffectDeny:
		cs.deny = true
	case "":
		return errorf(path+".Effect", "is required")
	default:
		return errorf(path+".Effect", "must be \"Allow\" or \"Deny\", got %q", st.Effect)
	}
	cs.sid = st.Sid
	if !v5 && (st.Sid != "" || st.NotAction != nil || st.NotResource != nil) {
		return errorf(path, "Sid, NotAction and NotResource need a version 5.0 policy")
	}

	actions, name := st.Action, "Action"
	switch {
	case st.Action != nil && st.NotAction != nil:
		return errorf(path, "Action and NotAction are mutually exclusive")
	case st.NotAction != nil:
		actions, name, cs.notAction = st.NotAction, "NotAction", true
	case st.Action == nil:
		return errorf(path+".Action", "is required")
	}
	if len(actions) == 0 {
		return errorf(path+"."+name, "must not be empty")
	}
	cs.actions = make([]wildPattern, len(actions))
	cs.rawActs = actions
	for j, a := range actions {
		if reason := checkAction(a); reason != "" {
			return errorf(path+"."+name+"["+strconv.Itoa(j)+"]", "%s: %q", reason, a)
		}
		cs.actions[j] = compilePattern(strings.ToLower(a))
	}

	resources, name := st.Resource, "Resource"
	switch {
	case st.Resource != nil && st.NotResource != nil:
		return errorf(path, "Resource and NotResource are mutually exclusive")
	case st.ResourceURI != nil && (st.Resource != nil || st.NotResource != nil):
		return errorf(path, "Resource {\"uri\": [...]} excludes a Resource list and NotResource")
	case st.ResourceURI != nil && v5:
		return errorf(path+".Resource", "the object form {\"uri\": [...]} needs a version 1.x policy")
	case st.ResourceURI != nil:
		resources, name, cs.resMode = st.ResourceURI, "Resource.uri", resURI
	case st.NotResource != nil:
		resources, name, cs.resMode = st.NotResource, "NotResource", resNot
	case st.Resource != nil:
		cs.resMode = resList
	}
	if cs.resMode != resAll && len(resources) == 0 {
		return errorf(path+"."+name, "must not be empty")
	}
	for j, r := range resources {
		rpath := path + "." + name + "[" + strconv.Itoa(j) + "]"
		if r == "" {
			return errorf(rpath, "must not be empty")
		}
		if cs.resMode == resURI {
			if reason := checkURI(r); reason != "" {
				return errorf(rpath, "%s: %q", reason, r)
			}
			// A URI is matched case-sensitively as a whole.
			cs.resources = append(cs.resources, resourcePattern{raw: r, rest: compilePattern(r)})
			continue
		}
		cs.resources = append(cs.resources, compileResource(r))
	}

	return compileConditions(cs, st.Condition, path+".Condition")
}

// checkAction validates "service:resource:verb" (parts of [A-Za-z0-9_-] plus
// the wildcards "*" and "?"); fewer parts are allowed when the last is "*"
// ("*", "iam:*"). It returns a reason, or "" when a is valid.
func checkAction(a string) string {
	parts := strings.Split(a, ":")
	if len(parts) > 3 {
		return "action must have the form service:resource:verb"
	}
	for _, p := range parts {
		if p == "" {
			return "action has an empty part"
		}
		for _, r := range p {
			if !isNameRune(r) && r != '*' && r != '?' {
				return "action contains an invalid character"
			}
		}
	}
	if len(parts) < 3 && parts[len(parts)-1] != "*" {
		return "action must have the form service:resource:verb"
	}
	return ""
}

// checkURI validates a URI of a Resource element's object form: the
// documented "/iam/agencies/<agency id>", the id non-empty and without
// "/" (it may hold the wildcards "*" and "?"), at most maxResourceURIChars
// characters. It returns a reason, or "" when u is valid.
func checkURI(u string) string {
	if n := utf8.RuneCountInString(u); n > maxResourceURIChars {
		return "URI has " + strconv.Itoa(n) + " characters, limit is " + strconv.Itoa(maxResourceURIChars)
	}
	id, ok := strings.CutPrefix(u, AgencyURIPrefix)
	if !ok || id == "" || strings.IndexByte(id, '/') >= 0 {
		return "URI must have the form " + AgencyURIPrefix + "<agency id>"
	}
	return ""
}

func compileResource(r string) resourcePattern {
	p := resourcePattern{raw: r, rest: compilePattern(r)}
	if colon := strings.IndexByte(r, ':'); colon >= 0 && !hasWildcard(r[:colon]) {
		p.svc, p.rest = strings.ToLower(r[:colon]), compilePattern(r[colon+1:])
	}
	return p
}

// match reports whether resource matches; ascii tells whether resource is
// ASCII, which enables the byte-wise matcher.
func (p *resourcePattern) match(resource string, ascii bool) bool {
	if p.svc != "" {
		colon := strings.IndexByte(resource, ':')
		if colon < 0 || !strings.EqualFold(resource[:colon], p.svc) {
			return false
		}
		resource = resource[colon+1:]
	}
	if ascii {
		return matchASCII(&p.rest, resource)
	}
	return matchWildcard(p.rest.pat, resource, false)
}

func compileConditions(cs *compiledStatement, cond Condition, path string) error {
	ops := make([]string, 0, len(cond))
	for op := range cond {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, opName := range ops {
		opPath := path + "." + opName
		op, reason := parseOperator(opName)
		if reason != "" {
			return errorf(opPath, "%s", reason)
		}
		keys := make([]string, 0, len(cond[opName]))
		for k := range cond[opName] {
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			return errorf(opPath, "must contain at least one condition key")
		}
		sort.Strings(keys)
		seen := make(map[string]string, len(keys))
		for _, keyName := range keys {
			keyPath := opPath + "." + keyName
			lower := strings.ToLower(keyName)
			if prev, dup := seen[lower]; dup {
				return errorf(keyPath, "duplicates condition key %q (keys are case-insensitive)", prev)
			}
			seen[lower] = keyName
			cc, err := compileCondition(op, opName, keyName, cond[opName][keyName], keyPath)
			if err != nil {
				return err
			}
			cs.conds = append(cs.conds, cc)
		}
	}
	return nil
}

func compileCondition(op operator, opName, keyName string, values []string, path string) (compiledCondition, error) {
	cc := compiledCondition{op: op, opName: opName, keyName: keyName, raw: values}
	id, arg, reason := resolveKey(keyName)
	if reason != "" {
		return cc, errorf(path, "%s", reason)
	}
	cc.key, cc.arg = id, arg
	if !op.accepts(id.valueType()) {
		return cc, errorf(path, "operator %s cannot be used with this key", opName)
	}
	if len(values) == 0 {
		return cc, errorf(path, "must list at least one value")
	}
	for j, v := range values {
		vpath := path + "[" + strconv.Itoa(j) + "]"
		switch op.fam {
		case famStringEquals, famStringEqualsFold, famStringLike, famStringStartWith, famStringEndWith:
			cc.strs = append(cc.strs, v)
		case famNumeric:
			f, ok := parseNumber(v)
			if !ok {
				return cc, errorf(vpath, "not a number: %q", v)
			}
			cc.nums = append(cc.nums, f)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return cc, errorf(vpath, "not an RFC 3339 date or epoch seconds: %q", v)
			}
			cc.times = append(cc.times, t)
		case famBool, famNull:
			b, ok := parseBool(v)
			if !ok {
				return cc, errorf(vpath, "not a boolean: %q", v)
			}
			cc.bools = append(cc.bools, b)
		case famIP:
			p, ok := parsePrefix(v)
			if !ok {
				return cc, errorf(vpath, "not an IP address or CIDR block: %q", v)
			}
			cc.nets = append(cc.nets, p)
		}
	}
	return cc, nil
}

// parseNumber parses a finite decimal number. It does not allocate: the
// syntax is checked first so strconv never builds an error.
func parseNumber(s string) (float64, bool) {
	if !isDecimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// isDecimal reports whether s is [+-]digits[.digits][(e|E)[+-]digits].
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits := i - start
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		digits += i - fs
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		es := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == es {
			return false
		}
	}
	return i == len(s)
}

// parseDate accepts RFC 3339 (with optional fractional seconds) or integer
// epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if sec, ok := parseEpoch(s); ok {
		return time.Unix(sec, 0).UTC(), true
	}
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// parseEpoch parses an optionally signed integer of at most 12 digits.
func parseEpoch(s string) (int64, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 12 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parsePrefix parses a CIDR block or a single address (as a /32 or /128).
// IPv4-mapped IPv6 addresses are unmapped.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
