package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// User names are kept in one canonical form, so that two spellings a person
// cannot tell apart are one name: on every write the name passes
// validUserName's rules (2 to 128 characters, nothing invisible) and is then
// enforced by the PRECIS UsernameCasePreserved profile (RFC 8265): Unicode
// NFC, fullwidth and halfwidth forms mapped to their ordinary width
// ("ａｄｍｉｎ" is "admin", and so taken if "admin" is), and characters outside
// the identifier class (symbols and punctuation beyond ASCII, emoji, ...)
// refused. Case is kept; uniqueness stays case-insensitive. Look-ups by user
// name (ListUsers, GetUserID, SCIM's userName eq) canonicalize the same way.

// canonicalUserName validates name and returns its canonical form.
func canonicalUserName(name string) (string, error) {
	if err := validUserName(name); err != nil {
		return "", err
	}
	out, err := precis.UsernameCasePreserved.String(name)
	if err != nil {
		return "", badRequest("user_name may hold letters, digits and ASCII symbols (RFC 8265 UsernameCasePreserved); %q holds other characters", name)
	}
	if err := validUserName(out); err != nil { // the mapping may shorten it
		return "", err
	}
	return out, nil
}

// lookupUserName is the canonical form of a name being looked up; a name
// that has none matches nothing, so it is returned as given.
func lookupUserName(name string) string {
	if out, err := precis.UsernameCasePreserved.String(name); err == nil {
		return out
	}
	return name
}

// Group display names are free text (spaces, punctuation, any script), so
// they keep what was written except for Unicode normalization: the stored
// form is NFC, so that canonically equivalent spellings (a precomposed "é"
// and "e" + U+0301) are one name for uniqueness and look-ups, and a client
// reads back what it sees. Compatibility forms (fullwidth letters,
// ligatures) stay distinct: NFKC would change text a person wrote.
func canonicalDisplayName(name string) string { return norm.NFC.String(name) }

// UserNameKey is a fixed-size digest of a user name as look-ups compare it
// (canonical form, case-folded): every spelling that names one user has
// one key, whether or not such a user exists (sign-in counts failures per
// key).
func UserNameKey(name string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(lookupUserName(name))))
	return hex.EncodeToString(sum[:])
}
