package signin_test

import (
	"context"
	"errors"
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

func (f *fixture) resetJobs(t *testing.T) map[store.JobState]int {
	t.Helper()
	n, err := f.st.Jobs().Count(ctx, signin.ResetMailJob)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Every request, of a user or not, stores one mail job, whose payload does
// not hold the link's token in clear; the job survives the service (a
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
