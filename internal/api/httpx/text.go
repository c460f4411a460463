package httpx

import (
	"strconv"
	"unicode/utf16"
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
