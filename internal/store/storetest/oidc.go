package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

var oidcTests = []namedTest{
	{"OIDCClients", testOIDCClients},
	{"OIDCDeviceAuths", testOIDCDeviceAuths},
	{"OIDCDeviceAuthDeleteOnce", testOIDCDeviceAuthDeleteOnce},
	{"OIDCTokens", testOIDCTokens},
	{"OIDCTokenUseOnce", testOIDCTokenUseOnce},
	{"OIDCTokenRotate", testOIDCTokenRotate},
	{"OIDCTokenRotateOnce", testOIDCTokenRotateOnce},
	{"OIDCDeleteUserTokens", testOIDCDeleteUserTokens},
	{"OIDCAuthCodes", testOIDCAuthCodes},
	{"OIDCWrongGuesses", testOIDCWrongGuesses},
	{"OIDCCascades", testOIDCCascades},
	{"OIDCSweeps", testOIDCSweeps},
	{"OIDCFamilyOutlivesTokens", testOIDCFamilyOutlivesTokens},
}

func oidcClient(t *testing.T, s store.Store, id string, expires time.Time) store.OIDCClient {
	t.Helper()
	c := store.OIDCClient{ID: id, Name: "cli " + id, SecretHash: []byte("secret-" + id), Scopes: []string{"openid", "sso:account:access"},
		GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}, CreatedAt: t0, SecretExpiresAt: expires, ExpiresAt: expires}
	if err := s.OIDC().CreateClient(ctx, c); err != nil {
		t.Fatalf("create client %s: %v", id, err)
	}
	return c
}

func oidcDevice(clientID, code string, expires time.Time) store.OIDCDeviceAuth {
	return store.OIDCDeviceAuth{DeviceCodeHash: []byte("dc-" + code), UserCodeHash: []byte("uc-" + code), ClientID: clientID,
		Scopes: []string{"openid"}, CreatedAt: t0, ExpiresAt: expires, IntervalSeconds: 5, Status: store.DevicePending}
}

func oidcToken(kind, hash, family, clientID, userID string, expires time.Time) store.OIDCToken {
	return store.OIDCToken{Hash: []byte(hash), Kind: kind, FamilyID: family, ClientID: clientID, IdentityStoreID: devStore, UserID: userID,
		Scopes: []string{"openid"}, CreatedAt: t0, ExpiresAt: expires, UserEnabled: true}
}

func testOIDCClients(t *testing.T, s store.Store) {
	c := oidcClient(t, s, "c1", t0.Add(time.Hour))
	got, err := s.OIDC().GetClient(ctx, "c1")
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("GetClient = %+v, %v; want %+v", got, err, c)
	}
	wantErr(t, "duplicate id", s.OIDC().CreateClient(ctx, c), store.ErrConflict)
	_, err = s.OIDC().GetClient(ctx, "nope")
	wantErr(t, "unknown client", err, store.ErrNotFound)
	// Empty lists read back as nil.
	bare := store.OIDCClient{ID: "c2", Name: "bare", SecretHash: []byte{1}, CreatedAt: t0, SecretExpiresAt: t0, ExpiresAt: t0}
	if err := s.OIDC().CreateClient(ctx, bare); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OIDC().GetClient(ctx, "c2"); err != nil || !reflect.DeepEqual(got, bare) {
		t.Fatalf("GetClient(bare) = %+v, %v", got, err)
	}
}

func testOIDCDeviceAuths(t *testing.T, s store.Store) {
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	d := oidcDevice("c1", "a", t0.Add(10*time.Minute))
	if err := s.OIDC().CreateDeviceAuth(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.OIDC().GetDeviceAuth(ctx, d.UserCodeHash)
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("GetDeviceAuth = %+v, %v; want %+v", got, err, d)
	}
	_, err = s.OIDC().GetDeviceAuth(ctx, d.DeviceCodeHash)
	wantErr(t, "get by the device-code hash", err, store.ErrNotFound)
	same := oidcDevice("c1", "b", t0.Add(time.Minute))
	same.UserCodeHash = d.UserCodeHash
	wantErr(t, "taken user code", s.OIDC().CreateDeviceAuth(ctx, same), store.ErrConflict)
	err = s.OIDC().CreateDeviceAuth(ctx, oidcDevice("nope", "c", t0.Add(time.Minute)))
	if !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("unknown client: %v, want a reference conflict", err)
	}
	if _, err := s.OIDC().GetDeviceAuth(ctx, []byte("uc-c")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the unknown client's device authorization was stored: %v", err)
	}

	polled := t0.Add(7 * time.Second)
	err = s.OIDC().UpdateDeviceAuth(ctx, d.UserCodeHash, func(x *store.OIDCDeviceAuth) error {
		x.IntervalSeconds, x.LastPolledAt = 10, polled
		x.Status, x.IdentityStoreID, x.UserID = store.DeviceApproved, devStore, "u1"
		x.ClientID, x.Scopes = "other", []string{"x"} // not written
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := d
	want.IntervalSeconds, want.LastPolledAt, want.Status, want.IdentityStoreID, want.UserID = 10, polled, store.DeviceApproved, devStore, "u1"
	if got, err := s.OIDC().GetDeviceAuth(ctx, d.UserCodeHash); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after update = %+v, %v; want %+v", got, err, want)
	}
	boom := errors.New("boom")
	if err := s.OIDC().UpdateDeviceAuth(ctx, d.UserCodeHash, func(x *store.OIDCDeviceAuth) error { x.Status = store.DeviceDenied; return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error: %v", err)
	}
	if got, _ := s.OIDC().GetDeviceAuth(ctx, d.UserCodeHash); got.Status != store.DeviceApproved {
		t.Fatalf("a failed update wrote: %+v", got)
	}
	wantErr(t, "update unknown", s.OIDC().UpdateDeviceAuth(ctx, []byte("nope"), func(*store.OIDCDeviceAuth) error { return nil }), store.ErrNotFound)
	if err := s.OIDC().DeleteDeviceAuth(ctx, d.UserCodeHash); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete again", s.OIDC().DeleteDeviceAuth(ctx, d.UserCodeHash), store.ErrNotFound)
	_, err = s.OIDC().GetDeviceAuth(ctx, d.UserCodeHash)
	wantErr(t, "get deleted", err, store.ErrNotFound)
}

// Of concurrent deletes of one device authorization exactly one succeeds
// (how the service makes one approval yield one token).
func testOIDCDeviceAuthDeleteOnce(t *testing.T, s store.Store) {
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	d := oidcDevice("c1", "a", t0.Add(10*time.Minute))
	if err := s.OIDC().CreateDeviceAuth(ctx, d); err != nil {
		t.Fatal(err)
	}
	wins := concurrently(t, 8, func() error { return s.OIDC().DeleteDeviceAuth(ctx, d.UserCodeHash) }, store.ErrNotFound)
	if wins != 1 {
		t.Fatalf("%d concurrent deletes succeeded, want 1", wins)
	}
}

// concurrently runs fn n times at once and returns how many succeeded; an
// error other than loser fails the test.
func concurrently(t *testing.T, n int, fn func() error, loser error) int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	wins := 0
	var other error
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := fn()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, loser):
				other = err
			}
		}()
	}
	wg.Wait()
	if other != nil {
		t.Fatalf("unexpected error: %v", other)
	}
	return wins
}

func testOIDCTokens(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	at := oidcToken(store.TokenAccess, "at1", "f1", "c1", "u1", t0.Add(time.Hour))
	rt := oidcToken(store.TokenRefresh, "rt1", "f1", "c1", "u1", t0.Add(8*time.Hour))
	if err := s.OIDC().CreateTokens(ctx, at, rt); err != nil {
		t.Fatal(err)
	}
	for _, want := range []store.OIDCToken{at, rt} {
		if got, err := s.OIDC().GetToken(ctx, want.Hash); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("GetToken = %+v, %v; want %+v", got, err, want)
		}
	}
	// A token is read with whether its user is enabled.
	setEnabled := func(on bool) {
		t.Helper()
		if err := s.Users().Update(ctx, devStore, "u1", func(u *store.User) error { u.Enabled = on; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setEnabled(false)
	if got, err := s.OIDC().GetToken(ctx, at.Hash); err != nil || got.UserEnabled {
		t.Fatalf("GetToken of a disabled user's token = %+v, %v; want UserEnabled false", got, err)
	}
	setEnabled(true)
	if got, err := s.OIDC().GetToken(ctx, at.Hash); err != nil || !got.UserEnabled {
		t.Fatalf("GetToken after re-enabling = %+v, %v; want UserEnabled true", got, err)
	}
	// All or none: one taken hash inserts neither.
	fresh := oidcToken(store.TokenAccess, "at2", "f2", "c1", "u1", t0.Add(time.Hour))
	wantErr(t, "a taken hash", s.OIDC().CreateTokens(ctx, fresh, rt), store.ErrConflict)
	_, err := s.OIDC().GetToken(ctx, fresh.Hash)
	wantErr(t, "the other token of a refused insert", err, store.ErrNotFound)
	for what, tok := range map[string]store.OIDCToken{
		"unknown user":   oidcToken(store.TokenAccess, "x1", "f3", "c1", "nobody", t0.Add(time.Hour)),
		"unknown client": oidcToken(store.TokenAccess, "x2", "f3", "nope", "u1", t0.Add(time.Hour)),
	} {
		if err := s.OIDC().CreateTokens(ctx, tok); !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != store.KeyReference {
			t.Fatalf("%s: %v, want a reference conflict", what, err)
		}
	}

	used := t0.Add(time.Minute)
	if err := s.OIDC().UseToken(ctx, rt.Hash, used); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OIDC().GetToken(ctx, rt.Hash); !got.UsedAt.Equal(used) {
		t.Fatalf("UsedAt = %v, want %v", got.UsedAt, used)
	}
	wantErr(t, "use again", s.OIDC().UseToken(ctx, rt.Hash, used.Add(time.Second)), store.ErrConflict)
	if got, _ := s.OIDC().GetToken(ctx, rt.Hash); !got.UsedAt.Equal(used) {
		t.Fatalf("a second use changed UsedAt to %v", got.UsedAt)
	}
	wantErr(t, "use unknown", s.OIDC().UseToken(ctx, []byte("nope"), used), store.ErrNotFound)

	other := oidcToken(store.TokenAccess, "at3", "f9", "c1", "u1", t0.Add(time.Hour))
	if err := s.OIDC().CreateTokens(ctx, other); err != nil {
		t.Fatal(err)
	}
	if n, err := s.OIDC().DeleteTokenFamily(ctx, "f1"); err != nil || n != 2 {
		t.Fatalf("DeleteTokenFamily = %d, %v; want 2", n, err)
	}
	if _, err := s.OIDC().GetToken(ctx, other.Hash); err != nil {
		t.Fatalf("another family's token: %v", err)
	}
}

// Of concurrent uses of one refresh token exactly one succeeds.
func testOIDCTokenUseOnce(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	rt := oidcToken(store.TokenRefresh, "rt1", "f1", "c1", "u1", t0.Add(8*time.Hour))
	if err := s.OIDC().CreateTokens(ctx, rt); err != nil {
		t.Fatal(err)
	}
	if wins := concurrently(t, 8, func() error { return s.OIDC().UseToken(ctx, rt.Hash, t0) }, store.ErrConflict); wins != 1 {
		t.Fatalf("%d concurrent uses succeeded, want 1", wins)
	}
}

// RotateToken spends a token and inserts its successors, all or nothing.
func testOIDCTokenRotate(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	rt := oidcToken(store.TokenRefresh, "rt1", "f1", "c1", "u1", t0.Add(8*time.Hour))
	if err := s.OIDC().CreateTokens(ctx, rt); err != nil {
		t.Fatal(err)
	}
	unspent := func(what string) {
		t.Helper()
		if got, err := s.OIDC().GetToken(ctx, rt.Hash); err != nil || !got.UsedAt.IsZero() {
			t.Fatalf("%s: the token is %+v, %v; want it unspent", what, got, err)
		}
	}
	absent := func(what string, toks ...store.OIDCToken) {
		t.Helper()
		for _, tok := range toks {
			_, err := s.OIDC().GetToken(ctx, tok.Hash)
			wantErr(t, what, err, store.ErrNotFound)
		}
	}
	// A successor that cannot be inserted leaves the token unspent.
	bad := oidcToken(store.TokenAccess, "x1", "f1", "c1", "nobody", t0.Add(time.Hour))
	ok := oidcToken(store.TokenAccess, "x2", "f1", "c1", "u1", t0.Add(time.Hour))
	if err := s.OIDC().RotateToken(ctx, rt.Hash, t0, ok, bad); !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("rotate to an unknown user: %v, want a reference conflict", err)
	}
	unspent("after a refused rotation")
	absent("the refused rotation's tokens", ok, bad)

	at2 := oidcToken(store.TokenAccess, "at2", "f1", "c1", "u1", t0.Add(time.Hour))
	rt2 := oidcToken(store.TokenRefresh, "rt2", "f1", "c1", "u1", t0.Add(8*time.Hour))
	used := t0.Add(time.Minute)
	if err := s.OIDC().RotateToken(ctx, rt.Hash, used, at2, rt2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OIDC().GetToken(ctx, rt.Hash); !got.UsedAt.Equal(used) {
		t.Fatalf("UsedAt = %v, want %v", got.UsedAt, used)
	}
	for _, want := range []store.OIDCToken{at2, rt2} {
		if got, err := s.OIDC().GetToken(ctx, want.Hash); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("GetToken = %+v, %v; want %+v", got, err, want)
		}
	}
	// Spent: a second rotation inserts nothing.
	at3 := oidcToken(store.TokenAccess, "at3", "f1", "c1", "u1", t0.Add(time.Hour))
	rt3 := oidcToken(store.TokenRefresh, "rt3", "f1", "c1", "u1", t0.Add(8*time.Hour))
	wantErr(t, "rotate a spent token", s.OIDC().RotateToken(ctx, rt.Hash, used.Add(time.Second), at3, rt3), store.ErrConflict)
	absent("a spent token's successors", at3, rt3)
	if got, _ := s.OIDC().GetToken(ctx, rt.Hash); !got.UsedAt.Equal(used) {
		t.Fatalf("a second rotation changed UsedAt to %v", got.UsedAt)
	}
	wantErr(t, "rotate an unknown token", s.OIDC().RotateToken(ctx, []byte("nope"), used, at3, rt3), store.ErrNotFound)
	absent("an unknown token's successors", at3, rt3)
	// Inside a transaction, the transaction decides.
	boom := errors.New("boom")
	if err := s.WithTx(ctx, func(tx store.Store) error {
		if err := tx.OIDC().RotateToken(ctx, rt2.Hash, used, at3, rt3); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v", err)
	}
	absent("a rolled-back rotation's tokens", at3, rt3)
	if got, _ := s.OIDC().GetToken(ctx, rt2.Hash); !got.UsedAt.IsZero() {
		t.Fatalf("a rolled-back rotation spent the token: %+v", got)
	}
}

// Of concurrent rotations of one refresh token exactly one succeeds, and
// only its successors are stored.
func testOIDCTokenRotateOnce(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	rt := oidcToken(store.TokenRefresh, "rt1", "f1", "c1", "u1", t0.Add(8*time.Hour))
	if err := s.OIDC().CreateTokens(ctx, rt); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	if wins := concurrently(t, 8, func() error {
		i := n.Add(1)
		next := oidcToken(store.TokenRefresh, fmt.Sprintf("next-%d", i), "f1", "c1", "u1", t0.Add(8*time.Hour))
		return s.OIDC().RotateToken(ctx, rt.Hash, t0, next)
	}, store.ErrConflict); wins != 1 {
		t.Fatalf("%d concurrent rotations succeeded, want 1", wins)
	}
	stored := 0
	for i := 1; i <= int(n.Load()); i++ {
		if _, err := s.OIDC().GetToken(ctx, oidcToken(store.TokenRefresh, fmt.Sprintf("next-%d", i), "f1", "c1", "u1", t0).Hash); err == nil {
			stored++
		}
	}
	if stored != 1 {
		t.Fatalf("%d successors stored, want 1", stored)
	}
}

func testOIDCAuthCodes(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	c := store.OIDCAuthCode{Hash: []byte("code1"), ClientID: "c1", IdentityStoreID: devStore, UserID: "u1", RedirectURI: "http://127.0.0.1:7777/cb",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Scopes: []string{"openid"}, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	if err := s.OIDC().CreateAuthCode(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "taken hash", s.OIDC().CreateAuthCode(ctx, c), store.ErrConflict)
	bad := c
	bad.Hash, bad.UserID = []byte("code2"), "nobody"
	if err := s.OIDC().CreateAuthCode(ctx, bad); !errors.Is(err, store.ErrConflict) || store.ConflictKey(err) != store.KeyReference {
		t.Fatalf("unknown user: %v, want a reference conflict", err)
	}
	got, err := s.OIDC().TakeAuthCode(ctx, c.Hash)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Fatalf("TakeAuthCode = %+v, %v; want %+v", got, err, c)
	}
	_, err = s.OIDC().TakeAuthCode(ctx, c.Hash)
	wantErr(t, "take again", err, store.ErrNotFound)

	c.Hash = []byte("code3")
	if err := s.OIDC().CreateAuthCode(ctx, c); err != nil {
		t.Fatal(err)
	}
	wins := concurrently(t, 8, func() error { _, err := s.OIDC().TakeAuthCode(ctx, c.Hash); return err }, store.ErrNotFound)
	if wins != 1 {
		t.Fatalf("%d concurrent takes succeeded, want 1", wins)
	}
}

func testOIDCWrongGuesses(t *testing.T, s store.Store) {
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	o := s.OIDC()
	w1, w2 := t0, t0.Add(15*time.Minute)
	before := oidcDevice("c1", "before", t0.Add(time.Hour))
	if err := o.CreateDeviceAuth(ctx, before); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]int{{1, 1}, {2, 2}} {
		got, err := o.CountWrongGuess(ctx, []string{"addr:1", "user:a"}, w1)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("CountWrongGuess #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	after := oidcDevice("c1", "after", t0.Add(time.Hour))
	if err := o.CreateDeviceAuth(ctx, after); err != nil {
		t.Fatal(err)
	}
	if got, err := o.CountWrongGuess(ctx, []string{"addr:2", "user:a"}, w1); err != nil || !reflect.DeepEqual(got, []int{1, 3}) {
		t.Fatalf("third guess = %v, %v", got, err)
	}
	if got, err := o.WrongGuesses(ctx, []string{"user:a", "addr:1", "addr:none"}, w1); err != nil || !reflect.DeepEqual(got, []int{3, 2, 0}) {
		t.Fatalf("WrongGuesses = %v, %v", got, err)
	}
	// Every wrong guess counts against every device authorization that
	// existed when it was made.
	for code, want := range map[string]int64{"before": 3, "after": 1} {
		d, err := o.GetDeviceAuth(ctx, []byte("uc-"+code))
		if err != nil || d.WrongGuessesSince != want {
			t.Fatalf("%s: WrongGuessesSince = %d, %v; want %d", code, d.WrongGuessesSince, err, want)
		}
	}
	// A new window restarts the counts; the old one reads as none.
	if got, err := o.WrongGuesses(ctx, []string{"user:a"}, w2); err != nil || got[0] != 0 {
		t.Fatalf("WrongGuesses in a later window = %v, %v", got, err)
	}
	if got, err := o.CountWrongGuess(ctx, []string{"user:a"}, w2); err != nil || got[0] != 1 {
		t.Fatalf("first guess of a new window = %v, %v", got, err)
	}
	// Counting in an older window than the stored one adds to the stored one.
	if got, err := o.CountWrongGuess(ctx, []string{"user:a"}, w1); err != nil || got[0] != 2 {
		t.Fatalf("a late guess = %v, %v", got, err)
	}
	if n, err := o.DeleteStaleGuesses(ctx, w2, 10); err != nil || n != 2 {
		t.Fatalf("DeleteStaleGuesses = %d, %v; want the two keys of the first window", n, err)
	}
	if got, _ := o.WrongGuesses(ctx, []string{"user:a", "addr:1"}, w1); !reflect.DeepEqual(got, []int{2, 0}) {
		t.Fatalf("after the sweep = %v", got)
	}
}

// Deleting a client deletes its tokens and codes (not its device
// authorizations: they expire); deleting a user deletes its tokens and
// codes.
func testOIDCCascades(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	devUser(t, s, devStore, "u2")
	oidcClient(t, s, "old", t0)
	oidcClient(t, s, "live", t0.Add(time.Hour))
	o := s.OIDC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(o.CreateDeviceAuth(ctx, oidcDevice("old", "a", t0.Add(time.Hour))))
	must(o.CreateTokens(ctx, oidcToken(store.TokenAccess, "t-old", "f1", "old", "u1", t0.Add(time.Hour)),
		oidcToken(store.TokenAccess, "t-u1", "f2", "live", "u1", t0.Add(time.Hour)),
		oidcToken(store.TokenAccess, "t-u2", "f3", "live", "u2", t0.Add(time.Hour))))
	must(o.CreateAuthCode(ctx, store.OIDCAuthCode{Hash: []byte("code-old"), ClientID: "old", IdentityStoreID: devStore, UserID: "u2",
		RedirectURI: "http://127.0.0.1/cb", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	if n, err := o.DeleteExpiredClients(ctx, t0, 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredClients = %d, %v; want 1", n, err)
	}
	// The device authorization stays until it expires: nothing can use it
	// without its client.
	if d, err := o.GetDeviceAuth(ctx, []byte("uc-a")); err != nil || d.ClientID != "old" {
		t.Fatalf("the expired client's device authorization = %+v, %v; want it kept", d, err)
	}
	_, err := o.GetToken(ctx, []byte("t-old"))
	wantErr(t, "the expired client's token", err, store.ErrNotFound)
	_, err = o.TakeAuthCode(ctx, []byte("code-old"))
	wantErr(t, "the expired client's code", err, store.ErrNotFound)
	if _, err := o.GetClient(ctx, "live"); err != nil {
		t.Fatalf("live client: %v", err)
	}
	must(s.Users().Delete(ctx, devStore, "u1"))
	_, err = o.GetToken(ctx, []byte("t-u1"))
	wantErr(t, "the deleted user's token", err, store.ErrNotFound)
	if _, err := o.GetToken(ctx, []byte("t-u2")); err != nil {
		t.Fatalf("another user's token: %v", err)
	}
}

func testOIDCSweeps(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	o := s.OIDC()
	exps := []time.Duration{-3 * time.Minute, -2 * time.Minute, 0, time.Minute}
	for i, exp := range exps {
		if err := o.CreateDeviceAuth(ctx, oidcDevice("c1", fmt.Sprint(i), t0.Add(exp))); err != nil {
			t.Fatal(err)
		}
		if err := o.CreateTokens(ctx, oidcToken(store.TokenAccess, fmt.Sprint("t", i), "f", "c1", "u1", t0.Add(exp))); err != nil {
			t.Fatal(err)
		}
		c := store.OIDCAuthCode{Hash: []byte(fmt.Sprint("code", i)), ClientID: "c1", IdentityStoreID: devStore, UserID: "u1",
			RedirectURI: "http://127.0.0.1/cb", CreatedAt: t0, ExpiresAt: t0.Add(exp)}
		if err := o.CreateAuthCode(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := o.CountWrongGuess(ctx, []string{fmt.Sprint("k", i)}, t0.Add(exp)); err != nil {
			t.Fatal(err)
		}
	}
	wantBatches(t, "DeleteExpiredDeviceAuths", func(n int) (int, error) { return o.DeleteExpiredDeviceAuths(ctx, t0, n) }, 2, 1, 0)
	wantBatches(t, "DeleteExpiredTokens", func(n int) (int, error) { return o.DeleteExpiredTokens(ctx, t0, t0, n) }, 2, 1, 0)
	wantBatches(t, "DeleteExpiredAuthCodes", func(n int) (int, error) { return o.DeleteExpiredAuthCodes(ctx, t0, n) }, 2, 1, 0)
	// Windows that started before t0 are stale; the one starting at t0 is not.
	wantBatches(t, "DeleteStaleGuesses", func(n int) (int, error) { return o.DeleteStaleGuesses(ctx, t0, n) }, 2, 0)
	if _, err := o.GetDeviceAuth(ctx, []byte("uc-3")); err != nil {
		t.Fatalf("live device authorization: %v", err)
	}
	if _, err := o.GetToken(ctx, []byte("t3")); err != nil {
		t.Fatalf("live token: %v", err)
	}
	for i := range 2 {
		oidcClient(t, s, fmt.Sprint("gone", i), t0.Add(-time.Minute))
	}
	wantBatches(t, "DeleteExpiredClients", func(n int) (int, error) { return o.DeleteExpiredClients(ctx, t0, n) }, 2, 0)
}

// A family whose tokens expired stays until familiesBefore passes its
// expiry, and UserTokenFamilies names it meanwhile.
func testOIDCFamilyOutlivesTokens(t *testing.T, s store.Store) {
	devUser(t, s, devStore, "u1")
	oidcClient(t, s, "c1", t0.Add(time.Hour))
	o := s.OIDC()
	if err := o.CreateTokens(ctx, oidcToken(store.TokenRefresh, "rt", "fam", "c1", "u1", t0.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if n, err := o.DeleteExpiredTokens(ctx, t0, t0.Add(-2*time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredTokens with the family's expiry not yet past = %d, %v; want the token only", n, err)
	}
	if _, err := o.GetToken(ctx, []byte("rt")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the expired token: %v", err)
	}
	if fams, err := o.UserTokenFamilies(ctx, devStore, "u1"); err != nil || fmt.Sprint(fams) != "[fam]" {
		t.Fatalf("UserTokenFamilies after the token went = %v, %v; want [fam]", fams, err)
	}
	if n, err := o.DeleteExpiredTokens(ctx, t0, t0, 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredTokens past the family's expiry = %d, %v; want the family", n, err)
	}
	if fams, err := o.UserTokenFamilies(ctx, devStore, "u1"); err != nil || len(fams) != 0 {
		t.Fatalf("UserTokenFamilies after the family went = %v, %v", fams, err)
	}
}
