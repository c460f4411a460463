package storetest

import (
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/store"
)

// ListByPrincipals over more principals than one query takes, each holding
// several assignments created interleaved: the pages are the assignments
// in seq order, without gaps or repeats.
func testAssignmentsManyPrincipals(t *testing.T, s store.Store) {
	in := mustPermInstance(t, s, "mp")
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-1", "one"))
	mustPermissionSet(t, s, mkPermissionSet(in.ID, "ps-2", "two"))
	member := mustAccount(t, s, fmt.Sprintf("%032s", "mp2")).ID
	var principals []string
	for i := range 150 {
		principals = append(principals, fmt.Sprintf("p%03d", i))
	}
	var want []string // in creation (seq) order
	for _, acct := range []string{member, in.AccountID} {
		for _, ps := range []string{"ps-1", "ps-2"} {
			for _, p := range principals {
				if err := s.Assignments().Create(ctx, mkAssignment(in.ID, acct, ps, store.PrincipalGroup, p)); err != nil {
					t.Fatal(err)
				}
				want = append(want, acct+"/"+ps+"/"+p)
			}
		}
	}
	ask := append([]string{"absent"}, principals[75:]...)
	ask = append(ask, principals[:75]...)
	var got []string
	var after int64
	for {
		page, err := s.Assignments().ListByPrincipals(ctx, in.ID, ask, "", after, 70)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			if a.Seq <= after {
				t.Fatalf("seq %d after %d", a.Seq, after)
			}
			after = a.Seq
			got = append(got, a.AccountID+"/"+a.PermissionSetID+"/"+a.PrincipalID)
		}
		if len(page) < 70 {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pages = %d assignments, want %d in seq order", len(got), len(want))
	}
	list, err := s.Assignments().ListByPrincipals(ctx, in.ID, principals[140:], in.AccountID, 0, 100)
	if err != nil || len(list) != 20 || list[0].AccountID != in.AccountID || list[0].PrincipalID != "p140" || list[19].PermissionSetID != "ps-2" {
		t.Fatalf("in one account = %d %+v, %v", len(list), list, err)
	}
	// A principal named twice lists its assignments once; a page in one
	// account starts after its marker like any other.
	twice := []string{"p007", "p003", "p007", "p003"}
	list, err = s.Assignments().ListByPrincipals(ctx, in.ID, twice, "", 0, 100)
	if err != nil || len(list) != 8 || list[0].PrincipalID != "p003" || list[1].PrincipalID != "p007" {
		t.Fatalf("principals named twice = %d %+v, %v", len(list), list, err)
	}
	first, err := s.Assignments().ListByPrincipals(ctx, in.ID, twice, in.AccountID, 0, 3)
	if err != nil || len(first) != 3 {
		t.Fatalf("first page in one account = %+v, %v", first, err)
	}
	rest, err := s.Assignments().ListByPrincipals(ctx, in.ID, twice, in.AccountID, first[2].Seq, 3)
	if err != nil || len(rest) != 1 || rest[0].AccountID != in.AccountID || rest[0].PrincipalID != "p007" || rest[0].PermissionSetID != "ps-2" {
		t.Fatalf("second page in one account = %+v, %v", rest, err)
	}
}
