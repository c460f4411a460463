package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// userSecretTests are the conformance tests of this area.
var userSecretTests = []namedTest{
	{"PasswordPolicy", testPasswordPolicy},
	{"UserPasswords", testUserPasswords},
	{"UserTokens", testUserTokens},
	{"UserTokenConsumedOnce", testUserTokenConsumedOnce},
	{"UserDeleteCascadesSecrets", testUserDeleteCascadesSecrets},
	{"UserAndGroupCounts", testCounts},
	{"IdentityStorePurges", testPurges},
}

func mustUser(t *testing.T, s store.Store, storeID, id string) {
	t.Helper()
	u := store.User{IdentityStoreID: storeID, ID: id, UserName: "name-" + id, Email: id + "@example.com", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatalf("create user: %v", err)
	}
}

func testPasswordPolicy(t *testing.T, s store.Store) {
	_, err := s.UserSecrets().GetPasswordPolicy(ctx, "d-0000000001")
	wantErr(t, "policy never stored", err, store.ErrNotFound)
	p := store.PasswordPolicy{IdentityStoreID: "d-0000000001", MinLength: 12, RequireLowercase: true, RequireNumbers: true,
		MaxAgeDays: 90, ReusePrevention: 1, UpdatedAt: t0}
	if err := s.UserSecrets().PutPasswordPolicy(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserSecrets().GetPasswordPolicy(ctx, "d-0000000001")
	if err != nil || got != p {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, p)
	}
	// Put replaces every field.
	p2 := store.PasswordPolicy{IdentityStoreID: "d-0000000001", MinLength: 8, RequireUppercase: true, RequireSymbols: true, UpdatedAt: t0.Add(time.Hour)}
	if err := s.UserSecrets().PutPasswordPolicy(ctx, p2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserSecrets().GetPasswordPolicy(ctx, "d-0000000001"); got != p2 {
		t.Fatalf("after replace = %+v; want %+v", got, p2)
	}
	// Policies are per store.
	_, err = s.UserSecrets().GetPasswordPolicy(ctx, "d-0000000002")
	wantErr(t, "other store", err, store.ErrNotFound)
}

func testUserPasswords(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	mustUser(t, s, sid, "u1")
	_, err := s.UserSecrets().GetPassword(ctx, sid, "u1")
	wantErr(t, "no password yet", err, store.ErrNotFound)
	p := store.Password{IdentityStoreID: sid, UserID: "u1", Hash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", OneTime: true, SetAt: t0}
	if err := s.UserSecrets().PutPassword(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserSecrets().GetPassword(ctx, sid, "u1")
	if err != nil || fmt.Sprint(got) != fmt.Sprint(store.Password{IdentityStoreID: sid, UserID: "u1", Hash: p.Hash, OneTime: true, History: []string{}, SetAt: t0}) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	p2 := store.Password{IdentityStoreID: sid, UserID: "u1", Hash: "$argon2id$new", History: []string{p.Hash, "older"}, SetAt: t0.Add(time.Minute)}
	if err := s.UserSecrets().PutPassword(ctx, p2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.UserSecrets().GetPassword(ctx, sid, "u1")
	if got.Hash != p2.Hash || got.OneTime || len(got.History) != 2 || got.History[0] != p.Hash || got.History[1] != "older" || !got.SetAt.Equal(p2.SetAt) {
		t.Fatalf("after replace = %+v", got)
	}
	orphan := store.Password{IdentityStoreID: sid, UserID: "nobody", Hash: "x", SetAt: t0}
	wantErr(t, "password of a missing user", s.UserSecrets().PutPassword(ctx, orphan), store.ErrConflict)
	if err := s.UserSecrets().DeletePassword(ctx, sid, "u1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.UserSecrets().DeletePassword(ctx, sid, "u1"), store.ErrNotFound)
	_, err = s.UserSecrets().GetPassword(ctx, sid, "u1")
	wantErr(t, "get deleted", err, store.ErrNotFound)
}

func testUserTokens(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	mustUser(t, s, sid, "u1")
	mk := func(hash, purpose string, exp time.Time) store.UserToken {
		tok := store.UserToken{Hash: hash, IdentityStoreID: sid, UserID: "u1", Purpose: purpose, Email: "u1@example.com", ExpiresAt: exp, CreatedAt: t0}
		if err := s.UserSecrets().CreateToken(ctx, tok); err != nil {
			t.Fatalf("create token %s: %v", hash, err)
		}
		return tok
	}
	live := mk("h1", store.TokenSetPassword, t0.Add(time.Hour))
	mk("h2", store.TokenVerifyEmail, t0.Add(time.Hour))
	mk("h3", store.TokenSetPassword, t0.Add(-time.Second))
	wantErr(t, "duplicate hash", s.UserSecrets().CreateToken(ctx, live), store.ErrConflict)
	wantErr(t, "token of a missing user", s.UserSecrets().CreateToken(ctx, store.UserToken{Hash: "h9", IdentityStoreID: sid, UserID: "nobody",
		Purpose: store.TokenSetPassword, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}), store.ErrConflict)

	_, err := s.UserSecrets().ConsumeToken(ctx, "h1", store.TokenVerifyEmail, t0)
	wantErr(t, "wrong purpose", err, store.ErrNotFound)
	got, err := s.UserSecrets().ConsumeToken(ctx, "h1", store.TokenSetPassword, t0)
	if err != nil || got != live {
		t.Fatalf("Consume = %+v, %v; want %+v", got, err, live)
	}
	_, err = s.UserSecrets().ConsumeToken(ctx, "h1", store.TokenSetPassword, t0)
	wantErr(t, "consume twice", err, store.ErrNotFound)
	_, err = s.UserSecrets().ConsumeToken(ctx, "h3", store.TokenSetPassword, t0)
	wantErr(t, "expired", err, store.ErrNotFound)
	_, err = s.UserSecrets().ConsumeToken(ctx, "nope", store.TokenSetPassword, t0)
	wantErr(t, "unknown", err, store.ErrNotFound)

	mk("h4", store.TokenSetPassword, t0.Add(time.Hour))
	if n, err := s.UserSecrets().DeleteTokens(ctx, sid, "u1", store.TokenSetPassword); err != nil || n != 1 {
		t.Fatalf("DeleteTokens(set-password) = %d, %v; want 1 (h4)", n, err)
	}
	if n, err := s.UserSecrets().DeleteTokens(ctx, sid, "u1", ""); err != nil || n != 1 {
		t.Fatalf("DeleteTokens(all) = %d, %v; want 1 (h2)", n, err)
	}
	_, err = s.UserSecrets().ConsumeToken(ctx, "h2", store.TokenVerifyEmail, t0)
	wantErr(t, "deleted token", err, store.ErrNotFound)
}

// Of many concurrent consumers of one token exactly one succeeds.
func testUserTokenConsumedOnce(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	mustUser(t, s, sid, "u1")
	if err := s.UserSecrets().CreateToken(ctx, store.UserToken{Hash: "h", IdentityStoreID: sid, UserID: "u1", Purpose: store.TokenSetPassword,
		ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UserSecrets().ConsumeToken(ctx, "h", store.TokenSetPassword, t0)
			if err == nil {
				ok.Add(1)
			} else if !errorsIs(err, store.ErrNotFound) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d consumers succeeded, want 1", ok.Load())
	}
}

func testUserDeleteCascadesSecrets(t *testing.T, s store.Store) {
	const sid = "d-0000000001"
	mustUser(t, s, sid, "u1")
	mustUser(t, s, sid, "u2")
	for _, id := range []string{"u1", "u2"} {
		if err := s.UserSecrets().PutPassword(ctx, store.Password{IdentityStoreID: sid, UserID: id, Hash: "h-" + id, SetAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.UserSecrets().CreateToken(ctx, store.UserToken{Hash: "t-" + id, IdentityStoreID: sid, UserID: id, Purpose: store.TokenVerifyEmail,
			ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Users().Delete(ctx, sid, "u1"); err != nil {
		t.Fatal(err)
	}
	_, err := s.UserSecrets().GetPassword(ctx, sid, "u1")
	wantErr(t, "password of a deleted user", err, store.ErrNotFound)
	_, err = s.UserSecrets().ConsumeToken(ctx, "t-u1", store.TokenVerifyEmail, t0)
	wantErr(t, "token of a deleted user", err, store.ErrNotFound)
	// The other user's secrets stay.
	if _, err := s.UserSecrets().GetPassword(ctx, sid, "u2"); err != nil {
		t.Fatalf("other user's password: %v", err)
	}
	if _, err := s.UserSecrets().ConsumeToken(ctx, "t-u2", store.TokenVerifyEmail, t0); err != nil {
		t.Fatalf("other user's token: %v", err)
	}
}
