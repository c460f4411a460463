package scim

import (
	"encoding/json"
	"strings"
	"testing"
)

// The filter examples of RFC 7644 §3.4.2.2 parse, and print canonically.
func TestParseFilterRFCExamples(t *testing.T) {
	for in, want := range map[string]string{
		`(a eq 1 or b eq 2) and c eq 3`:                              `(a eq 1 or b eq 2) and c eq 3`,
		`a eq 1 or (b eq 2 or c eq 3)`:                               `a eq 1 or (b eq 2 or c eq 3)`,
		`userName Eq "john"`:                                         `userName eq "john"`,
		`Username eq "john"`:                                         `Username eq "john"`,
		`name.familyName co "O'Malley"`:                              `name.familyName co "O'Malley"`,
		`userName sw "J"`:                                            `userName sw "J"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`: `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
		`title pr`: `title pr`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`:                                                       `meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`title pr and userType eq "Employee"`:                                                               `title pr and userType eq "Employee"`,
		`title pr or userType eq "Intern"`:                                                                  `title pr or userType eq "Intern"`,
		`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`:                           `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
		`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`:             `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`:         `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		`userType eq "Employee" and (emails.type eq "work")`:                                                `userType eq "Employee" and emails.type eq "work"`,
		`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`:                     `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`: `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		`emails[type eq "work"].value eq "x@example.com"`:                                                   `emails[type eq "work" and value eq "x@example.com"]`,
		`emails[type eq "work" or type eq "home"].value sw "b"`:                                             `emails[(type eq "work" or type eq "home") and value sw "b"]`,
		`a eq 1 or b eq 2 and c eq 3`:                                                                       `a eq 1 or b eq 2 and c eq 3`,
		`active eq true`:                                                                                    `active eq true`,
		`x eq null`:                                                                                         `x eq null`,
		`x eq "a\"b\\c\u00e9"`:                                                                              `x eq "a\"b\\cé"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`:                   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`,
	} {
		f, err := ParseFilter(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := f.String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, in := range []string{
		``, `userName`, `userName eq`, `userName xx "a"`, `userName eq "unterminated`, `(userName eq "a"`, `userName eq "a")`,
		`not userName eq "a"`, `emails[type eq "work"`, `emails[type eq "a"[x eq "b"]]`, `userName gt true`, `userName co null`,
		`1abc eq "a"`, `userName eq 01x`, `userName eq "a" and`, `userName eq "a" extra`, `urn:: eq "a"`,
		`emails[type eq "work"].value`, `emails[type eq "work"].`, `emails[type eq "work"].value eq`, `emails[type eq "work"].value[x eq "y"]`,
		strings.Repeat("(", 100) + `a eq "b"` + strings.Repeat(")", 100),
		strings.Repeat(`a eq "b" or `, 100) + `a eq "b"`,
		strings.Repeat("x", maxFilterLen+1),
	} {
		if f, err := ParseFilter(in); err == nil {
			t.Errorf("%.60q parsed as %s, want an error", in, f)
		} else if pe, ok := err.(*ParseError); !ok || pe.ScimType != "invalidFilter" {
			t.Errorf("%.60q: %v, want an invalidFilter ParseError", in, err)
		}
	}
}

func TestParsePatchPath(t *testing.T) {
	for in, want := range map[string]string{
		`members`:                      `members`,
		`name.familyName`:              `name.familyName`,
		`members[value eq "2819c223"]`: `members[value eq "2819c223"]`,
		`emails[type eq "work"].value`: `emails[type eq "work"].value`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`,
	} {
		p, err := ParsePatchPath(in)
		if err != nil || p.String() != want {
			t.Errorf("%s: %v, %v", in, p, err)
		}
	}
	for _, in := range []string{``, `members[`, `members[value eq "x"`, `name.givenName[x eq "y"]`, `members[value eq "x"].`, `a b`} {
		if _, err := ParsePatchPath(in); err == nil {
			t.Errorf("%q parsed, want invalidPath", in)
		}
	}
}

func resource(t *testing.T, js string) map[string]any {
	t.Helper()
	m, err := decodeObject([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return canonical(userType, m)
}

func TestFilterEvaluation(t *testing.T) {
	u := resource(t, `{"userName":"Bjensen","name":{"familyName":"Jensen","givenName":"Barbara"},"title":"Tour Guide","active":true,
		"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
		"meta":{"created":"2010-01-23T04:56:22Z"},"id":"2819c223-7f76-453a-919d-413861904646",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","manager":{"value":"26118915"}}}`)
	for filter, want := range map[string]bool{
		`userName eq "bjensen"`:                              true, // caseExact false
		`userName eq "ｂｊｅｎｓｅｎ"`:                              true, // up to compatibility forms, as the user-name look-up
		`name.familyName eq "Jense\u0301n"`:                  false,
		`USERNAME EQ "BJENSEN"`:                              true,
		`id eq "2819C223-7F76-453A-919D-413861904646"`:       false, // id is caseExact
		`name.familyName co "ens"`:                           true,
		`userName sw "B" and title pr`:                       true,
		`nickName pr`:                                        false,
		`not (nickName pr)`:                                  true,
		`emails co "jensen.org"`:                             true,
		`emails[type eq "work" and value co "@example.com"]`: true,
		`emails[type eq "home" and value co "@example.com"]`: false,
		`emails[type eq "work"].value ew "@example.com"`:     true,
		`emails[type eq "home"].value ew "@example.com"`:     false,
		`emails.type eq "home"`:                              true,
		`active eq true`:                                     true,
		`active eq false`:                                    false,
		`meta.created gt "2010-01-23T04:00:00Z"`:             true,
		`meta.created lt "2010-01-23T05:56:22+00:30"`:        true, // compared as instants
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`: true,
		`employeeNumber eq "701984"`: true,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`: true,
		`title ne "Tour Guide"`:               false,
		`nickName eq null`:                    true,
		`userName gt "A" and userName lt "C"`: true,
	} {
		f, err := ParseFilter(filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if err := checkFilter(scope{rt: userType}, f); err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if got := matches(scope{rt: userType}, u, f); got != want {
			t.Errorf("%s = %v, want %v", filter, got, want)
		}
	}
	for _, filter := range []string{`nope eq "x"`, `active co "t"`, `name eq "x"`, `emails[nope eq "x"]`, `title[value eq "x"]`, `meta.created gt "yesterday"`, `active gt true`} {
		f, err := ParseFilter(filter)
		if err == nil {
			err = checkFilter(scope{rt: userType}, f)
		}
		if err == nil {
			t.Errorf("%s checked, want invalidFilter", filter)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a"`, `emails[type eq "work" and value co "@x"]`, `not (a pr) or b gt 3.5e2`,
		`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "J"`, `a eq "\u00e9\""`, `((a eq true))`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseFilter(s)
		if err != nil {
			return
		}
		printed := x.String()
		y, err := ParseFilter(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if y.String() != printed {
			t.Fatalf("%q: print %q, reprint %q", s, printed, y.String())
		}
		// Evaluation of whatever checks never panics.
		if checkFilter(scope{rt: userType}, x) == nil {
			matches(scope{rt: userType}, map[string]any{"userName": "a", "emails": []any{map[string]any{"value": "x"}}}, x)
		}
	})
}

func FuzzParsePatchPath(f *testing.F) {
	for _, s := range []string{`members[value eq "x"]`, `emails[type eq "work"].value`, `name.givenName`, `urn:a:b:c:attr`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePatchPath(s)
		if err != nil {
			return
		}
		if q, err := ParsePatchPath(p.String()); err != nil || q.String() != p.String() {
			t.Fatalf("%q printed as %q: reparse %v, %v", s, p.String(), q, err)
		}
	})
}

// jsonOf is a test helper printing v compactly.
func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// The filters the issue names are answered from an index, in each form an
// IdP writes them; the others are not.
func TestIndexedTerm(t *testing.T) {
	for in, want := range map[string]string{
		`userName eq "bjensen"`:                               "userName=bjensen",
		`USERNAME eq "bjensen" and active eq true`:            "userName=bjensen",
		`active eq true and externalId eq "e-1"`:              "externalId=e-1",
		`emails.value eq "b@example.com"`:                     "emails.value=b@example.com",
		`emails[value eq "b@example.com"]`:                    "emails.value=b@example.com",
		`emails[type eq "work"].value eq "b@example.com"`:     "emails.value=b@example.com",
		`emails[type eq "work" and value eq "b@example.com"]`: "emails.value=b@example.com",
		`userName eq "a" or userName eq "b"`:                  "",
		`userName co "bjensen"`:                               "",
		`emails[type eq "work" or value eq "b@example.com"]`:  "",
		`emails[type eq "work"].value co "b@example.com"`:     "",
		`name.familyName eq "Jensen"`:                         "",
	} {
		f, err := ParseFilter(in)
		if err != nil {
			t.Fatal(in, err)
		}
		got := ""
		if attr, value, ok := indexedTerm(f, userIndexed); ok {
			got = attr + "=" + value
		}
		if got != want {
			t.Errorf("indexedTerm(%s) = %q, want %q", in, got, want)
		}
	}
}
