package policy

import (
	"errors"
	"fmt"
)

// MaxDocumentChars is the largest accepted policy document, counted in
// characters (runes) of the raw text, whitespace included.
const MaxDocumentChars = 6144

// ErrTooLarge is wrapped by the error [Parse] returns for documents longer
// than [MaxDocumentChars] characters; test for it with errors.Is.
var ErrTooLarge = errors.New("policy document too large")

// ParseError reports why a policy document was rejected. Path is the JSON
// path of the offending element (e.g. "Statement[2].Action[0]"), or empty
// when the problem concerns the whole document.
type ParseError struct {
	Path   string
	Reason string

	err error // optional sentinel, exposed through Unwrap
}

// Error returns "<Path>: <Reason>", or just Reason when Path is empty.
func (e *ParseError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// Unwrap returns the sentinel error this error stands for, if any
// (currently only [ErrTooLarge]).
func (e *ParseError) Unwrap() error { return e.err }

func errorf(path, format string, args ...any) *ParseError {
	return &ParseError{Path: path, Reason: fmt.Sprintf(format, args...)}
}
