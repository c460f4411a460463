package mapping

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// template is a local string with positional placeholders, in the subset
// of Python's str.format that Keystone mappings use: {N}, {} (the next
// position) and {{ / }} for literal braces.
type template struct {
	src   string
	parts []part
	// names is nameList of the template when it has no placeholder.
	names []string
}

// part is literal text (arg < 0) or a placeholder for argument arg.
type part struct {
	lit string
	arg int
}

// parseTemplate parses s; direct is how many arguments the rule provides,
// and a placeholder beyond them is an error.
func parseTemplate(path, s string, direct int) (*template, error) {
	t := &template{src: s}
	var lit strings.Builder
	auto, manual := 0, false
	usedAuto := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, errAt(path, "has a single '}': write '}}' for a literal brace")
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, errAt(path, "has a '{' without its '}': write '{{' for a literal brace")
			}
			field := s[i+1 : i+end]
			var n int
			if field == "" {
				if manual {
					return nil, errAt(path, "mixes {} with numbered placeholders")
				}
				n, usedAuto = auto, true
				auto++
			} else {
				v, err := strconv.Atoi(field)
				if err != nil || v < 0 || field[0] == '+' || field[0] == '-' {
					return nil, errAt(path, "has the placeholder {%s}: only {0}, {1}, … (the rule's direct mappings) and {} are supported", field)
				}
				if usedAuto {
					return nil, errAt(path, "mixes {} with numbered placeholders")
				}
				n, manual = v, true
			}
			if n >= direct {
				return nil, errAt(path, "refers to {%d}, but the rule's remote has %d direct mapping(s) (conditions without any_one_of / not_any_of), numbered from {0}", n, direct)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, part{lit: lit.String(), arg: -1})
				lit.Reset()
			}
			t.parts = append(t.parts, part{arg: n})
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 || len(t.parts) == 0 {
		t.parts = append(t.parts, part{lit: lit.String(), arg: -1})
	}
	if len(t.parts) == 1 && t.parts[0].arg < 0 {
		t.names = nameList(t.parts[0].lit)
	}
	return t, nil
}

// nameList renders the template as a list of names ("groups",
// "group_ids"): nameList of render(args), without the detour through
// Python's list notation where the template is one placeholder.
func (t *template) nameList(args [][]string) []string {
	if t.names != nil {
		return t.names
	}
	if len(t.parts) == 1 {
		if values := args[t.parts[0].arg]; len(values) != 1 {
			return values
		}
	}
	return nameList(t.render(args))
}

// render substitutes args: an argument with one value gives that value,
// any other number of values their list in Python's notation (['a', 'b'],
// [] for none), as Keystone's str.format of a list does.
// A nil template renders as "".
func (t *template) render(args [][]string) string {
	if t == nil {
		return ""
	}
	if len(t.parts) == 1 {
		p := t.parts[0]
		if p.arg < 0 {
			return p.lit
		}
		return argString(args[p.arg])
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.arg < 0 {
			b.WriteString(p.lit)
		} else {
			b.WriteString(argString(args[p.arg]))
		}
	}
	return b.String()
}

func argString(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		writePyRepr(&b, v)
	}
	b.WriteByte(']')
	return b.String()
}

// writePyRepr writes s as Python's repr() does for a str: single quotes
// unless s contains ' and no ", backslash escapes for the quote, the
// backslash and control characters.
func writePyRepr(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatInt(int64(r)|0x100, 16)[1:])
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

// nameList reads the rendered value of "groups" or "group_ids" as Keystone
// does with ast.literal_eval: a list of string literals (Python's or
// JSON's notation, e.g. ["a", "b"] or ['a', 'b']) is that list; anything
// else is one name.
func nameList(s string) []string {
	if list, ok := parseStringList(s); ok {
		return list
	}
	return []string{s}
}

// parseStringList parses a bracketed list of quoted strings with Python's
// escapes (\\ \' \" \n \r \t \xNN \uNNNN); whitespace and one trailing
// comma are allowed.
func parseStringList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	s = s[1 : len(s)-1]
	out := []string{}
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return out, true
		}
		v, rest, ok := parseQuoted(s)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		rest = strings.TrimLeft(rest, " \t\r\n")
		if rest == "" {
			return out, true
		}
		if rest[0] != ',' {
			return nil, false
		}
		s = rest[1:]
	}
}

func parseQuoted(s string) (value, rest string, ok bool) {
	q := s[0]
	if q != '\'' && q != '"' {
		return "", "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			switch e := s[i]; e {
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'x', 'u':
				n := 2
				if e == 'u' {
					n = 4
				}
				if i+n >= len(s) {
					return "", "", false
				}
				v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
				if err != nil {
					return "", "", false
				}
				b.WriteRune(rune(v))
				i += n
			default:
				return "", "", false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
