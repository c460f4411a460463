package httpx

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// HasLoneSurrogate reports whether body holds a \u escape of a surrogate
// that is not half of a high-low pair: encoding/json decodes it to U+FFFD
// without an error, so a server would store something other than what was
// sent. Escapes are found as a JSON scanner
// would: a backslash escapes the next character, in strings only.
func HasLoneSurrogate(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '"':
			inString = !inString
		case !inString || c != '\\':
		case i+1 < len(body) && body[i+1] != 'u':
			i++ // \", \\, \n ...: skip the escaped character
		default:
			r, ok := escapeAt(body, i)
			if !ok {
				continue // malformed: the decoder says so
			}
			switch {
			case utf16.IsSurrogate(r) && r < 0xDC00: // high: a low must follow
				lo, ok := escapeAt(body, i+6)
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return true
				}
				i += 11
			case utf16.IsSurrogate(r):
				return true // a low without a high
			default:
				i += 5
			}
		}
	}
	return false
}

// escapeAt reads the \uXXXX escape at body[i:].
func escapeAt(body []byte, i int) (rune, bool) {
	if i+6 > len(body) || body[i] != '\\' || body[i+1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
	return rune(v), err == nil
}

// textProblem is the first text rule a JSON body breaks (checkText).
type textProblem int

const (
	textOK            textProblem = iota
	textNotUTF8                   // bytes that are not UTF-8 (RFC 8259 §8.1)
	textLoneSurrogate             // a \u escape of a surrogate that is not half of a pair (HasLoneSurrogate)
	textNUL                       // a \u0000 escape
)

// checkText checks, in one pass, the text rules of a JSON body that
// encoding/json decoded: it is UTF-8 (encoding/json would turn other bytes
// into U+FFFD and store that), holds no escape of a lone surrogate (decoded
// to U+FFFD too) and no \u0000 escape (no name, id or filter may contain
// NUL, and PostgreSQL refuses it in text: the write would fail with a 500).
// It reports the first of those rules in that order that body breaks.
//
// body must be JSON text but for its encoding (what encoding/json accepts):
// then every byte outside strings is ASCII and every backslash is an
// escape inside a string, so only strings need reading. Any other input is
// read without a panic, with no promise about the answer.
func checkText(body []byte) textProblem {
	lone, nul := false, false
	for i := 0; i < len(body); {
		open := bytes.IndexByte(body[i:], '"')
		if open < 0 {
			break
		}
		i += open + 1
	string:
		for i < len(body) {
			switch c := body[i]; {
			case c == '"':
				i++
				break string
			case c == '\\' && i+1 < len(body) && body[i+1] == 'u':
				r, ok := escapeAt(body, i)
				switch {
				case !ok:
					i += 2
				case utf16.IsSurrogate(r) && r < 0xDC00: // high: a low must follow
					if lo, ok := escapeAt(body, i+6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
						i += 12
						continue
					}
					lone = true
					i += 6
				default:
					lone = lone || utf16.IsSurrogate(r) // a low without a high
					nul = nul || r == 0
					i += 6
				}
			case c == '\\':
				i += 2 // \", \\, \n ...: the escaped character is not a quote
			case c < utf8.RuneSelf:
				i++
			default:
				_, size := utf8.DecodeRune(body[i:])
				if size == 1 {
					return textNotUTF8 // the first rule: no need to read on
				}
				i += size
			}
		}
	}
	switch {
	case lone:
		return textLoneSurrogate
	case nul:
		return textNUL
	}
	return textOK
}
