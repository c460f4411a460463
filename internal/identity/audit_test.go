package identity_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// A NUL character (JSON "\u0000") cannot be stored in a PostgreSQL text
// column: every attribute holding one is a 400 on both dialects, never a
// 500 from the database.
func TestNULCharactersAreRefused(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		nul := "a\x00b"
		for _, path := range []string{"display_name", "name.given_name", "nickname", "enterprise.manager.value"} {
			err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: path, Value: &nul}})
			wantDef(t, "UpdateUser "+path, err, apierr.IIC400_400)
		}
		_, _, err := f.svc.CreateUser(ctx, f.caller, f.storeID, identity.NewUser{UserName: "bob", DisplayName: nul, PasswordMode: identity.PasswordModeOTP,
			Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: "bob@example.com", Primary: true}}}})
		wantDef(t, "CreateUser display_name", err, apierr.IIC400_400)

		_, err = f.svc.CreateGroup(ctx, f.caller, f.storeID, identity.NewGroup{DisplayName: nul})
		wantDef(t, "CreateGroup display_name", err, apierr.IIC400_400)
		gid, err := f.svc.CreateGroup(ctx, f.caller, f.storeID, identity.NewGroup{DisplayName: "g"})
		if err != nil {
			t.Fatal(err)
		}
		ext := `[{"issuer":"scim","id":"a\u0000b"}]`
		for _, op := range []identity.GroupAttributeOp{{Path: "display_name", Value: &nul}, {Path: "description", Value: &nul}, {Path: "external_ids", Value: &ext}} {
			err := f.svc.UpdateGroup(ctx, f.caller, f.storeID, gid, []identity.GroupAttributeOp{op})
			wantDef(t, "UpdateGroup "+op.Path, err, apierr.IIC400_400)
		}
	})
}

// An e-mail value must be a bare address: "a@b(c)" and `"a"@b` name the
// same mailbox as a@b and a@b under another spelling, which would get past
// the uniqueness of e-mail addresses and send mail to a mailbox other than
// the one stored.
func TestEmailMustBeABareAddress(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		for _, v := range []string{"alice@example.com(x)", `"alice"@example.com`, "alice@example.com\t", "(c)alice@example.com"} {
			v := v
			err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: "emails.value", Value: &v}})
			wantDef(t, "UpdateUser emails.value "+v, err, apierr.IIC400_400)
			_, _, err = f.svc.CreateUser(ctx, f.caller, f.storeID, identity.NewUser{UserName: "bob", DisplayName: "Bob", PasswordMode: identity.PasswordModeOTP,
				Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: v, Primary: true}}}})
			wantDef(t, "CreateUser email "+v, err, apierr.IIC400_400)
		}
		u, err := f.svc.Store.Users().Get(ctx, f.storeID, id)
		if err != nil || u.Email != "alice@example.com" {
			t.Fatalf("e-mail after refused updates: %q, %v", u.Email, err)
		}
		if n, _ := f.svc.Store.Users().Count(ctx, f.storeID); n != 1 {
			t.Fatalf("%d users after refused creates", n)
		}
	})
}

// UpdateGroup's paths have two spellings; the same attribute twice under
// both is a repeated path (IIC.1349), as it is for UpdateUser.
func TestUpdateGroupRepeatedPathSpellings(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		gid, err := f.svc.CreateGroup(ctx, f.caller, f.storeID, identity.NewGroup{DisplayName: "g"})
		if err != nil {
			t.Fatal(err)
		}
		a, b := "A", "B"
		e1, e2 := `[{"issuer":"x","id":"1"}]`, `[]`
		for _, ops := range [][]identity.GroupAttributeOp{
			{{Path: "display_name", Value: &a}, {Path: "displayName", Value: &b}},
			{{Path: "external_ids", Value: &e1}, {Path: "externalIds", Value: &e2}},
		} {
			wantDef(t, "UpdateGroup "+ops[0].Path+"+"+ops[1].Path, f.svc.UpdateGroup(ctx, f.caller, f.storeID, gid, ops), apierr.IIC1349)
		}
		g, err := f.svc.Store.Groups().Get(ctx, f.storeID, gid)
		if err != nil || g.DisplayName != "g" || len(g.ExternalIDs) != 0 {
			t.Fatalf("group after refused updates: %+v, %v", g, err)
		}
	})
}

// Address and phone-number fields are bounded like every other attribute
// (1024 characters).
func TestAddressAndPhoneLengths(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		long := strings.Repeat("x", 1025)
		for path, v := range map[string]string{
			"addresses":     `[{"street_address":"` + long + `"}]`,
			"phone_numbers": `[{"value":"` + long + `"}]`,
		} {
			v := v
			err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: path, Value: &v}})
			wantDef(t, "UpdateUser "+path, err, apierr.IIC400_400)
		}
		ok := `[{"street_address":"` + strings.Repeat("x", 1024) + `","primary":true}]`
		if err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: "addresses", Value: &ok}}); err != nil {
			t.Fatalf("1024 characters: %v", err)
		}
	})
}

// blindStore's transactions do not see other users by name or e-mail, as
// when a concurrent write commits between the service's uniqueness check
// and its insert: the database's unique keys must then decide, with the
// same codes.
type blindStore struct{ store.Store }

func (b blindStore) WithTx(ctx context.Context, fn func(store.Store) error) error {
	return b.Store.WithTx(ctx, func(tx store.Store) error { return fn(blindTx{tx}) })
}

type blindTx struct{ store.Store }

func (b blindTx) Users() store.Users { return blindUsers{b.Store.Users()} }
func (b blindTx) WithTx(ctx context.Context, fn func(store.Store) error) error {
	return fn(b)
}

type blindUsers struct{ store.Users }

func (blindUsers) List(context.Context, string, store.UserFilter, int64, int) ([]store.User, error) {
	return nil, nil
}
func (blindUsers) GetByEmail(context.Context, string, string) (store.User, error) {
	return store.User{}, store.ErrNotFound
}

func TestUserUniquenessRaceCodes(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.user(t, "alice", identity.PasswordModeOTP)
		bob, _ := f.user(t, "bob", identity.PasswordModeOTP)
		f.svc.Store = blindStore{f.svc.Store}
		newUser := func(name, email string) identity.NewUser {
			return identity.NewUser{UserName: name, DisplayName: name, PasswordMode: identity.PasswordModeOTP,
				Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: email, Primary: true}}}}
		}
		_, _, err := f.svc.CreateUser(ctx, f.caller, f.storeID, newUser("carol", "ALICE@example.com"))
		wantDef(t, "create with a taken e-mail", err, apierr.IIC1321)
		_, _, err = f.svc.CreateUser(ctx, f.caller, f.storeID, newUser("Alice", "carol@example.com"))
		wantDef(t, "create with a taken user name", err, apierr.IIC1310)
		v := "alice@example.com"
		err = f.svc.UpdateUser(ctx, f.caller, f.storeID, bob, []identity.AttributeUpdate{{Path: "emails.value", Value: &v}})
		wantDef(t, "update to a taken e-mail", err, apierr.IIC1321)
		n := "alice"
		err = f.svc.UpdateUser(ctx, f.caller, f.storeID, bob, []identity.AttributeUpdate{{Path: "user_name", Value: &n}})
		wantDef(t, "update to a taken user name", err, apierr.IIC1310)
		if c, _ := f.svc.Store.Users().Count(ctx, f.storeID); c != 2 {
			t.Fatalf("%d users after refused creates", c)
		}
	})
}

// An object or list attribute_value is one JSON value: data after it is
// refused, not silently dropped.
func TestAttributeValueTrailingData(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		name := `{"given_name":"A","family_name":"B"} {"given_name":"C"}`
		err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: "name", Value: &name}})
		wantDef(t, "UpdateUser name with trailing data", err, apierr.IIC400_400)
		ok := `  {"given_name":"A","family_name":"B"}` + "\n"
		if err := f.svc.UpdateUser(ctx, f.caller, f.storeID, id, []identity.AttributeUpdate{{Path: "name", Value: &ok}}); err != nil {
			t.Fatalf("name with white space around it: %v", err)
		}
		gid, err := f.svc.CreateGroup(ctx, f.caller, f.storeID, identity.NewGroup{DisplayName: "g"})
		if err != nil {
			t.Fatal(err)
		}
		ext := `[{"issuer":"a","id":"1"}]x`
		err = f.svc.UpdateGroup(ctx, f.caller, f.storeID, gid, []identity.GroupAttributeOp{{Path: "external_ids", Value: &ext}})
		wantDef(t, "UpdateGroup external_ids with trailing data", err, apierr.IIC400_400)
	})
}

// HTTP header values may hold bytes that are not UTF-8 (obs-text): a
// User-Agent like that is stored as valid text, not refused by PostgreSQL
// with a 500 at sign-in.
func TestSessionUserAgentNotUTF8(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		ua := "Mozilla/5.0 \xff\xfe" + strings.Repeat("é", 300)
		_, sess, err := f.svc.CreateSession(ctx, identity.NewSession{StoreID: f.storeID, UserID: id, SourceIP: "192.0.2.1", UserAgent: ua})
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if !utf8.ValidString(sess.UserAgent) || len(sess.UserAgent) > 512 || !strings.HasPrefix(sess.UserAgent, "Mozilla/5.0 ") {
			t.Fatalf("stored user agent %q", sess.UserAgent)
		}
	})
}

// Concurrent creates cannot overshoot the group quota (as for users).
func TestGroupQuotaUnderConcurrency(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.svc.Quotas.Groups = 5
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, errs[i] = f.svc.CreateGroup(context.Background(), f.caller, f.storeID, identity.NewGroup{DisplayName: fmt.Sprintf("group%02d", i)})
			}(i)
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apierr.IIC1351.Is(err):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if n, _ := f.svc.Store.Groups().Count(context.Background(), f.storeID); ok != 5 || n != 5 {
			t.Fatalf("%d creates succeeded, %d groups stored; want 5 and 5", ok, n)
		}
	})
}
