package e2e

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// The periodic sweeps the server schedules delete expired portal sessions
// and temporary credentials, and leave live ones.
func TestPeriodicSweepsDeleteExpiredRows(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		var skew atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: now})
		_, sid := srv.EnableIdentityCenter(t)
		uid, _ := createUser(t, srv.IdentityStore(t), sid, "alice")
		_, short, err := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: sid, UserID: uid, TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		_, long, err := srv.App.Identity.CreateSession(ctx, identity.NewSession{StoreID: sid, UserID: uid})
		if err != nil {
			t.Fatal(err)
		}
		st := srv.App.Store
		for ak, exp := range map[string]time.Time{"TEMPEXPIRED": now().Add(time.Minute), "TEMPLIVE": now().Add(time.Hour)} {
			err := st.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: srv.App.Root.AccountID, Kind: store.KindTemporary,
				SecretSealed: []byte{1}, TokenHash: []byte(ak), ExpiresAt: exp, CreatedAt: now()})
			if err != nil {
				t.Fatal(err)
			}
		}
		// Past the short-lived rows' expiry and every sweep's interval. A
		// sweep the server's runner started before the skew and ended after
		// it is rescheduled an interval past the skewed clock: the wait
		// moves the clock on again (at most twice: the live rows expire an
		// hour on).
		step := int64(10*time.Minute + time.Second)
		skew.Store(step)
		advance := func() { skew.Add(step) }
		waitForSweep(t, "the expired session to be swept", func() bool {
			_, err := st.Sessions().GetByToken(ctx, short.TokenHash)
			return errors.Is(err, store.ErrNotFound)
		}, srv, advance)
		waitForSweep(t, "the expired credential to be swept", func() bool {
			_, err := st.Credentials().Get(ctx, "TEMPEXPIRED")
			return errors.Is(err, store.ErrNotFound)
		}, srv, advance)
		if _, err := st.Sessions().GetByToken(ctx, long.TokenHash); err != nil {
			t.Fatalf("live session: %v", err)
		}
		if _, err := st.Credentials().Get(ctx, "TEMPLIVE"); err != nil {
			t.Fatalf("live credential: %v", err)
		}
	})
}

// waitForJobs runs due jobs until cond holds (the server's own runner may be
// running them meanwhile).
func waitForJobs(t *testing.T, what string, cond func() bool, srv *testenv.Server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if _, err := srv.App.RunJobs(context.Background()); err != nil {
			t.Fatal(err)
		}
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForSweep is waitForJobs for periodic sweeps under a test clock: when
// cond still fails after a few seconds of due jobs, advance moves the clock
// past the sweeps' intervals once more (twice at most).
func waitForSweep(t *testing.T, what string, cond func() bool, srv *testenv.Server, advance func()) {
	t.Helper()
	for moved := 0; ; moved++ {
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if _, err := srv.App.RunJobs(context.Background()); err != nil {
				t.Fatal(err)
			}
			if cond() || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if cond() {
			return
		}
		if moved == 2 {
			t.Fatalf("timed out waiting for %s", what)
		}
		advance()
	}
}
