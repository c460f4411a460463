package identity_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// statementLog records the statements a store runs while on.
type statementLog struct {
	mu  sync.Mutex
	on  bool
	got []string
}

func (l *statementLog) record(q string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.got = append(l.got, strings.Join(strings.Fields(q), " "))
	}
}

func (l *statementLog) run(fn func()) []string {
	l.mu.Lock()
	l.on, l.got = true, nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.got
}

// A user create is one transaction of few statements, whatever the store
// holds: the unique keys and the counter decide without look-ups first,
// and no instance row is locked.
//
// With a one-time password (OTP) the statements are: BEGIN, the user row,
// the counter (the quota), the password policy read, the password secret,
// COMMIT. With NONE (SCIM) the policy and secret are not needed.
func TestCreateUserStatementCount(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			log := &statementLog{}
			st := sqltest.OpenWith(t, d, sqlstore.Options{OnStatement: log.record}).Store()
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			keys, err := secrets.New(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Accounts().Create(ctx, store.Account{ID: acct, Name: "root", IsManagement: true, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := st.Instances().Create(ctx, store.Instance{ID: "ins-0123456789abcdef", AccountID: acct, IdentityStoreID: storeID, RegionID: "cn-north-4", CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			svc := &identity.Service{Store: st, IDs: ids.Generator{}, Now: func() time.Time { return now }, Keys: keys, Paging: paging.NewSigner([]byte("k"))}
			for i, c := range []struct {
				mode string
				max  int
			}{{identity.PasswordModeOTP, 6}, {identity.PasswordModeOTP, 6}, {identity.PasswordModeNone, 4}} {
				name := []string{"alice", "bob", "carol"}[i]
				got := log.run(func() {
					_, _, err := svc.CreateUser(ctx, identity.Caller{Actor: "root"}, storeID, identity.NewUser{
						UserName: name, DisplayName: name, PasswordMode: c.mode,
						Profile: identity.Profile{Name: identity.Name{GivenName: "A", FamilyName: "B"},
							Emails: []identity.Email{{Value: name + "@example.com", Primary: true}}},
					})
					if err != nil {
						t.Fatal(err)
					}
				})
				if len(got) > c.max {
					t.Errorf("create %s (%s) ran %d statements, want at most %d:\n%s", name, c.mode, len(got), c.max, strings.Join(got, "\n"))
				}
				t.Logf("create %s (%s): %d statements", name, c.mode, len(got))
				for _, q := range got {
					if strings.Contains(q, "UPDATE instances") || strings.Contains(q, "FROM instances") {
						t.Errorf("create %s touched the instance row: %s", name, q)
					}
				}
			}
		})
	}
}
