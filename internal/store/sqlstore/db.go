package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/iic-project/iic/internal/store"
)

type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is an open database: a Store plus the handles behind it.
type DB struct {
	dialect dialect
	write   *sql.DB // SQLite: one connection; PostgreSQL: the pool
	read    *sql.DB // SQLite: read-only pool; PostgreSQL: same as write
	// lossy (PostgreSQL only) is a small pool whose sessions commit
	// without waiting for the WAL flush (synchronous_commit off), for the
	// writes a crash may lose (Credentials.CreateEphemeral,
	// OIDC.CreateDeviceAuth).
	lossy  *sql.DB
	binds  sync.Map
	latest int
	// onStatement is Options.OnStatement (nil: none).
	onStatement func(q string)
	// stmts are SQLite's compiled statements.
	stmts stmtCache
	// group shares SQLite commits among concurrent small writes.
	group groupCommit
}

// Options tune Open.
type Options struct {
	// MaxOpenConns bounds the PostgreSQL pool and the SQLite read pool
	// (default 16); PostgreSQL's pool of Credentials.CreateEphemeral holds
	// a quarter as many more (at least 2).
	MaxOpenConns int
	// OnStatement, if set, is called with each statement the store runs
	// once migrated (its text before placeholders are rebound; "BEGIN" and
	// "COMMIT" for transactions), on the calling goroutine: for tests that
	// count what an operation costs, and for tracing. It must be cheap.
	OnStatement func(q string)
}

// Open connects to url and applies pending migrations. url is either a
// PostgreSQL URL (postgres:// or postgresql://) or a SQLite file path
// (optionally prefixed with sqlite:// or file:).
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 16
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(dsn, opt)
	} else {
		db, err = openSQLite(dsn, opt)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.onStatement = opt.OnStatement
	return db, nil
}

func openPostgres(dsn string, opt Options) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(opt.MaxOpenConns)
	pool.SetMaxIdleConns(opt.MaxOpenConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.RuntimeParams["synchronous_commit"] = "off"
	lossy := stdlib.OpenDB(*cfg)
	n := max(opt.MaxOpenConns/4, 2)
	lossy.SetMaxOpenConns(n)
	lossy.SetMaxIdleConns(n)
	lossy.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{dialect: dialectPostgres, write: pool, read: pool, lossy: lossy}, nil
}

func openSQLite(dsn string, opt Options) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// busy_timeout comes first: switching to WAL takes a lock that concurrent
	// openers must wait for rather than fail on.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", base+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// WAL must be on before readers connect, so touch the writer first.
	// Switching a fresh file to WAL can answer SQLITE_BUSY without waiting
	// for the busy timeout when another process does the same; retry.
	err = write.Ping()
	for i := 0; i < 100 && isBusy(err); i++ {
		time.Sleep(time.Duration(5+i) * time.Millisecond)
		err = write.Ping()
	}
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"?_pragma=query_only(1)&"+common)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(opt.MaxOpenConns)
	read.SetMaxIdleConns(opt.MaxOpenConns)
	read.SetConnMaxLifetime(0)
	return &DB{dialect: dialectSQLite, write: write, read: read}, nil
}

// Close closes both handles.
func (db *DB) Close() error {
	db.stmts.close()
	err := db.write.Close()
	if db.lossy != nil {
		if err2 := db.lossy.Close(); err == nil {
			err = err2
		}
	}
	if db.read != db.write {
		if err2 := db.read.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Dialect names the engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.String() }

// Store returns the Store view of db.
func (db *DB) Store() store.Store { return &sqlStore{db: db} }

// rebind turns ? placeholders into $1, $2, ... for PostgreSQL. Queries in
// this package never contain a literal '?'.
func (db *DB) rebind(q string) string {
	if db.onStatement != nil {
		db.onStatement(q)
	}
	if db.dialect != dialectPostgres {
		return q
	}
	if v, ok := db.binds.Load(q); ok {
		return v.(string)
	}
	out := rebindQuery(q)
	db.binds.Store(q, out)
	return out
}

// rebindQuery numbers the ? placeholders of q as $1, $2, ...
func rebindQuery(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// mapErr turns driver errors into the store's sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		// "UNIQUE constraint failed: users.identity_store_id, users.user_name_key";
		// SQLite names no columns for a foreign key.
		if se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
			return &store.ConflictError{Key: store.KeyReference}
		}
		msg := se.Error()
		i := strings.LastIndex(msg, "constraint failed: ")
		if i < 0 {
			return fmt.Errorf("%w: %s", &store.ConflictError{Key: "unknown"}, msg)
		}
		cols := msg[i+len("constraint failed: "):]
		if j := strings.LastIndex(cols, " ("); j >= 0 && strings.HasSuffix(cols, ")") {
			cols = cols[:j] // the extended result code, e.g. " (2067)"
		}
		return &store.ConflictError{Key: conflictKey(strings.Split(cols, ", "))}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return &store.ConflictError{Key: store.KeyReference}
	}
	if errors.As(err, &pe) && pe.Code == "23505" {
		// Detail: "Key (identity_store_id, user_name_key)=(…) already exists."
		_, rest, _ := strings.Cut(pe.Detail, "Key (")
		cols, _, ok := strings.Cut(rest, ")=")
		if !ok {
			return fmt.Errorf("%w: %s", &store.ConflictError{Key: pe.ConstraintName}, pe.Message)
		}
		return &store.ConflictError{Key: conflictKey(strings.Split(cols, ", "))}
	}
	return err
}

// conflictKey names the unique key made of cols (as "table.column" on
// SQLite, "column" on PostgreSQL): the store.Key constant of the columns
// that distinguish it, else the last column's name.
func conflictKey(cols []string) string {
	names := make([]string, 0, len(cols))
	for _, c := range cols {
		if _, col, ok := strings.Cut(c, "."); ok {
			c = col
		}
		names = append(names, strings.TrimSpace(c))
	}
	has := func(n string) bool { return slices.Contains(names, n) }
	switch {
	case has("user_name_key"):
		return store.KeyUserName
	case has("email_key"):
		return store.KeyEmail
	case has("display_name_key"):
		return store.KeyDisplayName
	case has("external_id"):
		return store.KeyExternalID
	case has("group_id") && has("user_id"):
		return store.KeyMember
	case has("id") || has("seq"):
		return store.KeyID
	case len(names) > 0:
		return names[len(names)-1]
	}
	return "unknown"
}

func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
