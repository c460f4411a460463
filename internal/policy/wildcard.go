package policy

import (
	"unicode"
	"unicode/utf8"
)

// matchWildcard reports whether s matches pattern, where "*" matches any run
// of characters (also empty, also ":") and "?" exactly one character; all
// other characters match themselves. With fold, pattern must already be
// lower-cased (strings.ToLower) and s is lower-cased rune by rune on the
// fly, which makes the match case-insensitive. It never allocates.
func matchWildcard(pattern, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			pc, pw := decodeRune(pattern, p)
			if pc == '*' {
				p += pw
				starP, starI = p, i
				continue
			}
			sc, sw := decodeRune(s, i)
			if pc == '?' || runeEqual(pc, pattern[p:p+pw], sc, s[i:i+sw], fold) {
				p += pw
				i += sw
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last star swallow one more character and retry.
		_, sw := decodeRune(s, starI)
		starI += sw
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func runeEqual(pc rune, praw string, sc rune, sraw string, fold bool) bool {
	if fold {
		return pc == unicode.ToLower(sc)
	}
	return praw == sraw
}

// hasWildcard reports whether s contains "*" or "?".
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}
