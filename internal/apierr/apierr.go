package apierr

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Def is one row of the error-code table.
type Def struct {
	Status int    // HTTP status
	Code   string // error_code, e.g. "IIC.1216"
	Msg    string // error_msg template; {0}, {1}, ... are filled by New
	Desc   string // the table's description column
	Kind   Kind   // the table's kind column: what went wrong, for surfaces with their own dialect
}

// New returns an *Error for this row. args fill the {0}, {1}, ... placeholders
// of Msg in order; a placeholder without an argument is filled with the row's
// description so that no message ever shows a raw "{0}".
func (d Def) New(args ...string) *Error {
	return &Error{Def: d, Message: fill(d.Msg, d.Desc, args)}
}

// Is reports whether err is an *Error built from this row.
func (d Def) Is(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Def == d
}

// Error is an API error that carries its table row and the final message,
// and optionally details a surface may render: the unique key that clashed
// (WithKey) and the resource the error is about (About). The product's
// envelope shows neither.
type Error struct {
	Def     Def
	Message string

	key            string
	resType, resID string
}

// WithKey records which unique key clashed (e.g. "user_name", "email",
// "external_id", "display_name") and returns e.
func (e *Error) WithKey(key string) *Error {
	e.key = key
	return e
}

// About records the type ("user", "group", "member", ...) and id of the
// resource the error is about and returns e.
func (e *Error) About(resourceType, id string) *Error {
	e.resType, e.resID = resourceType, id
	return e
}

// Key is the unique key WithKey recorded, or "".
func (e *Error) Key() string { return e.key }

// Resource is what About recorded, or "", "".
func (e *Error) Resource() (resourceType, id string) { return e.resType, e.resID }

// Kind is the row's kind.
func (e *Error) Kind() Kind { return e.Def.Kind }

func (e *Error) Error() string { return e.Def.Code + ": " + e.Message }

// Status is the HTTP status to answer with.
func (e *Error) Status() int { return e.Def.Status }

// From returns the *Error inside err, if any.
func From(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// MaxArgLen bounds each argument placed into a message: messages often
// quote client input, which must not come back at full length.
const MaxArgLen = 1024

// bounded cuts s to MaxArgLen bytes at a rune boundary, marking the cut.
func bounded(s string) string {
	if len(s) <= MaxArgLen {
		return s
	}
	cut := MaxArgLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

func fill(tmpl, desc string, args []string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '{' {
			if end := strings.IndexByte(tmpl[i:], '}'); end > 1 {
				n, ok := atoi(tmpl[i+1 : i+end])
				if ok {
					v := strings.TrimSuffix(desc, ".")
					if n < len(args) {
						v = bounded(args[n])
					}
					// Templates such as "Bad Request: {0}." already end in a period.
					if i+end+1 < len(tmpl) && tmpl[i+end+1] == '.' {
						v = strings.TrimRight(v, ".")
					}
					b.WriteString(v)
					i += end
					continue
				}
			}
		}
		b.WriteByte(tmpl[i])
	}
	return b.String()
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 2 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
