package policy

import (
	"net/netip"
	"strings"
	"time"
)

// reqValues is a non-allocating view of a key's values in a request context.
type reqValues struct {
	kind valueType // typeString/typeAny use s or ss; others their field
	n    int       // number of values; 0 = absent
	s    string
	ss   []string
	ip   netip.Addr
	t    time.Time
	b    bool
}

// lookup fetches the request values of the condition's key.
func (c *compiledCondition) lookup(ctx *Context) reqValues {
	var v reqValues
	str := func(s string) reqValues {
		if s == "" {
			return reqValues{kind: typeString}
		}
		return reqValues{kind: typeString, n: 1, s: s}
	}
	switch c.key {
	case keyUserID:
		return str(ctx.UserID)
	case keyUserName:
		return str(ctx.UserName)
	case keyDomainName:
		return str(ctx.DomainName)
	case keyDomainID:
		return str(ctx.DomainID)
	case keyPrincipalAccount:
		return str(ctx.PrincipalAccount)
	case keyPrincipalURN:
		return str(ctx.PrincipalURN)
	case keyRequestedRegion:
		return str(ctx.RequestedRegion)
	case keyPrincipalTag:
		v.kind = typeString
		for i := range ctx.PrincipalTags {
			if strings.EqualFold(ctx.PrincipalTags[i].Key, c.arg) {
				v.n, v.s = 1, ctx.PrincipalTags[i].Value
				break
			}
		}
	case keySourceIP:
		v.kind = typeIP
		if ctx.SourceIP.IsValid() {
			v.n, v.ip = 1, ctx.SourceIP.Unmap()
		}
	case keyCurrentTime, keyEpochTime:
		v.kind = typeTime
		if !ctx.CurrentTime.IsZero() {
			v.n, v.t = 1, ctx.CurrentTime
		}
	case keyMFAPresent, keySecureTransport:
		o := ctx.MFAPresent
		if c.key == keySecureTransport {
			o = ctx.SecureTransport
		}
		v.kind = typeBool
		v.b, v.n = o == BoolTrue, 0
		if o != BoolAbsent {
			v.n = 1
		}
	case keyTagKeys:
		v.kind, v.ss, v.n = typeStrings, ctx.TagKeys, len(ctx.TagKeys)
	case keyExtra:
		v.kind = typeStrings
		for i := range ctx.Extra {
			if strings.EqualFold(ctx.Extra[i].Key, c.arg) {
				v.ss, v.n = ctx.Extra[i].Values, len(ctx.Extra[i].Values)
				break
			}
		}
	}
	return v
}

// eval reports whether the condition holds for ctx.
func (c *compiledCondition) eval(ctx *Context) bool {
	v := c.lookup(ctx)
	return c.evalValues(&v)
}

func (c *compiledCondition) evalValues(v *reqValues) bool {
	op := c.op
	if op.fam == famNull {
		absent := v.n == 0
		for _, b := range c.bools {
			if b == absent {
				return true
			}
		}
		return false
	}
	if v.n == 0 {
		return op.ifExists || op.qual == qualAllValues
	}
	switch op.qual {
	case qualAnyValue:
		for i := 0; i < v.n; i++ {
			if c.pred(v, i) {
				return true
			}
		}
		return false
	case qualAllValues:
		for i := 0; i < v.n; i++ {
			if !c.pred(v, i) {
				return false
			}
		}
		return true
	}
	if !op.negated {
		for i := 0; i < v.n; i++ {
			if c.pred(v, i) {
				return true
			}
		}
		return false
	}
	for i := 0; i < v.n; i++ {
		if !c.pred(v, i) {
			return false
		}
	}
	return true
}

// pred applies the operator, negation included, to request value i. A value
// that cannot be interpreted for the operator (e.g. "abc" for a Numeric
// operator) never satisfies it.
func (c *compiledCondition) pred(v *reqValues, i int) bool {
	m, ok := c.matchAny(v, i)
	return ok && m != c.op.negated
}

// matchAny reports whether request value i matches any of the policy values
// under the positive form of the operator; ok is false when the value cannot
// be interpreted.
func (c *compiledCondition) matchAny(v *reqValues, i int) (match, ok bool) {
	switch c.op.fam {
	case famStringEquals, famStringEqualsFold, famStringLike, famStringStartWith, famStringEndWith:
		s := v.str(i)
		for _, p := range c.strs {
			if matchString(c.op.fam, p, s) {
				return true, true
			}
		}
		return false, true
	case famBool:
		b, ok := v.boolAt(i)
		if !ok {
			return false, false
		}
		for _, p := range c.bools {
			if p == b {
				return true, true
			}
		}
		return false, true
	case famIP:
		a, ok := v.ipAt(i)
		if !ok {
			return false, false
		}
		for _, p := range c.nets {
			if p.Contains(a) {
				return true, true
			}
		}
		return false, true
	case famNumeric:
		f, ok := v.numberAt(i)
		if !ok {
			return false, false
		}
		for _, p := range c.nums {
			if compare(c.op.cmp, cmpFloat(f, p)) {
				return true, true
			}
		}
		return false, true
	case famDate:
		t, ok := v.timeAt(i)
		if !ok {
			return false, false
		}
		for _, p := range c.times {
			if compare(c.op.cmp, t.Compare(p)) {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

func matchString(fam family, p, s string) bool {
	switch fam {
	case famStringEquals:
		return p == s
	case famStringEqualsFold:
		return strings.EqualFold(p, s)
	case famStringLike:
		return matchWildcard(p, s, false)
	case famStringStartWith:
		return strings.HasPrefix(s, p)
	case famStringEndWith:
		return strings.HasSuffix(s, p)
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

func compare(op cmpOp, c int) bool {
	switch op {
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	}
	return c == 0
}

// str returns value i as a string (string-typed keys only; the parser
// rejects string operators on other built-in keys).
func (v *reqValues) str(i int) string {
	if v.ss != nil {
		return v.ss[i]
	}
	return v.s
}

func (v *reqValues) boolAt(i int) (bool, bool) {
	if v.kind == typeBool {
		return v.b, true
	}
	return parseBool(v.str(i))
}

func (v *reqValues) ipAt(i int) (netip.Addr, bool) {
	if v.kind == typeIP {
		return v.ip, true
	}
	a, err := netip.ParseAddr(v.str(i))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func (v *reqValues) numberAt(i int) (float64, bool) {
	if v.kind == typeTime { // g:EpochTime
		return float64(v.t.Unix()) + float64(v.t.Nanosecond())/1e9, true
	}
	return parseNumber(v.str(i))
}

func (v *reqValues) timeAt(i int) (time.Time, bool) {
	if v.kind == typeTime {
		return v.t, true
	}
	return parseDate(v.str(i))
}
