package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Limits on what Parse accepts, so that a stored mapping stays small and
// its evaluation cheap.
const (
	MaxRules      = 100
	MaxConditions = 50  // remote conditions per rule
	MaxLocals     = 50  // local objects per rule
	MaxListValues = 500 // entries of any_one_of, not_any_of, whitelist, blacklist
	MaxValueBytes = 1024
	MaxProjects   = 50
	MaxRoles      = 50
)

// Rules is a parsed, valid mapping. Its zero value is not valid: use Parse.
type Rules struct {
	rules []rule
}

type rule struct {
	remote []condition
	local  []local
	// direct is how many of remote are direct mappings ({0}, {1}, …).
	direct int
}

// ConditionKind says how a remote condition matches.
type conditionKind int

const (
	kindDirect conditionKind = iota // no list: the values are mapped
	kindAnyOneOf
	kindNotAnyOf
	kindWhitelist // direct mapping of the listed values only
	kindBlacklist // direct mapping of the values not listed
)

var kindKeys = map[conditionKind]string{kindAnyOneOf: "any_one_of", kindNotAnyOf: "not_any_of", kindWhitelist: "whitelist", kindBlacklist: "blacklist"}

type condition struct {
	attr   string
	kind   conditionKind
	regex  bool
	values []string
	set    map[string]bool  // values, when !regex
	res    []*regexp.Regexp // values compiled, when regex
}

// mapsDirectly reports whether the condition's values become a positional
// argument.
func (c *condition) mapsDirectly() bool {
	return c.kind == kindDirect || c.kind == kindWhitelist || c.kind == kindBlacklist
}

type domainRef struct {
	id, name *template
}

type local struct {
	user     *userTemplate
	group    *groupTemplate
	groups   *template
	groupIDs *template
	domain   *domainRef
	projects []projectTemplate
	// hasProjects distinguishes "projects": [] from no projects key.
	hasProjects bool
}

type userTemplate struct {
	id, name, email *template
	domain          *domainRef
	typ             string // "", "ephemeral" or "local"
}

type groupTemplate struct {
	id, name *template
	domain   *domainRef
}

type projectTemplate struct {
	name  *template
	roles []*template
}

// Error says what is wrong with a mapping, naming where (e.g. "rules[2].remote[0]").
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func errAt(path, format string, args ...any) error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Parse validates a mapping document ({"rules": […]}) and returns its
// rules. Every error is an *Error.
func Parse(doc []byte) (*Rules, error) {
	var top map[string]json.RawMessage
	if err := strictUnmarshal(doc, &top); err != nil || top == nil {
		return nil, errAt("", "a mapping must be a JSON object with a \"rules\" array")
	}
	raw, ok := top["rules"]
	if !ok {
		return nil, errAt("", "\"rules\" is required")
	}
	return ParseRules(raw)
}

// ParseRules validates a rules array (the value of a mapping's "rules").
func ParseRules(raw []byte) (*Rules, error) {
	var list []json.RawMessage
	if err := strictUnmarshal(raw, &list); err != nil || list == nil {
		return nil, errAt("rules", "must be an array of rules")
	}
	if len(list) == 0 {
		return nil, errAt("rules", "must contain at least one rule")
	}
	if len(list) > MaxRules {
		return nil, errAt("rules", "has %d rules; at most %d are allowed", len(list), MaxRules)
	}
	out := &Rules{rules: make([]rule, 0, len(list))}
	for i, r := range list {
		parsed, err := parseRule(fmt.Sprintf("rules[%d]", i), r)
		if err != nil {
			return nil, err
		}
		out.rules = append(out.rules, parsed)
	}
	return out, nil
}

func parseRule(path string, raw json.RawMessage) (rule, error) {
	obj, err := object(path, raw, "local", "remote")
	if err != nil {
		return rule{}, err
	}
	for _, k := range []string{"local", "remote"} {
		if _, ok := obj[k]; !ok {
			return rule{}, errAt(path, "%q is required", k)
		}
	}
	var r rule
	var remotes []json.RawMessage
	if err := strictUnmarshal(obj["remote"], &remotes); err != nil || remotes == nil {
		return rule{}, errAt(path+".remote", "must be an array of conditions")
	}
	if len(remotes) == 0 {
		return rule{}, errAt(path+".remote", "must contain at least one condition")
	}
	if len(remotes) > MaxConditions {
		return rule{}, errAt(path+".remote", "has %d conditions; at most %d are allowed", len(remotes), MaxConditions)
	}
	for i, c := range remotes {
		cond, err := parseCondition(fmt.Sprintf("%s.remote[%d]", path, i), c)
		if err != nil {
			return rule{}, err
		}
		if cond.mapsDirectly() {
			r.direct++
		}
		r.remote = append(r.remote, cond)
	}
	var locals []json.RawMessage
	if err := strictUnmarshal(obj["local"], &locals); err != nil || locals == nil {
		return rule{}, errAt(path+".local", "must be an array of objects")
	}
	if len(locals) > MaxLocals {
		return rule{}, errAt(path+".local", "has %d objects; at most %d are allowed", len(locals), MaxLocals)
	}
	for i, l := range locals {
		lp := fmt.Sprintf("%s.local[%d]", path, i)
		parsed, err := parseLocal(lp, l, r.direct)
		if err != nil {
			return rule{}, err
		}
		r.local = append(r.local, parsed)
	}
	return r, nil
}

func parseCondition(path string, raw json.RawMessage) (condition, error) {
	obj, err := object(path, raw, "type", "any_one_of", "not_any_of", "whitelist", "blacklist", "regex")
	if err != nil {
		return condition{}, err
	}
	var c condition
	if _, ok := obj["type"]; !ok {
		return condition{}, errAt(path, "\"type\" (the remote attribute's name) is required")
	}
	if c.attr, err = str(path+".type", obj["type"]); err != nil {
		return condition{}, err
	}
	if c.attr == "" {
		return condition{}, errAt(path+".type", "must not be empty")
	}
	var lists []conditionKind
	for kind, key := range kindKeys {
		if _, ok := obj[key]; ok {
			lists = append(lists, kind)
		}
	}
	if len(lists) > 1 {
		return condition{}, errAt(path, "use only one of any_one_of, not_any_of, whitelist and blacklist")
	}
	if raw, ok := obj["regex"]; ok {
		if err := json.Unmarshal(raw, &c.regex); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return condition{}, errAt(path+".regex", "must be true or false")
		}
		if len(lists) == 0 {
			return condition{}, errAt(path+".regex", "applies only with any_one_of, not_any_of, whitelist or blacklist")
		}
	}
	if len(lists) == 0 {
		return c, nil
	}
	c.kind = lists[0]
	key := kindKeys[c.kind]
	if c.values, err = strList(path+"."+key, obj[key], MaxListValues); err != nil {
		return condition{}, err
	}
	if c.regex {
		for i, v := range c.values {
			re, err := regexp.Compile(v)
			if err != nil {
				return condition{}, errAt(fmt.Sprintf("%s.%s[%d]", path, key, i), "is not a valid regular expression: %v", err)
			}
			c.res = append(c.res, re)
		}
	} else {
		c.set = make(map[string]bool, len(c.values))
		for _, v := range c.values {
			c.set[v] = true
		}
	}
	return c, nil
}

func parseLocal(path string, raw json.RawMessage, direct int) (local, error) {
	obj, err := object(path, raw, "user", "group", "groups", "group_ids", "domain", "projects")
	if err != nil {
		return local{}, err
	}
	var l local
	tmpl := func(key string, raw json.RawMessage) (*template, error) {
		s, err := str(key, raw)
		if err != nil {
			return nil, err
		}
		return parseTemplate(key, s, direct)
	}
	if raw, ok := obj["user"]; ok {
		up := path + ".user"
		uo, err := object(up, raw, "id", "name", "email", "domain", "type")
		if err != nil {
			return local{}, err
		}
		u := &userTemplate{}
		for key, dst := range map[string]**template{"id": &u.id, "name": &u.name, "email": &u.email} {
			if raw, ok := uo[key]; ok {
				if *dst, err = tmpl(up+"."+key, raw); err != nil {
					return local{}, err
				}
			}
		}
		if raw, ok := uo["domain"]; ok {
			if u.domain, err = parseDomain(up+".domain", raw, direct); err != nil {
				return local{}, err
			}
		}
		if raw, ok := uo["type"]; ok {
			if u.typ, err = str(up+".type", raw); err != nil {
				return local{}, err
			}
			if u.typ != UserEphemeral && u.typ != UserLocal {
				return local{}, errAt(up+".type", "must be %q or %q", UserEphemeral, UserLocal)
			}
		}
		l.user = u
	}
	if raw, ok := obj["group"]; ok {
		gp := path + ".group"
		gobj, err := object(gp, raw, "id", "name", "domain")
		if err != nil {
			return local{}, err
		}
		g := &groupTemplate{}
		_, hasID := gobj["id"]
		_, hasName := gobj["name"]
		switch {
		case hasID && (hasName || gobj["domain"] != nil):
			return local{}, errAt(gp, "name a group either by \"id\" or by \"name\" (with an optional \"domain\"), not both")
		case hasID:
			if g.id, err = tmpl(gp+".id", gobj["id"]); err != nil {
				return local{}, err
			}
		case hasName:
			if g.name, err = tmpl(gp+".name", gobj["name"]); err != nil {
				return local{}, err
			}
			if raw, ok := gobj["domain"]; ok {
				if g.domain, err = parseDomain(gp+".domain", raw, direct); err != nil {
					return local{}, err
				}
			}
		default:
			return local{}, errAt(gp, "needs \"id\" or \"name\"")
		}
		l.group = g
	}
	for key, dst := range map[string]**template{"groups": &l.groups, "group_ids": &l.groupIDs} {
		if raw, ok := obj[key]; ok {
			if *dst, err = tmpl(path+"."+key, raw); err != nil {
				return local{}, err
			}
		}
	}
	if raw, ok := obj["domain"]; ok {
		if l.domain, err = parseDomain(path+".domain", raw, direct); err != nil {
			return local{}, err
		}
	}
	if raw, ok := obj["projects"]; ok {
		if l.projects, err = parseProjects(path+".projects", raw, direct); err != nil {
			return local{}, err
		}
		l.hasProjects = true
	}
	return l, nil
}

func parseDomain(path string, raw json.RawMessage, direct int) (*domainRef, error) {
	obj, err := object(path, raw, "id", "name")
	if err != nil {
		return nil, err
	}
	d := &domainRef{}
	for key, dst := range map[string]**template{"id": &d.id, "name": &d.name} {
		if raw, ok := obj[key]; ok {
			s, err := str(path+"."+key, raw)
			if err != nil {
				return nil, err
			}
			if *dst, err = parseTemplate(path+"."+key, s, direct); err != nil {
				return nil, err
			}
		}
	}
	if d.id == nil && d.name == nil {
		return nil, errAt(path, "needs \"id\" or \"name\"")
	}
	return d, nil
}

func parseProjects(path string, raw json.RawMessage, direct int) ([]projectTemplate, error) {
	var list []json.RawMessage
	if err := strictUnmarshal(raw, &list); err != nil || list == nil {
		return nil, errAt(path, "must be an array of projects")
	}
	if len(list) > MaxProjects {
		return nil, errAt(path, "has %d projects; at most %d are allowed", len(list), MaxProjects)
	}
	out := make([]projectTemplate, 0, len(list))
	for i, p := range list {
		pp := fmt.Sprintf("%s[%d]", path, i)
		obj, err := object(pp, p, "name", "roles")
		if err != nil {
			return nil, err
		}
		if obj["name"] == nil || obj["roles"] == nil {
			return nil, errAt(pp, "needs \"name\" and \"roles\"")
		}
		var pt projectTemplate
		s, err := str(pp+".name", obj["name"])
		if err != nil {
			return nil, err
		}
		if pt.name, err = parseTemplate(pp+".name", s, direct); err != nil {
			return nil, err
		}
		var roles []json.RawMessage
		if err := strictUnmarshal(obj["roles"], &roles); err != nil || roles == nil {
			return nil, errAt(pp+".roles", "must be an array of {\"name\": …}")
		}
		if len(roles) > MaxRoles {
			return nil, errAt(pp+".roles", "has %d roles; at most %d are allowed", len(roles), MaxRoles)
		}
		for j, r := range roles {
			rp := fmt.Sprintf("%s.roles[%d]", pp, j)
			ro, err := object(rp, r, "name")
			if err != nil {
				return nil, err
			}
			if ro["name"] == nil {
				return nil, errAt(rp, "needs \"name\"")
			}
			s, err := str(rp+".name", ro["name"])
			if err != nil {
				return nil, err
			}
			t, err := parseTemplate(rp+".name", s, direct)
			if err != nil {
				return nil, err
			}
			pt.roles = append(pt.roles, t)
		}
		out = append(out, pt)
	}
	return out, nil
}

// object decodes raw as a JSON object whose keys are all in allowed.
func object(path string, raw json.RawMessage, allowed ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errAt(path, "must be a JSON object")
	}
	if err := checkDuplicateKeys(raw); err != nil {
		return nil, errAt(path, "%v", err)
	}
	for k := range obj {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, errAt(path, "unknown property %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return obj, nil
}

func str(path string, raw json.RawMessage) (string, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		return "", errAt(path, "must be a string")
	}
	if len(*s) > MaxValueBytes {
		return "", errAt(path, "is %d bytes long; at most %d are allowed", len(*s), MaxValueBytes)
	}
	return *s, nil
}

func strList(path string, raw json.RawMessage, max int) ([]string, error) {
	var list []json.RawMessage
	if err := strictUnmarshal(raw, &list); err != nil || list == nil {
		return nil, errAt(path, "must be an array of strings")
	}
	if len(list) > max {
		return nil, errAt(path, "has %d entries; at most %d are allowed", len(list), max)
	}
	out := make([]string, 0, len(list))
	for i, r := range list {
		s, err := str(fmt.Sprintf("%s[%d]", path, i), r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// strictUnmarshal decodes one JSON value and refuses duplicate object keys
// at its top level. Every object of a mapping goes through object(), which
// checks the same, so a mapping whose meaning would depend on which of two
// "type" keys wins is refused, not guessed.
func strictUnmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return err
	}
	return checkDuplicateKeys(raw)
}

// checkDuplicateKeys reports an error if the JSON object in raw (if it is
// one) has the same key twice at its top level.
func checkDuplicateKeys(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}
