package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/store"
)

// Concurrent grouped writes share commits, and each caller gets its own
// answer: a group with a failing write is rerun one write per transaction,
// so the duplicates fail and every other write is stored.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	var commits atomic.Int64
	db, err := Open(ctx, filepath.Join(t.TempDir(), "iic.db"), Options{OnStatement: func(q string) {
		if q == "COMMIT" {
			commits.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE group_commit_test (k TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	s := &sqlStore{db: db}
	insert := func(k string, pause time.Duration) error {
		return db.group.run(ctx, s, func(tx *sqlStore) error {
			time.Sleep(pause) // holds the writer: the other calls queue
			_, err := tx.exec(ctx, "INSERT INTO group_commit_test (k) VALUES (?)", k)
			return err
		})
	}
	count := func() int {
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_commit_test").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	run := func(n int, key func(i int) string, pause time.Duration) (ok, conflicts int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range n {
			wg.Go(func() {
				err := insert(key(i), pause)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Errorf("insert %s: %v", key(i), err)
				}
			})
		}
		wg.Wait()
		return ok, conflicts
	}

	commits.Store(0)
	if ok, _ := run(64, func(i int) string { return fmt.Sprint("a", i) }, 2*time.Millisecond); ok != 64 || count() != 64 {
		t.Fatalf("%d of 64 inserts succeeded, %d rows", ok, count())
	}
	if n := commits.Load(); n > 32 {
		t.Errorf("64 concurrent inserts took %d commits, want them grouped", n)
	}
	if ok, conflicts := run(40, func(i int) string { return fmt.Sprint("b", i%30) }, 0); ok != 30 || conflicts != 10 || count() != 94 {
		t.Fatalf("30 keys by 40 inserts: %d succeeded, %d conflicts, %d rows; want 30, 10, 94", ok, conflicts, count())
	}
	// In a transaction, the transaction decides.
	boom := errors.New("boom")
	if err := s.WithTx(ctx, func(tx store.Store) error {
		if err := db.group.run(ctx, tx.(*sqlStore), func(tx *sqlStore) error {
			_, err := tx.exec(ctx, "INSERT INTO group_commit_test (k) VALUES (?)", "c")
			return err
		}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) || count() != 94 {
		t.Fatalf("WithTx = %v, %d rows; want boom and nothing stored", err, count())
	}
}
