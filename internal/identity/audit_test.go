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
		for path, set := range map[string]func(*identity.UserFields){
			"display_name":    func(u *identity.UserFields) { u.DisplayName = nul },
			"name.given_name": func(u *identity.UserFields) { u.Profile.Name.GivenName = nul },
			"nickname":        func(u *identity.UserFields) { u.Profile.Nickname = nul },
			"enterprise.manager.value": func(u *identity.UserFields) {
				u.Profile.Enterprise = &identity.Enterprise{Manager: &identity.Manager{Value: nul}}
			},
		} {
			_, _, err := f.svc.EditUser(ctx, f.caller, f.storeID, id, 0, func(_ identity.User, u *identity.UserFields) error { set(u); return nil })
			wantDef(t, "EditUser "+path, err, apierr.IIC400_400)
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
		for path, set := range map[string]func(*identity.GroupFields){
			"display_name": func(g *identity.GroupFields) { g.DisplayName = nul },
			"description":  func(g *identity.GroupFields) { g.Description = nul },
			"external_ids": func(g *identity.GroupFields) { g.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: nul}} },
		} {
			_, err := f.svc.EditGroup(ctx, f.caller, f.storeID, gid, 0, func(_ store.Group, g *identity.GroupFields) error { set(g); return nil }, identity.MemberChange{})
			wantDef(t, "EditGroup "+path, err, apierr.IIC400_400)
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
			wantDef(t, "EditUser e-mail "+v, setEmail(f, id, v), apierr.IIC400_400)
			_, _, err := f.svc.CreateUser(ctx, f.caller, f.storeID, identity.NewUser{UserName: "bob", DisplayName: "Bob", PasswordMode: identity.PasswordModeOTP,
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

// Address and phone-number fields are bounded like every other attribute
// (1024 characters).
func TestAddressAndPhoneLengths(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		id, _ := f.user(t, "alice", identity.PasswordModeOTP)
		long := strings.Repeat("x", 1025)
		edit := func(set func(p *identity.Profile)) error {
			_, _, err := f.svc.EditUser(ctx, f.caller, f.storeID, id, 0, func(_ identity.User, u *identity.UserFields) error { set(&u.Profile); return nil })
			return err
		}
		for path, set := range map[string]func(*identity.Profile){
			"addresses":     func(p *identity.Profile) { p.Addresses = []identity.Address{{StreetAddress: long}} },
			"phone_numbers": func(p *identity.Profile) { p.PhoneNumbers = []identity.PhoneNumber{{Value: long}} },
		} {
			wantDef(t, "EditUser "+path, edit(set), apierr.IIC400_400)
		}
		ok := func(p *identity.Profile) {
			p.Addresses = []identity.Address{{StreetAddress: strings.Repeat("x", 1024), Primary: true}}
		}
		if err := edit(ok); err != nil {
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
		wantDef(t, "update to a taken e-mail", setEmail(f, bob, "alice@example.com"), apierr.IIC1321)
		_, _, err = f.svc.EditUser(ctx, f.caller, f.storeID, bob, 0, func(_ identity.User, u *identity.UserFields) error { u.UserName = "alice"; return nil })
		wantDef(t, "update to a taken user name", err, apierr.IIC1310)
		if c, _ := f.svc.Store.Users().Count(ctx, f.storeID); c != 2 {
			t.Fatalf("%d users after refused creates", c)
		}
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
