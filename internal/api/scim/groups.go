package scim

import (
	"encoding/json"
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

type scimMember struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
}

type scimGroup struct {
	Schemas     []string      `json:"schemas"`
	ID          string        `json:"id,omitempty"`
	ExternalID  string        `json:"externalId,omitempty"`
	DisplayName string        `json:"displayName"`
	Members     *[]scimMember `json:"members,omitempty"`
	Meta        *scimMeta     `json:"meta,omitempty"`
}

// groupWire renders a group; members is nil when they are not to be read.
func (a *API) groupWire(t tenant, g store.Group, members []string) scimGroup {
	sg := scimGroup{Schemas: []string{URNGroup}, ID: g.ID, ExternalID: externalIDOf(g.ExternalIDs), DisplayName: g.DisplayName,
		Meta: &scimMeta{ResourceType: "Group", Created: timestamp(g.CreatedAt), LastModified: timestamp(g.UpdatedAt),
			Location: a.baseURL(t) + "/Groups/" + g.ID, Version: etag(g.Version)}}
	if members != nil {
		list := make([]scimMember, len(members))
		for i, id := range members {
			list[i] = scimMember{Value: id, Ref: a.baseURL(t) + "/Users/" + id, Type: "User"}
		}
		sg.Members = &list
	}
	return sg
}

// wantsMembers reports whether the request's projection returns members,
// so that a GET with excludedAttributes=members reads no memberships.
func wantsMembers(r *http.Request) bool {
	p, err := projectionOf(groupType, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes"))
	if err != nil {
		return true // the projection's error is reported when it is applied
	}
	a, _ := findAttr(groupSchema.Attributes, "members")
	_, keep := p.value("", a, []any{})
	return keep
}

func (a *API) renderGroup(r *http.Request, t tenant, g store.Group) (map[string]any, error) {
	var members []string
	if wantsMembers(r) {
		var err error
		if members, err = a.Identity.GroupMemberIDs(r.Context(), t.StoreID, g.ID); err != nil {
			return nil, err
		}
		if members == nil {
			members = []string{}
		}
	}
	return toGeneric(a.groupWire(t, g, members)), nil
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, t tenant) error {
	g, err := a.Identity.GetGroup(r.Context(), t.StoreID, r.PathValue("id"))
	if err != nil {
		return aboutGroup(err, r.PathValue("id"))
	}
	res, err := a.renderGroup(r, t, g)
	if err != nil {
		return err
	}
	return a.writeResource(w, r, http.StatusOK, groupType, res, g.Version)
}

// groupIn is a group as a client sends it.
type groupIn struct {
	ExternalID  string       `json:"externalId"`
	DisplayName string       `json:"displayName"`
	Members     []scimMember `json:"members"`
}

func decodeGroup(m map[string]any) (groupIn, error) {
	b, _ := json.Marshal(m)
	var g groupIn
	if err := json.Unmarshal(b, &g); err != nil {
		return g, badRequest("invalidValue", httpx.DescribeJSONError(err, "attribute"))
	}
	if g.DisplayName == "" {
		return g, badRequest("invalidValue", "displayName is required")
	}
	return g, nil
}

func memberIDs(ms []scimMember) ([]string, error) {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if m.Value == "" {
			return nil, badRequest("invalidValue", "every member needs a value (a user id)")
		}
		out = append(out, m.Value)
	}
	return out, nil
}

// readGroupBody reads the group a POST or PUT carries and its members' ids.
func readGroupBody(r *http.Request) (groupIn, []string, error) {
	m, err := readResource(r, groupType)
	if err != nil {
		return groupIn{}, nil, err
	}
	in, err := decodeGroup(m)
	if err != nil {
		return groupIn{}, nil, err
	}
	members, err := memberIDs(in.Members)
	return in, members, err
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, t tenant) error {
	in, members, err := readGroupBody(r)
	if err != nil {
		return err
	}
	id, err := a.Identity.CreateProvisionedGroup(r.Context(), t.caller(), t.StoreID,
		identity.GroupFields{DisplayName: in.DisplayName, ExternalIDs: withExternalID(nil, in.ExternalID)}, members)
	if err != nil {
		return err
	}
	g, err := a.Identity.GetGroup(r.Context(), t.StoreID, id)
	if err != nil {
		return err
	}
	res, err := a.renderGroup(r, t, g)
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.baseURL(t)+"/Groups/"+id)
	return a.writeResource(w, r, http.StatusCreated, groupType, res, g.Version)
}

// putGroup replaces the group's display name, externalId and members.
func (a *API) putGroup(w http.ResponseWriter, r *http.Request, t tenant) error {
	in, members, err := readGroupBody(r)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err = a.Identity.EditGroup(r.Context(), t.caller(), t.StoreID, id, ifVersion, func(old store.Group, f *identity.GroupFields) error {
		if err := ifNoneMatch(r, old.Version); err != nil {
			return err
		}
		f.DisplayName, f.ExternalIDs = in.DisplayName, withExternalID(f.ExternalIDs, in.ExternalID)
		return nil
	}, identity.MemberChange{Replace: true, Set: members})
	if err != nil {
		return aboutGroup(err, id)
	}
	return a.writeGroup(w, r, t, id)
}

func (a *API) writeGroup(w http.ResponseWriter, r *http.Request, t tenant, id string) error {
	g, err := a.Identity.GetGroup(r.Context(), t.StoreID, id)
	if err != nil {
		return aboutGroup(err, id)
	}
	res, err := a.renderGroup(r, t, g)
	if err != nil {
		return err
	}
	return a.writeResource(w, r, http.StatusOK, groupType, res, g.Version)
}

// withIfNoneMatch makes a group edit (nil: attributes unchanged) first
// check the request's If-None-Match against the group's locked version.
func withIfNoneMatch(r *http.Request, edit func(store.Group, *identity.GroupFields) error) func(store.Group, *identity.GroupFields) error {
	if len(r.Header.Values("If-None-Match")) == 0 {
		return edit
	}
	return func(g store.Group, f *identity.GroupFields) error {
		if err := ifNoneMatch(r, g.Version); err != nil || edit == nil {
			return err
		}
		return edit(g, f)
	}
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, t tenant) error {
	id := r.PathValue("id")
	if v, err := ifMatch(r); err != nil {
		return err
	} else if v > 0 || len(r.Header.Values("If-None-Match")) > 0 {
		g, err := a.Identity.GetGroup(r.Context(), t.StoreID, id)
		if err != nil {
			return aboutGroup(err, id)
		}
		if v > 0 && g.Version != v {
			return errVersionMismatch
		}
		if err := ifNoneMatch(r, g.Version); err != nil {
			return err
		}
	}
	if err := a.Identity.DeleteGroup(r.Context(), t.StoreID, id); err != nil {
		return aboutGroup(err, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
