package storetest

import (
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

func testPolicies(t *testing.T, s store.Store) {
	a := mustAccount(t, s, "a1")
	b := mustAccount(t, s, "b1")
	doc := []byte(`{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["identitycenter:*:list*"]}]}`)
	p := store.Policy{AccountID: a.ID, ID: "p1", Name: "ReadInstances", Description: "lists", Document: doc, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Policies().Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.Policies().Get(ctx, a.ID, "p1")
	if err != nil {
		t.Fatal(err)
	}
	p.Seq = got.Seq
	if fmt.Sprint(got) != fmt.Sprint(p) || string(got.Document) != string(doc) {
		t.Fatalf("Get =\n%+v\nwant\n%+v", got, p)
	}
	// The legacy-names mark round-trips (new policies are false).
	lp := store.Policy{AccountID: a.ID, ID: "p-legacy", Name: "Legacy", Document: doc, LegacyActions: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Policies().Create(ctx, lp); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Policies().Get(ctx, a.ID, "p-legacy"); err != nil || !got.LegacyActions {
		t.Fatalf("legacy policy = %+v, %v", got, err)
	}
	if got.LegacyActions {
		t.Fatal("a new policy is marked legacy")
	}
	if err := s.Policies().Delete(ctx, a.ID, "p-legacy"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Policies().Get(ctx, b.ID, "p1")
	wantErr(t, "get through another account", err, store.ErrNotFound)
	wantErr(t, "delete through another account", s.Policies().Delete(ctx, b.ID, "p1"), store.ErrNotFound)

	dupID := p
	dupID.AccountID, dupID.Name = b.ID, "other"
	wantErr(t, "duplicate id (even in another account)", s.Policies().Create(ctx, dupID), store.ErrConflict)
	dupName := p
	dupName.ID, dupName.Name = "p2", "readinstances"
	wantErr(t, "name differing only in case", s.Policies().Create(ctx, dupName), store.ErrConflict)
	sameNameOther := dupName
	sameNameOther.AccountID = b.ID
	if err := s.Policies().Create(ctx, sameNameOther); err != nil {
		t.Fatalf("same name in another account: %v", err)
	}
	orphan := p
	orphan.AccountID, orphan.ID, orphan.Name = "nobody", "p9", "x"
	wantErr(t, "unknown account", s.Policies().Create(ctx, orphan), store.ErrConflict)

	for i := 3; i <= 6; i++ {
		q := store.Policy{AccountID: a.ID, ID: fmt.Sprint("p", i), Name: fmt.Sprint("n", i), Document: doc, CreatedAt: t0, UpdatedAt: t0}
		if err := s.Policies().Create(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Policies().Count(ctx, a.ID); err != nil || n != 5 {
		t.Fatalf("Count = %d, %v; want 5", n, err)
	}
	var ids []string
	after := int64(0)
	for {
		page, err := s.Policies().List(ctx, a.ID, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range page {
			if q.AccountID != a.ID {
				t.Fatalf("List returned a policy of %s", q.AccountID)
			}
			ids = append(ids, q.ID)
			after = q.Seq
		}
		if len(page) < 2 {
			break
		}
	}
	if fmt.Sprint(ids) != "[p1 p3 p4 p5 p6]" {
		t.Fatalf("paged List = %v", ids)
	}
	if err := s.Policies().Delete(ctx, a.ID, "p1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete twice", s.Policies().Delete(ctx, a.ID, "p1"), store.ErrNotFound)
	_, err = s.Policies().Get(ctx, a.ID, "p1")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	// The name is free again.
	if err := s.Policies().Create(ctx, store.Policy{AccountID: a.ID, ID: "p7", Name: "READINSTANCES", Document: doc, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatalf("reuse a deleted policy's name: %v", err)
	}
}
