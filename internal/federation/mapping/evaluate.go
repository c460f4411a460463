package mapping

import (
	"errors"
	"slices"
	"strings"
)

// User types of a mapped user.
const (
	// UserEphemeral is a user that exists only for the federated session
	// (the default).
	UserEphemeral = "ephemeral"
	// UserLocal is a mapped user that must exist in the local user store.
	UserLocal = "local"
)

// ErrNoMatch says that no rule applied to the attributes: the user is not
// let in.
var ErrNoMatch = errors.New("no rule of the mapping applies to the identity provider's attributes")

// Attributes are what an identity provider asserted: attribute name →
// values (a SAML attribute has several values; see SplitValues for the
// Keystone convention of one string with ';' between values).
type Attributes map[string][]string

// SplitValues turns single-string attributes whose values are separated by
// ';' (how Keystone receives them from its web server) into Attributes.
func SplitValues(attrs map[string]string) Attributes {
	out := make(Attributes, len(attrs))
	for k, v := range attrs {
		out[k] = strings.Split(v, ";")
	}
	return out
}

// Domain names a domain (an account) by id or by name; empty means the
// identity provider's own.
type Domain struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// User is who the mapped user is.
type User struct {
	ID     string  `json:"id,omitempty"`
	Name   string  `json:"name,omitempty"`
	Email  string  `json:"email,omitempty"`
	Domain *Domain `json:"domain,omitempty"`
	Type   string  `json:"type"`
}

// GroupName is a group named within a domain.
type GroupName struct {
	Name   string  `json:"name"`
	Domain *Domain `json:"domain,omitempty"`
}

// Project is a project the mapped user gets, with role names.
type Project struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Result is what the mapping makes of a user: the first user a matching
// rule names, and the groups and projects of all matching rules.
type Result struct {
	User       User        `json:"user"`
	GroupIDs   []string    `json:"group_ids"`
	GroupNames []GroupName `json:"group_names"`
	Projects   []Project   `json:"projects"`
}

// Evaluate applies the rules to attrs. It returns ErrNoMatch when no rule
// applies (or the applying rules' local sections are all empty).
func (rs *Rules) Evaluate(attrs Attributes) (Result, error) {
	res := Result{GroupIDs: []string{}, GroupNames: []GroupName{}, Projects: []Project{}}
	var any, haveUser bool
	// Results are small: a linear scan dedupes them cheaper than a map.
	// An empty group id or name names no group (clients such as
	// gophertelekomcloud send "group": {"name": ""} in every local entry).
	addID := func(id string) {
		if id != "" && !slices.Contains(res.GroupIDs, id) {
			res.GroupIDs = append(res.GroupIDs, id)
		}
	}
	addName := func(g GroupName) {
		if g.Name == "" {
			return
		}
		for _, have := range res.GroupNames {
			if have.Name == g.Name && sameDomain(have.Domain, g.Domain) {
				return
			}
		}
		res.GroupNames = append(res.GroupNames, g)
	}
	for i := range rs.rules {
		r := &rs.rules[i]
		args, ok := r.match(attrs)
		if !ok {
			continue
		}
		for j := range r.local {
			l := &r.local[j]
			if l.user == nil && l.group == nil && l.groups == nil && l.groupIDs == nil && l.domain == nil && !l.hasProjects {
				continue
			}
			any = true
			// A user whose id, name and e-mail are all empty names nobody
			// and does not take the place of a later one.
			if l.user != nil && !haveUser {
				if u := l.user.render(args); u.ID != "" || u.Name != "" || u.Email != "" {
					haveUser = true
					res.User = u
				}
			}
			if g := l.group; g != nil {
				if g.id != nil {
					addID(g.id.render(args))
				} else {
					addName(GroupName{Name: g.name.render(args), Domain: g.domain.render(args)})
				}
			}
			if l.groups != nil {
				d := l.domain.render(args)
				for _, n := range l.groups.nameList(args) {
					addName(GroupName{Name: n, Domain: d})
				}
			}
			if l.groupIDs != nil {
				for _, id := range l.groupIDs.nameList(args) {
					addID(id)
				}
			}
			if l.hasProjects {
				res.Projects = res.Projects[:0]
				for _, p := range l.projects {
					roles := make([]string, len(p.roles))
					for k, role := range p.roles {
						roles[k] = role.render(args)
					}
					res.Projects = append(res.Projects, Project{Name: p.name.render(args), Roles: roles})
				}
			}
		}
	}
	if !any {
		return Result{}, ErrNoMatch
	}
	if res.User.Type == "" {
		res.User.Type = UserEphemeral
	}
	return res, nil
}

func sameDomain(a, b *Domain) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}

// match reports whether every remote condition holds for attrs and
// returns the rule's direct-mapping arguments in order.
func (r *rule) match(attrs Attributes) ([][]string, bool) {
	var args [][]string
	if r.direct > 0 {
		args = make([][]string, 0, r.direct)
	}
	for i := range r.remote {
		c := &r.remote[i]
		values := attrs[c.attr]
		if len(values) == 0 {
			return nil, false
		}
		switch c.kind {
		case kindAnyOneOf:
			if !c.anyMatches(values) {
				return nil, false
			}
		case kindNotAnyOf:
			if c.anyMatches(values) {
				return nil, false
			}
		case kindWhitelist, kindBlacklist:
			keep := c.kind == kindWhitelist
			filtered := make([]string, 0, len(values))
			for _, v := range values {
				if c.matches(v) == keep {
					filtered = append(filtered, v)
				}
			}
			args = append(args, filtered)
		default:
			args = append(args, values)
		}
	}
	return args, true
}

func (c *condition) anyMatches(values []string) bool {
	for _, v := range values {
		if c.matches(v) {
			return true
		}
	}
	return false
}

// matches reports whether v is one of the condition's values (or, with
// regex, matched anywhere by one of its expressions).
func (c *condition) matches(v string) bool {
	if !c.regex {
		return c.set[v]
	}
	for _, re := range c.res {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

func (u *userTemplate) render(args [][]string) User {
	out := User{ID: u.id.render(args), Name: u.name.render(args), Email: u.email.render(args), Domain: u.domain.render(args), Type: u.typ}
	if out.Type == "" {
		out.Type = UserEphemeral
	}
	return out
}

func (d *domainRef) render(args [][]string) *Domain {
	if d == nil {
		return nil
	}
	return &Domain{ID: d.id.render(args), Name: d.name.render(args)}
}
