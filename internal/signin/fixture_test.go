package signin_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

var ctx = context.Background()

// cheap are Argon2id parameters that keep the tests fast; what a sign-in
// computes is counted, not timed.
var cheap = identity.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// countingHasher counts what the service hashes.
type countingHasher struct {
	inner          identity.Hasher
	verify, hashes atomic.Int64
}

func (h *countingHasher) Hash(pw string) (string, error) { h.hashes.Add(1); return h.inner.Hash(pw) }
func (h *countingHasher) Verify(hash, pw string) (bool, bool) {
	h.verify.Add(1)
	return h.inner.Verify(hash, pw)
}

type fakeMailer struct {
	mu   sync.Mutex
	sent []string // bodies
	to   []string
}

func (m *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent, m.to = append(m.sent, body), append(m.to, to)
	return nil
}

// statements records what the store runs.
type statements struct {
	mu  sync.Mutex
	on  bool
	log []string
}

func (s *statements) record(q string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		s.log = append(s.log, q)
	}
}

func (s *statements) during(fn func()) []string {
	s.mu.Lock()
	s.on, s.log = true, nil
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.log
}

type fixture struct {
	st      store.Store
	id      *identity.Service
	center  *center.Service
	svc     *signin.Service
	hasher  *countingHasher
	mail    *fakeMailer
	stmts   *statements
	jobs    *jobs.Runner // the service's: the tests run its due jobs (runJobs)
	inst    store.Instance
	storeID string
	now     time.Time
}

func newFixture(t testing.TB, dialect string) *fixture {
	f := &fixture{storeID: "d-0000000001", now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), mail: &fakeMailer{}, stmts: &statements{}}
	f.st = sqltest.OpenWith(t, dialect, sqlstore.Options{OnStatement: f.stmts.record}).Store()
	clock := func() time.Time { return f.now }
	if err := f.st.Accounts().Create(ctx, store.Account{ID: "acct1", Name: "acct1", Email: "a@example.com", IsManagement: true, CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	f.inst = store.Instance{ID: "ins-0000000000000001", AccountID: "acct1", IdentityStoreID: f.storeID, RegionID: "r", CreatedAt: f.now}
	if err := f.st.Instances().Create(ctx, f.inst); err != nil {
		t.Fatal(err)
	}
	f.hasher = &countingHasher{inner: identity.NewArgon2(cheap)}
	f.id = &identity.Service{Store: f.st, IDs: ids.Generator{}, Now: clock, Paging: paging.NewSigner([]byte("k")), Keys: testKeys(t),
		Mailer: f.mail, PublicURL: "https://iic.example.com", Hasher: f.hasher}
	f.center = &center.Service{Store: f.st, IDs: ids.Generator{}, Now: clock}
	f.svc = f.service()
	return f
}

// service is a sign-in service on the fixture's store (a new one is what a
// restarted server has).
func (f *fixture) service() *signin.Service {
	svc := &signin.Service{Store: f.st, Identity: f.id, Center: f.center, IDs: ids.Generator{}, Now: func() time.Time { return f.now },
		Secret: []byte("test secret"), Keys: f.id.Keys}
	f.jobs = jobs.New(f.st, jobs.Options{Now: func() time.Time { return f.now }})
	svc.RegisterJobs(f.jobs)
	return svc
}

// user creates a user whose password is password (not one-time).
func (f *fixture) user(t testing.TB, name, password string) string {
	t.Helper()
	id, _, err := f.id.CreateUser(ctx, identity.Caller{Actor: "root"}, f.storeID, identity.NewUser{UserName: name, DisplayName: name, PasswordMode: identity.PasswordModeOTP,
		Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"}, Emails: []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	if password != "" {
		if err := f.id.SetPassword(ctx, f.storeID, id, password); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// totpDevice gives the user a TOTP device and returns its secret.
func (f *fixture) totpDevice(t testing.TB, userID string) string {
	t.Helper()
	link, err := f.id.RegisterMfaDevice(ctx, identity.Caller{Actor: "root"}, f.storeID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return f.enrolTOTP(t, link.Token)
}

func (f *fixture) enrolTOTP(t testing.TB, regToken string) string {
	t.Helper()
	setup, err := f.id.BeginTOTPRegistration(ctx, regToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.id.CompleteTOTPRegistration(ctx, regToken, code(t, setup.Secret, f.now), ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(30 * time.Second) // the enrolment code's step is used up
	return setup.Secret
}

func code(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) sso(t testing.TB, mode string, types []string, noMFA string) {
	t.Helper()
	err := f.center.UpdateSSOConfiguration(ctx, f.inst, center.SSOUpdate{ConfigurationType: center.ConfigurationTypeAppAuthentication,
		MFAMode: &mode, AllowedMFATypes: &types, NoMFASignInBehavior: &noMFA})
	if err != nil {
		t.Fatal(err)
	}
}

var browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36"

func (f *fixture) password(name, pw string, c signin.Client) (signin.Result, error) {
	return f.svc.Password(ctx, signin.PasswordInput{IdentityStoreID: f.storeID, UserName: name, Password: pw, Client: c})
}

func wantDef(t testing.TB, what string, err error, d apierr.Def) {
	t.Helper()
	if !d.Is(err) {
		t.Fatalf("%s: got %v, want %s", what, err, d.Code)
	}
}

func wantStep(t testing.TB, what string, r signin.Result, err error, step signin.Step) signin.Result {
	t.Helper()
	if err != nil || r.Step != step {
		t.Fatalf("%s: step %q, %v; want %s", what, r.Step, err, step)
	}
	if step == signin.StepDone && (r.Token == "" || r.Session.ID == "") {
		t.Fatalf("%s: done without a session: %+v", what, r)
	}
	if step != signin.StepDone && r.Challenge == "" {
		t.Fatalf("%s: step %s without a challenge", what, step)
	}
	return r
}

func forDialects(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { fn(t, newFixture(t, d)) })
	}
}

// normalize drops what differs between two runs of one code path: the
// statements' arguments are not in the log, so only the text is compared.
func normalize(log []string) string {
	return strings.Join(log, "\n")
}

var _ = fmt.Sprint
