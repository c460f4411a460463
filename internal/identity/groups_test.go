package identity_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

const groupAcct = "0123456789abcdef0123456789abcdef"

// newGroupService is a Service over a fresh store with one identity store.
func newGroupService(t *testing.T, dialect string, q identity.Quotas) (*identity.Service, string) {
	t.Helper()
	st := sqltest.Open(t, dialect).Store()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if err := st.Accounts().Create(ctx, store.Account{ID: groupAcct, Name: "a", IsManagement: true, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	const sid = "d-00000000aa"
	if err := st.Instances().Create(ctx, store.Instance{ID: "ins-00000000000000aa", AccountID: groupAcct, IdentityStoreID: sid, RegionID: "cn-north-4", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return &identity.Service{Store: st, Now: func() time.Time { return now }, Paging: paging.NewSigner([]byte("k")), Quotas: q}, sid
}

// The group quota is enforced: the create past it is IIC.1351 and writes
// nothing; deleting a group frees a slot.
func TestGroupQuota(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			svc, sid := newGroupService(t, d, identity.Quotas{Groups: 3})
			ctx := context.Background()
			c := identity.Caller{Actor: "root"}
			var ids []string
			for i := 0; i < 3; i++ {
				id, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: fmt.Sprint("g", i)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			_, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: "one too many"})
			if !apierr.IIC1351.Is(err) {
				t.Fatalf("create past the quota: %v", err)
			}
			if n, _ := svc.Store.Groups().Count(ctx, sid); n != 3 {
				t.Fatalf("%d groups after a refused create", n)
			}
			if err := svc.DeleteGroup(ctx, sid, ids[0]); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: "one too many"}); err != nil {
				t.Fatalf("create after freeing a slot: %v", err)
			}
		})
	}
}

// EditGroup is all or none: an invalid description leaves the group as it
// was (the display name set in the same edit included), and
// updated_at/updated_by change only on success.
func TestEditGroupAtomic(t *testing.T) {
	svc, sid := newGroupService(t, "sqlite", identity.Quotas{})
	ctx := context.Background()
	id, err := svc.CreateGroup(ctx, identity.Caller{Actor: "root"}, sid, identity.NewGroup{DisplayName: "A", Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.EditGroup(ctx, identity.Caller{Actor: "bob"}, sid, id, 0, func(_ store.Group, f *identity.GroupFields) error {
		f.DisplayName, f.Description = "B", string(make([]byte, 1025))
		return nil
	}, identity.MemberChange{})
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Status() != 400 {
		t.Fatalf("invalid description: %v", err)
	}
	g, _ := svc.GetGroup(ctx, sid, id)
	if g.DisplayName != "A" || g.Description != "d" || g.UpdatedBy != "root" {
		t.Fatalf("failed update changed the group: %+v", g)
	}
}

// Group display names are stored in NFC: canonically equivalent spellings
// are one name for uniqueness, look-ups and edits; other text is kept as
// written (compatibility forms stay distinct).
func TestGroupDisplayNameNFC(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			svc, sid := newGroupService(t, dialect, identity.Quotas{})
			ctx := context.Background()
			c := identity.Caller{Actor: "root"}
			decomposed, composed := "Cafe\u0301 team", "Caf\u00e9 team"
			id, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: decomposed})
			if err != nil {
				t.Fatal(err)
			}
			if g, _ := svc.GetGroup(ctx, sid, id); g.DisplayName != composed {
				t.Fatalf("stored %q, want the NFC form %q", g.DisplayName, composed)
			}
			_, err = svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: composed})
			if !apierr.IIC1341.Is(err) {
				t.Fatalf("the same name in NFC: %v, want IIC.1341", err)
			}
			got, err := svc.GetGroupID(ctx, sid, identity.GroupByDisplayName(decomposed))
			if err != nil || got != id {
				t.Fatalf("look-up by the decomposed form: %q, %v", got, err)
			}
			if _, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: "Ｃafé team"}); err != nil {
				t.Fatalf("a fullwidth letter is another name: %v", err)
			}
			other, err := svc.CreateGroup(ctx, c, sid, identity.NewGroup{DisplayName: "other"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.EditGroup(ctx, c, sid, other, 0, func(_ store.Group, f *identity.GroupFields) error { f.DisplayName = decomposed; return nil }, identity.MemberChange{})
			if !apierr.IIC1341.Is(err) {
				t.Fatalf("renaming to the decomposed form of a taken name: %v, want IIC.1341", err)
			}
		})
	}
}
