package idstore

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Groups and group memberships. Wire shapes: the SDK's GroupDto,
// DescribeGroupResp, GroupMembershipDto, GroupMembershipItem and
// GroupMembershipExistenceResultDto.
func (a *API) groupOps() []httpx.Op {
	const base = "/v1/identity-stores/{identity_store_id}"
	return []httpx.Op{
		{Name: "CreateGroup", Pattern: "POST " + base + "/groups", Handler: a.createGroup},
		{Name: "ListGroups", Pattern: "GET " + base + "/groups", Handler: a.listGroups},
		{Name: "DescribeGroup", Pattern: "GET " + base + "/groups/{group_id}", Handler: a.describeGroup},
		{Name: "UpdateGroup", Pattern: "PUT " + base + "/groups/{group_id}", Handler: a.updateGroup},
		{Name: "DeleteGroup", Pattern: "DELETE " + base + "/groups/{group_id}", Handler: a.deleteGroup},
		{Name: "DescribeGroups", Pattern: "POST " + base + "/groups/batch-query", Handler: a.describeGroups},
		{Name: "GetGroupId", Pattern: "POST " + base + "/groups/retrieve-group-id", Handler: a.getGroupID},
		{Name: "CreateGroupMembership", Pattern: "POST " + base + "/group-memberships", Handler: a.createGroupMembership},
		{Name: "ListGroupMemberships", Pattern: "GET " + base + "/group-memberships", Handler: a.listGroupMemberships},
		{Name: "DescribeGroupMembership", Pattern: "GET " + base + "/group-memberships/{membership_id}", Handler: a.describeGroupMembership},
		{Name: "DeleteGroupMembership", Pattern: "DELETE " + base + "/group-memberships/{membership_id}", Handler: a.deleteGroupMembership},
		{Name: "GetGroupMembershipId", Pattern: "POST " + base + "/group-memberships/retrieve-group-membership-id", Handler: a.getGroupMembershipID},
		{Name: "ListGroupMembershipsForMember", Pattern: "GET " + base + "/group-memberships-for-member", Handler: a.listGroupMembershipsForMember},
		{Name: "IsMemberInGroups", Pattern: "POST " + base + "/is-member-in-groups", Handler: a.isMemberInGroups},
	}
}

type groupExtIDDTO struct {
	Issuer string `json:"issuer"`
	ID     string `json:"id"`
}

type groupDTO struct {
	GroupID         string          `json:"group_id"`
	IdentityStoreID string          `json:"identity_store_id"`
	DisplayName     string          `json:"display_name"`
	Description     string          `json:"description"`
	ExternalIDs     []groupExtIDDTO `json:"external_ids"`
	CreatedAt       int64           `json:"created_at"`
	CreatedBy       string          `json:"created_by"`
	UpdatedAt       int64           `json:"updated_at"`
	UpdatedBy       string          `json:"updated_by"`
}

func newGroupDTO(g store.Group) groupDTO {
	out := groupDTO{GroupID: g.ID, IdentityStoreID: g.IdentityStoreID, DisplayName: g.DisplayName, Description: g.Description,
		ExternalIDs: []groupExtIDDTO{}, CreatedAt: g.CreatedAt.UnixMilli(), CreatedBy: g.CreatedBy,
		UpdatedAt: g.UpdatedAt.UnixMilli(), UpdatedBy: g.UpdatedBy}
	for _, e := range g.ExternalIDs {
		out.ExternalIDs = append(out.ExternalIDs, groupExtIDDTO{Issuer: e.Issuer, ID: e.ID})
	}
	return out
}

type memberRefDTO struct {
	UserID string `json:"user_id"`
}

type membershipDTO struct {
	MembershipID    string       `json:"membership_id"`
	IdentityStoreID string       `json:"identity_store_id"`
	GroupID         string       `json:"group_id"`
	MemberID        memberRefDTO `json:"member_id"`
}

func newMembershipDTO(m store.Membership) membershipDTO {
	return membershipDTO{MembershipID: m.ID, IdentityStoreID: m.IdentityStoreID, GroupID: m.GroupID, MemberID: memberRefDTO{UserID: m.UserID}}
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisplayName string `json:"display_name"`
		Description string `json:"description"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	id, err := a.Identity.CreateGroup(r.Context(), callerFor(r), storeIDOf(r), identity.NewGroup{DisplayName: in.DisplayName, Description: in.Description})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		GroupID         string `json:"group_id"`
		IdentityStoreID string `json:"identity_store_id"`
	}{id, storeIDOf(r)})
	return nil
}

func (a *API) describeGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := a.Identity.GetGroup(r.Context(), storeIDOf(r), r.PathValue("group_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newGroupDTO(g))
	return nil
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Identity.ListGroups(r.Context(), storeIDOf(r), q.Get("display_name"), limit, q.Get("marker"))
	if err != nil {
		return err
	}
	out := struct {
		Groups   []groupDTO `json:"groups"`
		PageInfo pageInfo   `json:"page_info"`
	}{Groups: []groupDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Groups))}
	for _, g := range page.Groups {
		out.Groups = append(out.Groups, newGroupDTO(g))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) describeGroups(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		GroupIDs []string `json:"group_ids"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	groups, err := a.Identity.DescribeGroups(r.Context(), storeIDOf(r), in.GroupIDs)
	if err != nil {
		return err
	}
	out := struct {
		Groups []groupDTO `json:"groups"`
	}{Groups: []groupDTO{}}
	for _, g := range groups {
		out.Groups = append(out.Groups, newGroupDTO(g))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Operations []attributeOp `json:"operations"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ops, err := groupUpdates(in.Operations)
	if err != nil {
		return err
	}
	_, err = a.Identity.EditGroup(r.Context(), callerFor(r), storeIDOf(r), r.PathValue("group_id"), 0, func(_ store.Group, f *identity.GroupFields) error {
		return applyGroupUpdates(f, ops)
	}, identity.MemberChange{})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := a.Identity.DeleteGroup(r.Context(), storeIDOf(r), r.PathValue("group_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (a *API) getGroupID(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Alt *alternateIdentifier `json:"alternate_identifier"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	k, err := in.Alt.groupKey()
	if err != nil {
		return err
	}
	id, err := a.Identity.GetGroupID(r.Context(), storeIDOf(r), k)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		GroupID         string `json:"group_id"`
		IdentityStoreID string `json:"identity_store_id"`
	}{id, storeIDOf(r)})
	return nil
}

// membershipRef is the body of CreateGroupMembership and
// GetGroupMembershipId.
type membershipRef struct {
	GroupID  string        `json:"group_id"`
	MemberID *memberRefDTO `json:"member_id"`
}

func (m membershipRef) userID() string {
	if m.MemberID == nil {
		return ""
	}
	return m.MemberID.UserID
}

func (a *API) createGroupMembership(w http.ResponseWriter, r *http.Request) error {
	var in membershipRef
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	id, err := a.Identity.CreateGroupMembership(r.Context(), storeIDOf(r), in.GroupID, in.userID())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		MembershipID    string `json:"membership_id"`
		IdentityStoreID string `json:"identity_store_id"`
	}{id, storeIDOf(r)})
	return nil
}

func (a *API) describeGroupMembership(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Identity.GetGroupMembership(r.Context(), storeIDOf(r), r.PathValue("membership_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, newMembershipDTO(m))
	return nil
}

func (a *API) deleteGroupMembership(w http.ResponseWriter, r *http.Request) error {
	if err := a.Identity.DeleteGroupMembership(r.Context(), storeIDOf(r), r.PathValue("membership_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (a *API) getGroupMembershipID(w http.ResponseWriter, r *http.Request) error {
	var in membershipRef
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	id, err := a.Identity.GetGroupMembershipID(r.Context(), storeIDOf(r), in.GroupID, in.userID())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		MembershipID    string `json:"membership_id"`
		IdentityStoreID string `json:"identity_store_id"`
	}{id, storeIDOf(r)})
	return nil
}

func (a *API) writeMembershipPage(w http.ResponseWriter, page identity.MembershipPage) {
	out := struct {
		GroupMemberships []membershipDTO `json:"group_memberships"`
		PageInfo         pageInfo        `json:"page_info"`
	}{GroupMemberships: []membershipDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Memberships))}
	for _, m := range page.Memberships {
		out.GroupMemberships = append(out.GroupMemberships, newMembershipDTO(m))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) listGroupMemberships(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Identity.ListGroupMemberships(r.Context(), storeIDOf(r), q.Get("group_id"), limit, q.Get("marker"))
	if err != nil {
		return err
	}
	a.writeMembershipPage(w, page)
	return nil
}

func (a *API) listGroupMembershipsForMember(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := paging.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Identity.ListGroupMembershipsForMember(r.Context(), storeIDOf(r), q.Get("user_id"), limit, q.Get("marker"))
	if err != nil {
		return err
	}
	a.writeMembershipPage(w, page)
	return nil
}

func (a *API) isMemberInGroups(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		GroupIDs []string      `json:"group_ids"`
		MemberID *memberRefDTO `json:"member_id"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	userID := ""
	if in.MemberID != nil {
		userID = in.MemberID.UserID
	}
	results, err := a.Identity.IsMemberInGroups(r.Context(), storeIDOf(r), userID, in.GroupIDs)
	if err != nil {
		return err
	}
	type result struct {
		GroupID          string       `json:"group_id"`
		MemberID         memberRefDTO `json:"member_id"`
		MembershipExists bool         `json:"membership_exists"`
	}
	out := struct {
		Results []result `json:"results"`
	}{Results: make([]result, 0, len(results))}
	for _, res := range results {
		out.Results = append(out.Results, result{GroupID: res.GroupID, MemberID: memberRefDTO{UserID: userID}, MembershipExists: res.Member})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
