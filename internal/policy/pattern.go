package policy

import "strings"

// patKind classifies a wildcard pattern for fast matching.
type patKind uint8

const (
	patExact  patKind = iota // no wildcard
	patStar                  // exactly one '*' and no '?': prefix*suffix
	patGlobal                // anything else
)

// wildPattern is a pre-analysed wildcard pattern (see matchWildcard).
type wildPattern struct {
	pat    string
	prefix string // literal text before the first wildcard
	suffix string // literal text after the last wildcard
	kind   patKind
}

func compilePattern(p string) wildPattern {
	wp := wildPattern{pat: p, kind: patGlobal}
	first := strings.IndexAny(p, "*?")
	if first < 0 {
		wp.kind, wp.prefix = patExact, p
		return wp
	}
	last := strings.LastIndexAny(p, "*?")
	wp.prefix, wp.suffix = p[:first], p[last+1:]
	if first == last && p[first] == '*' {
		wp.kind = patStar
	}
	return wp
}

// matchASCII matches s against the pattern byte by byte. It is exact
// whenever s is ASCII (one byte per character); callers fall back to
// matchWildcard otherwise.
func matchASCII[S string | []byte](p *wildPattern, s S) bool {
	switch p.kind {
	case patExact:
		return len(s) == len(p.pat) && hasPrefix(s, p.pat)
	case patStar:
		return len(s) >= len(p.prefix)+len(p.suffix) && hasPrefix(s, p.prefix) && hasSuffix(s, p.suffix)
	}
	if !hasPrefix(s, p.prefix) || !hasSuffix(s, p.suffix) {
		return false
	}
	return wildBytes(p.pat, s)
}

func hasPrefix[S string | []byte](s S, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i] != prefix[i] {
			return false
		}
	}
	return true
}

func hasSuffix[S string | []byte](s S, suffix string) bool {
	off := len(s) - len(suffix)
	if off < 0 {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if s[off+i] != suffix[i] {
			return false
		}
	}
	return true
}

// wildBytes is matchWildcard on bytes: '?' matches exactly one byte.
func wildBytes[S string | []byte](pat string, s S) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) {
			if pat[p] == '*' {
				p++
				starP, starI = p, i
				continue
			}
			if pat[p] == '?' || pat[p] == s[i] {
				p++
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP, starI
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// isASCII reports whether s has only 7-bit characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maxFastAction is the longest action lower-cased on the stack by Evaluate.
const maxFastAction = 256

// subject is the request's action and resource prepared once per Evaluate.
type subject struct {
	action        string
	lowerAction   []byte // lower-cased action when actionFast
	actionFast    bool   // action is ASCII and at most maxFastAction bytes
	resource      string
	resourceASCII bool
	uri           string // Request.ResourceURI
	uriASCII      bool
}

// newSubject prepares req for matching. When the action is ASCII and short
// enough it is lower-cased into buf and n is its length; otherwise n is -1.
// The caller sets lowerAction = buf[:n] itself so that buf, a local array,
// stays on the caller's stack.
func newSubject(req *Request, buf *[maxFastAction]byte) (sub subject, n int) {
	sub.action, sub.resource = req.Action, req.Resource
	sub.resourceASCII = isASCII(req.Resource)
	sub.uri, sub.uriASCII = req.ResourceURI, isASCII(req.ResourceURI)
	a := req.Action
	if len(a) > maxFastAction || !isASCII(a) {
		return sub, -1
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	sub.actionFast = true
	return sub, len(a)
}
