package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// addStoreUser puts a user straight into the store (the users API is
// another area's; memberships only need the row).
func addStoreUser(t *testing.T, srv *testenv.Server, storeID, id string) {
	t.Helper()
	now := time.Now().UTC()
	if err := srv.App.Store.Users().Create(t.Context(), store.User{IdentityStoreID: storeID, ID: id, UserName: "user-" + id,
		DisplayName: id, Enabled: true, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
}

func createGroup(t *testing.T, c *ics.IdentityCenterStoreClient, storeID, name string) string {
	t.Helper()
	resp, err := c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: storeID, Body: &model.CreateGroupReqBody{DisplayName: name}})
	if err != nil {
		t.Fatalf("CreateGroup %q: %v", name, err)
	}
	if resp.HttpStatusCode != 201 || resp.GroupId == nil || *resp.IdentityStoreId != storeID {
		t.Fatalf("CreateGroup = %+v", resp)
	}
	return *resp.GroupId
}

func updateGroup(c *ics.IdentityCenterStoreClient, storeID, groupID string, kv ...*string) error {
	var ops []model.AttributeOperationDto
	for i := 0; i < len(kv); i += 2 {
		ops = append(ops, model.AttributeOperationDto{AttributePath: *kv[i], AttributeValue: kv[i+1]})
	}
	_, err := c.UpdateGroup(&model.UpdateGroupRequest{IdentityStoreId: storeID, GroupId: groupID, Body: &model.UpdateGroupReqBody{Operations: ops}})
	return err
}

func getGroupID(c *ics.IdentityCenterStoreClient, storeID string, alt *model.AlternateIdentifierDto) (string, error) {
	resp, err := c.GetGroupId(&model.GetGroupIdRequest{IdentityStoreId: storeID, Body: &model.GetGroupIdReqBody{AlternateIdentifier: alt}})
	if err != nil {
		return "", err
	}
	return *resp.GroupId, nil
}

// Groups: create, describe, update, look up, batch-read, list and delete,
// with their main error paths.
func TestGroupsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		_, c, sid := identityStore(t, dialect)
		resp, err := c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: "Engineering", Description: ptr("builders")}})
		if err != nil || resp.HttpStatusCode != 201 {
			t.Fatalf("CreateGroup = %+v, %v", resp, err)
		}
		eng := *resp.GroupId
		_, err = c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: "  "}})
		testenv.WantError(t, err, 400, "IIC.1353")
		_, err = c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: "ENGINEERING"}})
		testenv.WantError(t, err, 409, "IIC.1341")
		_, err = c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: "x", Description: ptr(strings.Repeat("d", 1025))}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: "d-0000000000", Body: &model.CreateGroupReqBody{DisplayName: "x"}})
		testenv.WantError(t, err, 404, "IIC.1259")

		d, err := c.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: eng})
		if err != nil || *d.GroupId != eng || *d.IdentityStoreId != sid || *d.DisplayName != "Engineering" || *d.Description != "builders" ||
			d.ExternalIds == nil || len(*d.ExternalIds) != 0 || *d.CreatedAt < time.Now().Add(-time.Minute).UnixMilli() || *d.UpdatedAt != *d.CreatedAt || *d.CreatedBy == "" {
			t.Fatalf("DescribeGroup = %+v, %v", d, err)
		}
		_, err = c.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: "nope"})
		testenv.WantError(t, err, 404, "IIC.1343")

		// UpdateGroup: several operations at once, all or none.
		ext := `[{"issuer":"scim","id":"E-1"}]`
		if err := updateGroup(c, sid, eng, ptr("display_name"), ptr("Platform"), ptr("description"), nil, ptr("external_ids"), &ext); err != nil {
			t.Fatal(err)
		}
		d, _ = c.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: eng})
		if *d.DisplayName != "Platform" || d.Description != nil && *d.Description != "" || len(*d.ExternalIds) != 1 || (*d.ExternalIds)[0].Id != "E-1" {
			t.Fatalf("after update: %+v", d)
		}
		sales := createGroup(t, c, sid, "Sales")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("description"), ptr("lost"), ptr("display_name"), ptr("platform")), 409, "IIC.1341")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("description"), ptr("lost"), ptr("external_ids"), &ext), 409, "IIC.1342")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("description"), ptr("a"), ptr("description"), ptr("b")), 404, "IIC.1349")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("display_name"), nil), 400, "IIC.1353")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("description"), ptr("lost"), ptr("color"), ptr("red")), 400, "IIC.400")
		testenv.WantError(t, updateGroup(c, sid, sales, ptr("external_ids"), ptr("not json")), 400, "IIC.400")
		testenv.WantError(t, updateGroup(c, sid, sales), 400, "IIC.400")
		testenv.WantError(t, updateGroup(c, sid, "nope", ptr("description"), ptr("x")), 404, "IIC.1343")
		if d, _ := c.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: sales}); *d.DisplayName != "Sales" || d.Description != nil && *d.Description != "" {
			t.Fatalf("failed updates changed the group: %+v", d)
		}

		// GetGroupId by display name (exact, case-insensitive) or external id.
		if id, err := getGroupID(c, sid, &model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "display_name", AttributeValue: "PLATFORM"}}); err != nil || id != eng {
			t.Fatalf("GetGroupId by name = %q, %v", id, err)
		}
		if id, err := getGroupID(c, sid, &model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "E-1"}}); err != nil || id != eng {
			t.Fatalf("GetGroupId by external id = %q, %v", id, err)
		}
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "display_name", AttributeValue: "Plat"}})
		testenv.WantError(t, err, 404, "IIC.1343")
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "okta", Id: "E-1"}})
		testenv.WantError(t, err, 404, "IIC.1343")
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{})
		testenv.WantError(t, err, 400, "IIC.1348")
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "E-1"},
			UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "display_name", AttributeValue: "Platform"}})
		testenv.WantError(t, err, 400, "IIC.1344")
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "description", AttributeValue: "x"}})
		testenv.WantError(t, err, 400, "IIC.400")

		// DescribeGroups: the existing ones, in the order asked.
		batch, err := c.DescribeGroups(&model.DescribeGroupsRequest{IdentityStoreId: sid, Body: &model.DescribeGroupsRequestBody{GroupIds: []string{sales, "nope", eng, sales}}})
		if err != nil || len(*batch.Groups) != 2 || (*batch.Groups)[0].GroupId != sales || (*batch.Groups)[1].GroupId != eng || *(*batch.Groups)[1].DisplayName != "Platform" {
			t.Fatalf("DescribeGroups = %+v, %v", batch, err)
		}
		_, err = c.DescribeGroups(&model.DescribeGroupsRequest{IdentityStoreId: sid, Body: &model.DescribeGroupsRequestBody{GroupIds: []string{}}})
		testenv.WantError(t, err, 400, "IIC.400")

		// ListGroups pages in creation order; display_name filters by substring.
		for _, n := range []string{"Ops team", "Dev Team", "Finance"} {
			createGroup(t, c, sid, n)
		}
		var names []string
		var marker *string
		for pages := 0; ; pages++ {
			page, err := c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid, Limit: ptr[int32](2), Marker: marker})
			if err != nil || pages > 3 {
				t.Fatalf("ListGroups page %d: %+v, %v", pages, page, err)
			}
			for _, g := range *page.Groups {
				names = append(names, *g.DisplayName)
			}
			if int(*page.PageInfo.CurrentCount) != len(*page.Groups) {
				t.Fatalf("current_count %d for %d groups", *page.PageInfo.CurrentCount, len(*page.Groups))
			}
			if page.PageInfo.NextMarker == "" {
				break
			}
			marker = &page.PageInfo.NextMarker
		}
		if strings.Join(names, ",") != "Platform,Sales,Ops team,Dev Team,Finance" {
			t.Fatalf("ListGroups = %v", names)
		}
		page, err := c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid, DisplayName: ptr("TEAM")})
		if err != nil || len(*page.Groups) != 2 || *(*page.Groups)[0].DisplayName != "Ops team" || page.PageInfo.NextMarker != "" {
			t.Fatalf("ListGroups filtered = %+v, %v", page, err)
		}
		_, err = c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid, Limit: ptr[int32](101)})
		testenv.WantError(t, err, 400, "IIC.400")
		first, _ := c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid, Limit: ptr[int32](1)})
		_, err = c.ListGroups(&model.ListGroupsRequest{IdentityStoreId: sid, Limit: ptr[int32](1), Marker: &first.PageInfo.NextMarker, DisplayName: ptr("team")})
		testenv.WantError(t, err, 400, "IIC.400") // a marker of another list

		del, err := c.DeleteGroup(&model.DeleteGroupRequest{IdentityStoreId: sid, GroupId: eng})
		if err != nil || del.HttpStatusCode != 200 {
			t.Fatalf("DeleteGroup = %+v, %v", del, err)
		}
		_, err = c.DeleteGroup(&model.DeleteGroupRequest{IdentityStoreId: sid, GroupId: eng})
		testenv.WantError(t, err, 404, "IIC.1343")
		_, err = getGroupID(c, sid, &model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "E-1"}})
		testenv.WantError(t, err, 404, "IIC.1343")
		createGroup(t, c, sid, "platform") // the name is free again
	})
}

func addMember(c *ics.IdentityCenterStoreClient, storeID, groupID, userID string) (string, error) {
	resp, err := c.CreateGroupMembership(&model.CreateGroupMembershipRequest{IdentityStoreId: storeID,
		Body: &model.CreateGroupMembershipReqBody{GroupId: groupID, MemberId: &model.MemberIdDto{UserId: userID}}})
	if err != nil {
		return "", err
	}
	if resp.HttpStatusCode != 201 || *resp.IdentityStoreId != storeID {
		return "", fmt.Errorf("CreateGroupMembership = %+v", resp)
	}
	return *resp.MembershipId, nil
}

func groupsOf(t *testing.T, c *ics.IdentityCenterStoreClient, storeID, userID string) []string {
	t.Helper()
	var out []string
	var marker *string
	for {
		page, err := c.ListGroupMembershipsForMember(&model.ListGroupMembershipsForMemberRequest{IdentityStoreId: storeID, UserId: userID, Limit: ptr[int32](3), Marker: marker})
		if err != nil {
			t.Fatalf("ListGroupMembershipsForMember: %v", err)
		}
		for _, m := range *page.GroupMemberships {
			if m.MemberId.UserId != userID || *m.IdentityStoreId != storeID {
				t.Fatalf("membership of another user in the list: %+v", m)
			}
			out = append(out, *m.GroupId)
		}
		if page.PageInfo.NextMarker == "" {
			return out
		}
		marker = &page.PageInfo.NextMarker
	}
}

// Memberships: add, describe, look up, list both ways, check, remove, and
// the cascades when a group or a user goes.
func TestGroupMembershipsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, sid := identityStore(t, dialect)
		addStoreUser(t, srv, sid, "u1")
		addStoreUser(t, srv, sid, "u2")
		g1, g2, g3 := createGroup(t, c, sid, "g1"), createGroup(t, c, sid, "g2"), createGroup(t, c, sid, "g3")

		m1, err := addMember(c, sid, g1, "u1")
		if err != nil {
			t.Fatal(err)
		}
		_, err = addMember(c, sid, g1, "u1")
		testenv.WantError(t, err, 400, "IIC.1370")
		_, err = addMember(c, sid, "nope", "u1")
		testenv.WantError(t, err, 400, "IIC.1372")
		_, err = addMember(c, sid, g1, "nobody")
		testenv.WantError(t, err, 400, "IIC.1373")
		_, err = c.CreateGroupMembership(&model.CreateGroupMembershipRequest{IdentityStoreId: sid, Body: &model.CreateGroupMembershipReqBody{GroupId: g1}})
		testenv.WantError(t, err, 400, "IIC.400")
		m2, _ := addMember(c, sid, g2, "u1")
		m3, _ := addMember(c, sid, g1, "u2")
		if m1 == "" || m2 == "" || m3 == "" || m1 == m2 {
			t.Fatalf("membership ids %q %q %q", m1, m2, m3)
		}

		d, err := c.DescribeGroupMembership(&model.DescribeGroupMembershipRequest{IdentityStoreId: sid, MembershipId: m2})
		if err != nil || *d.MembershipId != m2 || *d.GroupId != g2 || d.MemberId.UserId != "u1" || *d.IdentityStoreId != sid {
			t.Fatalf("DescribeGroupMembership = %+v, %v", d, err)
		}
		_, err = c.DescribeGroupMembership(&model.DescribeGroupMembershipRequest{IdentityStoreId: sid, MembershipId: "nope"})
		testenv.WantError(t, err, 404, "IIC.1371")

		getID := func(group, user string) (string, error) {
			resp, err := c.GetGroupMembershipId(&model.GetGroupMembershipIdRequest{IdentityStoreId: sid,
				Body: &model.GetGroupMembershipIdReqBody{GroupId: group, MemberId: &model.MemberIdDto{UserId: user}}})
			if err != nil {
				return "", err
			}
			return *resp.MembershipId, nil
		}
		if id, err := getID(g1, "u2"); err != nil || id != m3 {
			t.Fatalf("GetGroupMembershipId = %q, %v", id, err)
		}
		_, err = getID(g3, "u1")
		testenv.WantError(t, err, 404, "IIC.1374")
		_, err = getID("nope", "u1")
		testenv.WantError(t, err, 404, "IIC.1372")
		_, err = getID(g1, "nobody")
		testenv.WantError(t, err, 404, "IIC.1373")

		// ListGroupMemberships pages through one group's members.
		addStoreUser(t, srv, sid, "u3")
		addMember(c, sid, g1, "u3")
		var members []string
		var marker *string
		for {
			page, err := c.ListGroupMemberships(&model.ListGroupMembershipsRequest{IdentityStoreId: sid, GroupId: g1, Limit: ptr[int32](2), Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range *page.GroupMemberships {
				if *m.GroupId != g1 || m.IdentityStoreId != sid || *m.MembershipId == "" {
					t.Fatalf("row %+v", m)
				}
				members = append(members, m.MemberId.UserId)
			}
			if page.PageInfo.NextMarker == "" {
				break
			}
			marker = &page.PageInfo.NextMarker
		}
		if strings.Join(members, ",") != "u1,u2,u3" {
			t.Fatalf("members of g1 = %v", members)
		}
		_, err = c.ListGroupMemberships(&model.ListGroupMembershipsRequest{IdentityStoreId: sid, GroupId: "nope"})
		testenv.WantError(t, err, 404, "IIC.1372")
		_, err = c.ListGroupMemberships(&model.ListGroupMembershipsRequest{IdentityStoreId: sid, GroupId: g1, Limit: ptr[int32](0)})
		testenv.WantError(t, err, 400, "IIC.400")
		if got := strings.Join(groupsOf(t, c, sid, "u1"), ","); got != g1+","+g2 {
			t.Fatalf("groups of u1 = %s", got)
		}
		_, err = c.ListGroupMembershipsForMember(&model.ListGroupMembershipsForMemberRequest{IdentityStoreId: sid, UserId: "nobody"})
		testenv.WantError(t, err, 404, "IIC.1373")

		// IsMemberInGroups answers per group, unknown groups included.
		is, err := c.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
			Body: &model.IsMemberInGroupsReqBody{GroupIds: []string{g3, g1, "nope", g2}, MemberId: &model.MemberIdDto{UserId: "u1"}}})
		if err != nil || len(*is.Results) != 4 {
			t.Fatalf("IsMemberInGroups = %+v, %v", is, err)
		}
		var got []string
		for _, r := range *is.Results {
			if r.MemberId.UserId != "u1" {
				t.Fatalf("result for %+v", r.MemberId)
			}
			got = append(got, fmt.Sprintf("%s=%v", *r.GroupId, *r.MembershipExists))
		}
		if want := fmt.Sprintf("%s=false,%s=true,nope=false,%s=true", g3, g1, g2); strings.Join(got, ",") != want {
			t.Fatalf("IsMemberInGroups results = %v, want %s", got, want)
		}
		is, err = c.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
			Body: &model.IsMemberInGroupsReqBody{GroupIds: []string{g3}, MemberId: &model.MemberIdDto{UserId: "u2"}}})
		if err != nil || len(*is.Results) != 1 || *(*is.Results)[0].MembershipExists {
			t.Fatalf("IsMemberInGroups for a user in none = %+v, %v", is, err)
		}
		_, err = c.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
			Body: &model.IsMemberInGroupsReqBody{GroupIds: []string{g1}, MemberId: &model.MemberIdDto{UserId: "nobody"}}})
		testenv.WantError(t, err, 404, "IIC.1375")
		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprint("g", i)
		}
		_, err = c.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
			Body: &model.IsMemberInGroupsReqBody{GroupIds: many, MemberId: &model.MemberIdDto{UserId: "u1"}}})
		testenv.WantError(t, err, 400, "IIC.400")

		del, err := c.DeleteGroupMembership(&model.DeleteGroupMembershipRequest{IdentityStoreId: sid, MembershipId: m2})
		if err != nil || del.HttpStatusCode != 200 {
			t.Fatalf("DeleteGroupMembership = %+v, %v", del, err)
		}
		_, err = c.DeleteGroupMembership(&model.DeleteGroupMembershipRequest{IdentityStoreId: sid, MembershipId: m2})
		testenv.WantError(t, err, 404, "IIC.1371")
		if got := strings.Join(groupsOf(t, c, sid, "u1"), ","); got != g1 {
			t.Fatalf("groups of u1 after removal = %s", got)
		}

		// Deleting a group or a user removes its memberships.
		addMember(c, sid, g2, "u2")
		if _, err := c.DeleteGroup(&model.DeleteGroupRequest{IdentityStoreId: sid, GroupId: g1}); err != nil {
			t.Fatal(err)
		}
		if got := groupsOf(t, c, sid, "u1"); len(got) != 0 {
			t.Fatalf("u1 still in %v after its group was deleted", got)
		}
		_, err = c.DescribeGroupMembership(&model.DescribeGroupMembershipRequest{IdentityStoreId: sid, MembershipId: m1})
		testenv.WantError(t, err, 404, "IIC.1371")
		if err := srv.App.Store.Users().Delete(t.Context(), sid, "u2"); err != nil {
			t.Fatal(err)
		}
		page, err := c.ListGroupMemberships(&model.ListGroupMembershipsRequest{IdentityStoreId: sid, GroupId: g2})
		if err != nil || len(*page.GroupMemberships) != 0 || *page.PageInfo.CurrentCount != 0 {
			t.Fatalf("g2 after its member was deleted = %+v, %v", page, err)
		}
	})
}

// TestMembershipsConcurrent: 16 clients add and remove memberships on
// overlapping (group, user) pairs at once. Every pair is added exactly once
// and removed exactly once; the losers get IIC.1370 / IIC.1371; the final
// state is exactly the expected set.
func TestMembershipsConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, sid := identityStore(t, dialect)
		const n = 5
		var groups, users []string
		for i := 0; i < n; i++ {
			groups = append(groups, createGroup(t, c, sid, fmt.Sprint("group-", i)))
			users = append(users, fmt.Sprint("user-", i))
			addStoreUser(t, srv, sid, users[i])
		}
		type pair struct{ g, u int }
		var all []pair
		for g := 0; g < n; g++ {
			for u := 0; u < n; u++ {
				all = append(all, pair{g, u})
			}
		}
		// Phase 1 adds the first 15 pairs; phase 2 removes the first 8 of
		// them while adding the other 10.
		initial, removed, added := all[:15], all[:8], all[15:]
		ids := map[pair]string{}
		var mu sync.Mutex

		run := func(work func(worker int, p pair, remove bool) error, pairs []pair, removes map[pair]bool) {
			var wg sync.WaitGroup
			for w := 0; w < 16; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for k := range pairs {
						p := pairs[(k+w)%len(pairs)] // every worker, another order
						if err := work(w, p, removes[p]); err != nil {
							t.Error(err)
							return
						}
					}
				}(w)
			}
			wg.Wait()
		}
		clients := make([]*ics.IdentityCenterStoreClient, 16)
		for i := range clients {
			clients[i] = srv.IdentityStore(t)
		}
		wins := map[pair]int{}
		code := func(err error) string {
			if se, ok := err.(*sdkerr.ServiceResponseError); ok {
				return se.ErrorCode
			}
			return err.Error()
		}
		work := func(w int, p pair, remove bool) error {
			cl := clients[w]
			if remove {
				mu.Lock()
				id := ids[p]
				mu.Unlock()
				_, err := cl.DeleteGroupMembership(&model.DeleteGroupMembershipRequest{IdentityStoreId: sid, MembershipId: id})
				if err != nil && code(err) != "IIC.1371" {
					return fmt.Errorf("delete %v: %v", p, err)
				}
				if err == nil {
					mu.Lock()
					wins[p]++
					mu.Unlock()
				}
				return nil
			}
			id, err := addMember(cl, sid, groups[p.g], users[p.u])
			if err != nil && code(err) != "IIC.1370" {
				return fmt.Errorf("add %v: %v", p, err)
			}
			if err == nil {
				mu.Lock()
				wins[p]++
				ids[p] = id
				mu.Unlock()
			}
			return nil
		}
		run(work, initial, nil)
		for _, p := range initial {
			if wins[p] != 1 {
				t.Fatalf("pair %v was added %d times", p, wins[p])
			}
		}
		wins = map[pair]int{}
		removes := map[pair]bool{}
		for _, p := range removed {
			removes[p] = true
		}
		run(work, append(append([]pair(nil), removed...), added...), removes)
		for _, p := range append(append([]pair(nil), removed...), added...) {
			if wins[p] != 1 {
				t.Fatalf("pair %v (remove=%v) succeeded %d times", p, removes[p], wins[p])
			}
		}

		want := map[string]bool{}
		for _, p := range append(append([]pair(nil), initial[8:]...), added...) {
			want[groups[p.g]+"/"+users[p.u]] = true
		}
		got := map[string]bool{}
		for _, u := range users {
			for _, g := range groupsOf(t, c, sid, u) {
				if got[g+"/"+u] {
					t.Fatalf("pair %s/%s listed twice", g, u)
				}
				got[g+"/"+u] = true
			}
			is, err := c.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
				Body: &model.IsMemberInGroupsReqBody{GroupIds: groups, MemberId: &model.MemberIdDto{UserId: u}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range *is.Results {
				if *r.MembershipExists != want[*r.GroupId+"/"+u] {
					t.Fatalf("IsMemberInGroups(%s, %s) = %v", u, *r.GroupId, *r.MembershipExists)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("final state has %d pairs, want %d", len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("pair %s missing from the final state", k)
			}
		}
	})
}
