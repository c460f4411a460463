package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps SQLite statements compiled: database/sql prepares a
// *sql.Stmt once per connection of its pool and reuses it, where running
// the text compiles it again on every call (a parse per statement, and a
// write's triggers compiled with it: about a third of a user create's CPU
// with the substring index's triggers). It holds at most maxStmts
// statements; past that, new texts (e.g. IN lists of every length) run
// uncached.
//
// Preparing needs a connection, and SQLite has one writer connection: a
// statement first seen inside a transaction (which holds it) is only noted
// then and prepared after the transaction ends (prepareNoted). The cache's
// lock is never held while waiting for a connection.
type stmtCache struct {
	mu    sync.Mutex
	m     map[stmtKey]*sql.Stmt
	noted map[stmtKey]bool
}

type stmtKey struct {
	pool *sql.DB
	q    string
}

const maxStmts = 512

// lookup returns q's statement for pool, or nil; with note, a miss is
// remembered for prepareNoted.
func (c *stmtCache) lookup(pool *sql.DB, q string, note bool) *sql.Stmt {
	k := stmtKey{pool, q}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[k]; st != nil || !note || len(c.m)+len(c.noted) >= maxStmts {
		return st
	}
	if c.noted == nil {
		c.noted = map[stmtKey]bool{}
	}
	c.noted[k] = true
	return nil
}

// prepare compiles q for pool and caches it (the caller holds no
// connection of pool); nil when the cache is full or q does not prepare.
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	if st := c.lookup(pool, q, false); st != nil {
		return st
	}
	c.mu.Lock()
	full := len(c.m) >= maxStmts
	c.mu.Unlock()
	if full {
		return nil
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	k := stmtKey{pool, q}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have := c.m[k]; have != nil { // another caller was first
		st.Close()
		return have
	}
	if c.m == nil {
		c.m = map[stmtKey]*sql.Stmt{}
	}
	c.m[k] = st
	delete(c.noted, k)
	return st
}

// prepareNoted compiles the statements noted inside transactions.
func (c *stmtCache) prepareNoted(ctx context.Context) {
	c.mu.Lock()
	keys := make([]stmtKey, 0, len(c.noted))
	for k := range c.noted {
		keys = append(keys, k)
	}
	c.noted = nil
	c.mu.Unlock()
	for _, k := range keys {
		c.prepare(ctx, k.pool, k.q)
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.noted = nil, nil
}
