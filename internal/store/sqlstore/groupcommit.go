package sqlstore

import (
	"context"
	"sync"
)

// groupCommit runs small write transactions of concurrent callers
// together on SQLite, whose one writer connection commits one transaction
// at a time: the callers' functions waiting when a transaction ends run in
// the next one, and its commit (the WAL write, the lock round trip) is
// shared. A function must be a self-contained write whose only effect is
// on the database. If any function of a group fails, or the commit does,
// the group is rolled back and each function runs again in a transaction
// of its own, so each caller gets the answer it would have got alone.
//
// The caller that finds no group running leads: it runs groups until it
// has its answer, then hands the lead to the first caller still waiting,
// so no caller serves the others for longer than its own group.
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupCall
	leading bool
}

type groupCall struct {
	fn   func(tx *sqlStore) error
	done chan groupResult
}

type groupResult struct {
	err  error
	lead bool // not an answer: the receiver leads the next group
}

// maxGroup bounds the functions of one transaction.
const maxGroup = 64

// run runs fn in a group (in s's transaction if one is open; alone on
// PostgreSQL, whose pool commits concurrently).
func (g *groupCommit) run(ctx context.Context, s *sqlStore, fn func(tx *sqlStore) error) error {
	if s.tx != nil || s.db.dialect == dialectPostgres {
		return s.update(ctx, fn)
	}
	c := &groupCall{fn: fn, done: make(chan groupResult, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		if r := <-c.done; !r.lead {
			return r.err
		}
	}
	// Lead: c is the oldest waiting call, so it is in this group.
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	group := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()
	g.commit(context.WithoutCancel(ctx), s, group)
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.leading = false
		g.mu.Unlock()
	} else {
		next := g.pending[0]
		g.mu.Unlock()
		next.done <- groupResult{lead: true}
	}
	return (<-c.done).err
}

// commit runs one group and answers each of its calls.
func (g *groupCommit) commit(ctx context.Context, s *sqlStore, group []*groupCall) {
	if len(group) > 1 {
		err := s.update(ctx, func(tx *sqlStore) error {
			for _, c := range group {
				if err := c.fn(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for _, c := range group {
				c.done <- groupResult{}
			}
			return
		}
	}
	for _, c := range group {
		c.done <- groupResult{err: s.update(ctx, c.fn)}
	}
}
