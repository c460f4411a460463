package scim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// patchUser applies a PatchOp to a user: the user is rendered, the
// operations applied to that representation, and the result written as a
// PUT would be — in one identity-service edit at the version read, so a
// concurrent change is never overwritten (without If-Match the PATCH is
// retried on the newer version; with it, 412). A PATCH that changes nothing
// writes nothing.
func (a *API) patchUser(w http.ResponseWriter, r *http.Request, t tenant) error {
	ops, err := readPatch(requestBody(r))
	if err != nil {
		return err
	}
	want, err := ifMatch(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	for attempt := 0; ; attempt++ {
		cur, err := a.Identity.GetUser(r.Context(), t.StoreID, id)
		if err != nil {
			return aboutUser(err, id)
		}
		if want > 0 && cur.Version != want {
			return errVersionMismatch
		}
		if err := ifNoneMatch(r, cur.Version); err != nil {
			return err
		}
		res := a.renderUser(t, cur)
		for _, op := range ops {
			if err := applyPatch(userType, res, op); err != nil {
				return err
			}
		}
		in, err := decodeUser(res)
		if err != nil {
			return err
		}
		if in.UserName == "" {
			return badRequest("mutability", "userName is required and cannot be removed")
		}
		u, _, err := a.Identity.EditUser(r.Context(), t.caller(), t.StoreID, id, cur.Version, func(_ identity.User, f *identity.UserFields) error {
			applyUserWire(in, f)
			return nil
		})
		if isVersionConflict(err) && want == 0 && attempt < 5 {
			continue
		}
		if isVersionConflict(err) {
			return errVersionMismatch
		}
		if err != nil {
			return aboutUser(err, id)
		}
		return a.writeResource(w, r, http.StatusOK, userType, a.renderUser(t, u), u.Version)
	}
}

func isVersionConflict(err error) bool {
	e, ok := apierr.From(err)
	return ok && e.Kind() == apierr.KindConflict && e.Key() == "version"
}

// memberOps folds the operations on a group's members into one change,
// in order, so that adding one member to a group of any size costs the
// same; the other operations are returned to apply to the group's
// attributes.
func memberOps(ops []patchOp) (identity.MemberChange, []patchOp, error) {
	// Ordered sets, so that folding is linear in the ids named.
	replacing := false
	set, adds, removes := newIDSet(), newIDSet(), newIDSet()
	add := func(ids ...string) {
		for _, id := range ids {
			if replacing {
				set.add(id)
				continue
			}
			removes.remove(id)
			adds.add(id)
		}
	}
	remove := func(ids ...string) {
		for _, id := range ids {
			if replacing {
				set.remove(id)
				continue
			}
			adds.remove(id)
			removes.add(id)
		}
	}
	replace := func(ids []string) {
		replacing = true
		set, adds, removes = newIDSet(), newIDSet(), newIDSet()
		add(ids...)
	}
	result := func() identity.MemberChange {
		if replacing {
			return identity.MemberChange{Replace: true, Set: set.list()}
		}
		return identity.MemberChange{Add: adds.list(), Remove: removes.list()}
	}
	var mc identity.MemberChange
	var rest []patchOp
	for _, op := range ops {
		path := op.Path
		value := op.Value
		if path == "" {
			// {"op":"add","value":{"members":[...], "displayName":...}}
			obj, ok := value.(map[string]any)
			if !ok {
				rest = append(rest, op)
				continue
			}
			others := map[string]any{}
			for k, v := range obj {
				// A key is a path (patch.go): members, with or without
				// the core URN, is the members; a key naming their
				// sub-attributes or filtering them is refused as the
				// same path would be.
				whole, part := membersKey(k)
				if part {
					return mc, nil, badRequest("mutability", "members are added or removed whole; their sub-attributes cannot be changed")
				}
				if whole {
					ids, err := memberValues(v)
					if err != nil {
						return mc, nil, err
					}
					switch op.Op {
					case "add":
						add(ids...)
					case "replace":
						replace(ids)
					}
					continue
				}
				others[k] = v
			}
			if len(others) > 0 {
				rest = append(rest, patchOp{Op: op.Op, Value: others})
			}
			continue
		}
		pp, err := ParsePatchPath(path)
		if err != nil {
			return mc, nil, err
		}
		if !strings.EqualFold(pp.Path.Attr, "members") || (pp.Path.URN != "" && !strings.EqualFold(pp.Path.URN, URNGroup)) {
			rest = append(rest, op)
			continue
		}
		if pp.Path.Sub != "" || pp.Sub != "" {
			return mc, nil, badRequest("mutability", "members are added or removed whole; their sub-attributes cannot be changed")
		}
		var ids []string
		if pp.Filter != nil {
			if ids, err = memberFilterIDs(pp.Filter); err != nil {
				return mc, nil, err
			}
		} else if value != nil {
			if ids, err = memberValues(value); err != nil {
				return mc, nil, err
			}
		}
		switch {
		case op.Op == "add":
			add(ids...)
		case op.Op == "replace" && pp.Filter == nil:
			replace(ids)
		case op.Op == "replace":
			return mc, nil, badRequest("invalidPath", "replace members without a filter, or remove and add")
		case op.Op == "remove" && pp.Filter == nil && value == nil:
			replace(nil) // remove "members": every member
		default:
			remove(ids...)
		}
	}
	return result(), rest, nil
}

// membersKey reports whether k, a key of a path-less PATCH value, names a
// group's members (whole) or a part of them (a sub-attribute or filter).
func membersKey(k string) (whole, part bool) {
	pp, err := ParsePatchPath(k)
	if err != nil || !strings.EqualFold(pp.Path.Attr, "members") || (pp.Path.URN != "" && !strings.EqualFold(pp.Path.URN, URNGroup)) {
		return false, false
	}
	if pp.Path.Sub != "" || pp.Filter != nil || pp.Sub != "" {
		return false, true
	}
	return true, false
}

// memberValues reads [{"value": id}, ...] (or one such object).
func memberValues(v any) ([]string, error) {
	var ids []string
	for _, e := range asList(v) {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badRequest("invalidValue", "members are objects with a value (a user id)")
		}
		var id string
		for k, x := range m {
			if strings.EqualFold(k, "value") {
				id, _ = x.(string)
			}
		}
		if id == "" {
			return nil, badRequest("invalidValue", "every member needs a value (a user id)")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// memberFilterIDs reads the ids of members[value eq "a" or value eq "b"].
func memberFilterIDs(f Expr) ([]string, error) {
	switch x := f.(type) {
	case *Compare:
		s, ok := x.Value.(string)
		if strings.EqualFold(x.Path.Attr, "value") && x.Path.Sub == "" && x.Op == "eq" && ok {
			return []string{s}, nil
		}
	case *Logical:
		if x.Op == "or" {
			l, err := memberFilterIDs(x.Left)
			if err != nil {
				return nil, err
			}
			r, err := memberFilterIDs(x.Right)
			return append(l, r...), err
		}
	}
	return nil, badRequest("invalidFilter", fmt.Sprintf("a members filter compares value with eq (or several joined by or), not %s", f))
}

// idSet is a set of ids in the order they were first added (an id
// removed and added again moves to the end).
type idSet struct {
	ids  []string
	live []bool
	at   map[string]int // index in ids of a live id
}

func newIDSet() *idSet { return &idSet{at: map[string]int{}} }

func (s *idSet) add(id string) {
	if _, ok := s.at[id]; !ok {
		s.at[id] = len(s.ids)
		s.ids = append(s.ids, id)
		s.live = append(s.live, true)
	}
}

func (s *idSet) remove(id string) {
	if i, ok := s.at[id]; ok {
		s.live[i] = false
		delete(s.at, id)
	}
}

// list is the live ids in order (never nil).
func (s *idSet) list() []string {
	out := make([]string, 0, len(s.at))
	for i, id := range s.ids {
		if s.live[i] {
			out = append(out, id)
		}
	}
	return out
}

// patchGroup applies a PatchOp to a group: member operations become one
// bulk change of memberships (never reading a large group's members, except
// for a replace, which reads them once), the rest applies to the group's
// attributes; all in one identity-service edit at the version read.
func (a *API) patchGroup(w http.ResponseWriter, r *http.Request, t tenant) error {
	ops, err := readPatch(requestBody(r))
	if err != nil {
		return err
	}
	mc, rest, err := memberOps(ops)
	if err != nil {
		return err
	}
	want, err := ifMatch(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var edit func(store.Group, *identity.GroupFields) error
	if len(rest) > 0 {
		edit = func(g store.Group, f *identity.GroupFields) error {
			res := toGeneric(a.groupWire(t, g, nil))
			for _, op := range rest {
				if err := applyPatch(groupType, res, op); err != nil {
					return err
				}
			}
			in, err := decodeGroup(res)
			if err != nil {
				return err
			}
			f.DisplayName, f.ExternalIDs = in.DisplayName, withExternalID(f.ExternalIDs, in.ExternalID)
			return nil
		}
	}
	edit = withIfNoneMatch(r, edit)
	if _, err := a.Identity.EditGroup(r.Context(), t.caller(), t.StoreID, id, want, edit, mc); err != nil {
		if isVersionConflict(err) {
			return errVersionMismatch
		}
		return aboutGroup(err, id)
	}
	// RFC 7644 §3.5.2 allows 204 instead of the resource: a group's
	// resource may hold 100,000 members, so it is returned only when the
	// request asks for attributes.
	q := r.URL.Query()
	if q.Get("attributes") == "" && q.Get("excludedAttributes") == "" {
		g, err := a.Identity.GetGroup(r.Context(), t.StoreID, id)
		if err != nil {
			return aboutGroup(err, id)
		}
		w.Header().Set("ETag", etag(g.Version))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return a.writeGroup(w, r, t, id)
}
