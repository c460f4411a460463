package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
)

// Users and groups record who acted the same way (authz.Principal.Actor): a
// user and a group created, then updated, by one key report the same
// created_by and updated_by — the account id for the root key, the access
// key (never its free-text label) for a scoped key.
func TestCreatedByIsOneActor(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, root, sid := identityStore(t, dialect)

		body, _ := json.Marshal(map[string]any{"policy_ids": []string{managedID(t, "IdentityStore FullAccess")},
			"description": "actor test", "user_name": "a label, not an id"})
		resp, out := srv.DoAs(t, srv.App.Root.AccessKey, srv.App.Root.SecretKey, "POST", "/v1/iic/access-keys", body)
		var key struct {
			Credential struct {
				AccessKey string `json:"access_key"`
				SecretKey string `json:"secret_key"`
			} `json:"credential"`
		}
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(out, &key) != nil {
			t.Fatalf("create key: %d %s", resp.StatusCode, out)
		}
		scoped := srv.IdentityStoreAs(t, key.Credential.AccessKey, key.Credential.SecretKey)

		for _, tc := range []struct {
			name   string
			client *ics.IdentityCenterStoreClient
			actor  string
		}{
			{"root key", root, srv.App.Root.AccountID},
			{"scoped key", scoped, key.Credential.AccessKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.client
				uid, _ := createUser(t, c, sid, "actor-"+tc.actor[:8])
				gid := createGroup(t, c, sid, "actor group "+tc.actor[:8])
				u, err := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: uid})
				if err != nil {
					t.Fatal(err)
				}
				g, err := c.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: gid})
				if err != nil {
					t.Fatal(err)
				}
				if *u.CreatedBy != tc.actor || *g.CreatedBy != tc.actor || *u.UpdatedBy != tc.actor || *g.UpdatedBy != tc.actor {
					t.Fatalf("user created_by %q updated_by %q, group created_by %q updated_by %q; want all %q",
						*u.CreatedBy, *u.UpdatedBy, *g.CreatedBy, *g.UpdatedBy, tc.actor)
				}
			})
		}

		// Updated by the scoped key, both report it in updated_by and keep
		// the root's account id in created_by.
		uid, _ := createUser(t, root, sid, "actor-updated")
		gid := createGroup(t, root, sid, "actor updated group")
		if err := update(scoped, sid, uid, ptr("display_name"), ptr("Updated")); err != nil {
			t.Fatal(err)
		}
		if err := updateGroup(scoped, sid, gid, ptr("description"), ptr("updated")); err != nil {
			t.Fatal(err)
		}
		u, err := root.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: uid})
		if err != nil {
			t.Fatal(err)
		}
		g, err := root.DescribeGroup(&model.DescribeGroupRequest{IdentityStoreId: sid, GroupId: gid})
		if err != nil {
			t.Fatal(err)
		}
		ak, acct := key.Credential.AccessKey, srv.App.Root.AccountID
		if *u.CreatedBy != acct || *g.CreatedBy != acct || *u.UpdatedBy != ak || *g.UpdatedBy != ak {
			t.Fatalf("after the scoped key's updates: user %q/%q, group %q/%q; want created_by %q, updated_by %q",
				*u.CreatedBy, *u.UpdatedBy, *g.CreatedBy, *g.UpdatedBy, acct, ak)
		}
	})
}
