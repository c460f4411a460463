package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// replicaBacklog is how many assignment creations the replicas drain.
const replicaBacklog = 500

// Two replicas on one PostgreSQL database drain a backlog of 500
// assignment creations, enqueued through one of them while no runner ran:
// every request SUCCEEDED, each by one committed step (the commit log names
// the replica, through the connection's application_name), and both
// replicas took some.
func TestAssignmentBacklogDrainedByTwoReplicas(t *testing.T) {
	base := sqltest.PostgresSchema(t)
	const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64
	a := newReplica(t, base, "replica-a", key)
	b := newReplica(t, base, "replica-b", key)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: a.Handler}
	go hs.Serve(ln)
	defer hs.Close()
	srv := &testenv.Server{URL: "http://" + ln.Addr().String(), App: a}
	f := seedFanOut(t, srv, replicaBacklog)
	raw := sqltest.InstallCommitLog(t, "postgres", base)
	assignAll(t, srv.Center(t), f, 8) // queued: no runner runs yet

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range []*app.App{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); r.Jobs.Run(ctx) }()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		rs, err := a.Store.Requests().List(ctx, f.InstanceID, store.RequestAssignmentCreate, store.StatusInProgress, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("requests still in progress after 2 min")
		}
		time.Sleep(20 * time.Millisecond) // poll cadence only
	}
	cancel()
	wg.Wait()

	log := readCommitLog(t, raw)
	requireFanOut(t, a.Store, log, f)
	by := map[string]int{}
	for _, writers := range log["request"] {
		by[writers[0]]++
	}
	t.Logf("requests finished by replica: %v", by)
	if by["replica-a"] == 0 || by["replica-b"] == 0 || by["replica-a"]+by["replica-b"] != replicaBacklog {
		t.Fatalf("requests finished by replica: %v; want both, %d in all", by, replicaBacklog)
	}
	for id := range f.Requests {
		if j := log["request"][id]; len(j) != 1 {
			t.Fatalf("request %s ended by %v", id, j)
		}
	}
	// Each job was claimed once: no step ran (and rolled back) twice.
	if n := raw.Count(t, "SELECT COUNT(*) FROM jobs WHERE kind = 'permission.request' AND attempts <> 1"); n != 0 {
		t.Fatalf("%d jobs claimed more than once", n)
	}
	acct := doubleApplyOne(t, a.Store, f)
	requireCaught(t, a.Store, readCommitLog(t, raw), f, acct)
}

// newReplica builds (without serving or running jobs) an app on the
// PostgreSQL database at base, its connections named name.
func newReplica(t *testing.T, base, name, masterKey string) *app.App {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	a, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: u.String(),
		MasterKey: masterKey, LogLevel: "warn", LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}
