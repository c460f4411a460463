package signin_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/signin"
	"github.com/iic-project/iic/internal/store"
)

// failingMailer records every attempt and fails the first fails of them.
type failingMailer struct {
	mu       sync.Mutex
	fails    int
	attempts []string // bodies
}

func (m *failingMailer) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts = append(m.attempts, body)
	if len(m.attempts) <= m.fails {
		return errors.New("421 relay busy")
	}
	return nil
}

func (m *failingMailer) tokens(t *testing.T) []string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, b := range m.attempts {
		sm := resetLink.FindStringSubmatch(b)
		if sm == nil {
			t.Fatalf("no link in %q", b)
		}
		tok, err := url.QueryUnescape(sm[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok)
	}
	return out
}

func (f *fixture) requestReset(t *testing.T, name string) {
	t.Helper()
	if err := f.svc.RequestPasswordReset(ctx, signin.ResetRequest{IdentityStoreID: f.storeID, UserName: name, LinkURL: "https://iic.example.com/start/reset"}); err != nil {
		t.Fatal(err)
	}
}

// requestResetFrom is a reset request of name from the client address
// addr; it returns the statements it ran.
func (f *fixture) requestResetFrom(t *testing.T, name, addr string) string {
	t.Helper()
	var err error
	log := f.stmts.during(func() {
		err = f.svc.RequestPasswordReset(ctx, signin.ResetRequest{IdentityStoreID: f.storeID, UserName: name, ClientAddress: addr,
			LinkURL: "https://iic.example.com/start/reset"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return normalize(log)
}

func (f *fixture) resetJobs(t *testing.T) map[store.JobState]int {
	t.Helper()
	n, err := f.st.Jobs().Count(ctx, signin.ResetMailJob)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A request of a user stores its mail job, one of no user the store's
// shared no-link job; the payload does not hold the link's token in clear; the job survives the service (a
// restarted server delivers it) and a request without a link sends nothing.
func TestResetMailIsADurableJob(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.user(t, "carol", pw)
		f.requestReset(t, "carol")
		f.requestReset(t, "nobody")
		if n := f.resetJobs(t); n[store.JobPending] != 2 {
			t.Fatalf("reset mail jobs %v, want 2 pending", n)
		}
		now := f.now
		claimed, err := f.st.Jobs().Claim(ctx, store.JobClaim{Owner: "test", Kinds: []string{signin.ResetMailJob}, Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim = %d jobs, %v", len(claimed), err)
		}
		for _, j := range claimed {
			if err := f.st.Jobs().Release(ctx, j, now); err != nil {
				t.Fatal(err)
			}
		}
		f.svc = f.service() // a restarted server: a new runner
		mails := f.waitMails(t, 1)
		if n := f.resetJobs(t); n[store.JobSucceeded] != 2 || len(mails) != 1 || mails[0] != "carol@example.com" {
			t.Fatalf("jobs %v, mails to %v", n, mails)
		}
		tok, err := url.QueryUnescape(resetLink.FindStringSubmatch(f.mail.sent[0])[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range claimed {
			if strings.Contains(string(j.Payload), tok) || strings.Contains(string(j.Payload), url.QueryEscape(tok)) {
				t.Fatalf("the payload %s holds the token", j.Payload)
			}
		}
		if _, err := f.svc.ResetPassword(ctx, tok, "Another-horse2"); err != nil {
			t.Fatalf("the mailed link: %v", err)
		}
	})
}

// A failed delivery is retried with the runner's back-off; when the last
// attempt fails, the link is voided.
func TestResetMailRetriesThenVoidsTheLink(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.user(t, "carol", pw)
		flaky := &failingMailer{fails: 2}
		f.id.Mailer = flaky
		run := func(times int) {
			for range times {
				if _, err := f.jobs.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				f.now = f.now.Add(time.Minute) // past any back-off of the first attempts
			}
		}
		f.requestReset(t, "carol")
		run(4)
		toks := flaky.tokens(t)
		if len(toks) != 3 || toks[0] != toks[2] {
			t.Fatalf("%d attempts, want 3 of one link", len(toks))
		}
		if n := f.resetJobs(t); n[store.JobSucceeded] != 1 {
			t.Fatalf("jobs %v", n)
		}
		if _, err := f.svc.ResetPassword(ctx, toks[2], "Another-horse2"); err != nil {
			t.Fatalf("the link delivered at the 3rd attempt: %v", err)
		}

		never := &failingMailer{fails: 100}
		f.id.Mailer = never
		f.requestReset(t, "carol")
		run(8)
		toks = never.tokens(t)
		if n := f.resetJobs(t); len(toks) != 5 || n[store.JobFailed] != 1 {
			t.Fatalf("%d attempts, jobs %v; want 5 and one failed", len(toks), n)
		}
		_, err := f.svc.ResetPassword(ctx, toks[0], "Third-horse3")
		wantDef(t, "the undelivered link", err, apierr.IIC1718)
	})
}

// Requests that get no link (names of no user, over their rate) share one
// mail job of their identity store: cycling names adds no rows to the job
// table, and the requests still run the same statements as a user's. Once
// the runner pruned the finished shared job, the next such request stores
// it again.
func TestResetRequestsWithoutALinkShareOneJob(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.user(t, "carol", pw)
		carol := f.requestResetFrom(t, "carol", "192.0.2.1")
		for i := range 12 {
			name := fmt.Sprintf("nobody-%d", i)
			if i%4 == 3 {
				name = "carol" // her 2nd and 3rd requests get links, the 4th (i=11) is over her rate
			}
			if got := f.requestResetFrom(t, name, fmt.Sprintf("192.0.2.%d", 2+i)); got != carol {
				t.Fatalf("%s is told apart from carol:\n%s\n----\n%s", name, carol, got)
			}
		}
		if n := f.resetJobs(t); n[store.JobPending] != 4 {
			t.Fatalf("reset mail jobs %v, want 4 pending: carol's 3 links and one shared by the rest", n)
		}
		if mails := f.waitMails(t, 3); len(mails) != 3 {
			t.Fatalf("mails to %v, want carol's 3", mails)
		}
		if n := f.resetJobs(t); n[store.JobSucceeded] != 4 {
			t.Fatalf("reset mail jobs %v, want 4 done", n)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.st.Jobs().DeleteFinished(ctx, f.now, 100); err != nil {
			t.Fatal(err)
		}
		f.requestReset(t, "nobody-again")
		f.requestReset(t, "nobody-else")
		if n := f.resetJobs(t); n[store.JobPending] != 1 || len(n) != 1 {
			t.Fatalf("reset mail jobs after the prune %v, want the shared one pending", n)
		}
	})
}

// A client address gets links for at most 20 requests an hour (an IPv6
// address counted by its /64), whatever names they give; beyond, its
// requests answer the same and do nothing more: the same statements for
// every name, no mail, no job.
func TestResetRequestsPerClientAddress(t *testing.T) {
	forDialects(t, func(t *testing.T, f *fixture) {
		f.user(t, "carol", pw)
		carol := f.requestResetFrom(t, "carol", "2001:db8:1::1")
		f.waitMails(t, 1)
		for i := range 19 {
			if got := f.requestResetFrom(t, fmt.Sprintf("nobody-%d", i), fmt.Sprintf("2001:db8:1::%x", 2+i)); got != carol {
				t.Fatalf("request %d is told apart from carol's:\n%s\n----\n%s", i, carol, got)
			}
		}
		total := func() (n int) {
			for _, c := range f.resetJobs(t) {
				n += c
			}
			return n
		}
		jobs := total()
		// The /64 has made 20 requests: its next ones get no link, and run
		// the same statements whatever the name; one from elsewhere does.
		over := f.requestResetFrom(t, "carol", "2001:db8:1::ffff")
		if over == carol {
			t.Fatal("a request over its address's rate did a request's work")
		}
		for _, name := range []string{"nobody-new", "carol"} {
			if got := f.requestResetFrom(t, name, "2001:db8:1:0:1::1"); got != over {
				t.Fatalf("%s over the address's rate is told apart from carol:\n%s\n----\n%s", name, over, got)
			}
		}
		time.Sleep(50 * time.Millisecond)
		if mails := f.waitMails(t, 1); len(mails) != 1 {
			t.Fatalf("mails to %v, want only carol's first", mails)
		}
		if n := total(); n != jobs {
			t.Fatalf("%d reset mail jobs after the address's rate, want %d", n, jobs)
		}
		f.requestResetFrom(t, "carol", "2001:db8:2::1")
		f.waitMails(t, 2)
		// An hour later the address may ask again.
		f.now = f.now.Add(time.Hour)
		f.requestResetFrom(t, "carol", "2001:db8:1::1")
		f.waitMails(t, 3)
	})
}
