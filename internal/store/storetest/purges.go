package storetest

import (
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// A queued identity store is purged in steps of at most batch users, then
// groups, then the rest; other stores keep everything.
func testPurges(t *testing.T, s store.Store) {
	const gone, kept = "d-00000000p1", "d-00000000p2"
	for _, sid := range []string{gone, kept} {
		for i := range 5 {
			mustUser(t, s, sid, fmt.Sprint("u", i))
		}
		for i := range 3 {
			if err := s.Groups().Create(ctx, store.Group{IdentityStoreID: sid, ID: fmt.Sprint("g", i), DisplayName: fmt.Sprint("g", i), CreatedAt: t0, UpdatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Memberships().Create(ctx, store.Membership{IdentityStoreID: sid, ID: "m1", GroupID: "g0", UserID: "u0", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.UserSecrets().PutPasswordPolicy(ctx, store.PasswordPolicy{IdentityStoreID: sid, MinLength: 10, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := s.Instances().PendingPurges(ctx); err != nil || len(p) != 0 {
		t.Fatalf("pending before = %v, %v", p, err)
	}
	for range 2 { // queueing twice is one entry
		if err := s.Instances().QueuePurge(ctx, gone, t0); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := s.Instances().PendingPurges(ctx); err != nil || fmt.Sprint(p) != "["+gone+"]" {
		t.Fatalf("pending = %v, %v", p, err)
	}
	steps := 0
	for {
		done, err := s.Instances().PurgeStep(ctx, gone, 2)
		if err != nil {
			t.Fatal(err)
		}
		steps++
		if done {
			break
		}
		if steps > 10 {
			t.Fatal("purge does not finish")
		}
	}
	// 5 users in batches of 2 (3 steps), 3 groups (2 steps), then the rest.
	if steps != 6 {
		t.Fatalf("purge took %d steps, want 6", steps)
	}
	if n, _ := s.Users().Count(ctx, gone); n != 0 {
		t.Fatalf("users left: %d", n)
	}
	if list, _ := s.Users().List(ctx, gone, store.UserFilter{}, 0, 10); len(list) != 0 {
		t.Fatalf("user rows left: %d", len(list))
	}
	if list, _ := s.Groups().List(ctx, gone, store.GroupFilter{}, 0, 10); len(list) != 0 {
		t.Fatalf("group rows left: %d", len(list))
	}
	if _, err := s.UserSecrets().GetPasswordPolicy(ctx, gone); err != store.ErrNotFound {
		t.Fatalf("password policy left: %v", err)
	}
	if p, _ := s.Instances().PendingPurges(ctx); len(p) != 0 {
		t.Fatalf("still pending: %v", p)
	}
	if done, err := s.Instances().PurgeStep(ctx, gone, 2); err != nil || !done {
		t.Fatalf("a step on a purged store = %v, %v; want done", done, err)
	}
	nu, _ := s.Users().Count(ctx, kept)
	ng, _ := s.Groups().Count(ctx, kept)
	m, err := s.Memberships().Get(ctx, kept, "m1")
	if nu != 5 || ng != 3 || err != nil || m.UserID != "u0" {
		t.Fatalf("the other store: %d users, %d groups, membership %+v %v", nu, ng, m, err)
	}
}
