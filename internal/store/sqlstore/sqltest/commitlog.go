package sqltest

import (
	"database/sql"
	"testing"
)

// commitLogDDL makes the commit log, a test-only table filled by triggers: a row per
// committed write of what a creation step writes (the agency, the
// assignment, the request's end, the job's end), so a step that committed
// twice shows as two rows even where the tables' unique keys leave one
// record. On PostgreSQL each row also names the writer's application_name
// (which replica committed it).
var commitLogDDL = map[string][]string{
	"sqlite": {
		`CREATE TABLE test_commit_log (what TEXT NOT NULL, id TEXT NOT NULL, writer TEXT NOT NULL DEFAULT '')`,
		`CREATE TRIGGER test_log_agency_insert AFTER INSERT ON agencies BEGIN
			INSERT INTO test_commit_log (what, id) VALUES ('agency', NEW.account_id || '/' || NEW.permission_set_id); END`,
		`CREATE TRIGGER test_log_agency_update AFTER UPDATE ON agencies BEGIN
			INSERT INTO test_commit_log (what, id) VALUES ('agency', NEW.account_id || '/' || NEW.permission_set_id); END`,
		`CREATE TRIGGER test_log_assignment AFTER INSERT ON account_assignments BEGIN
			INSERT INTO test_commit_log (what, id) VALUES ('assignment', NEW.account_id || '/' || NEW.permission_set_id); END`,
		`CREATE TRIGGER test_log_request AFTER UPDATE ON permission_requests WHEN NEW.status <> 'IN_PROGRESS' BEGIN
			INSERT INTO test_commit_log (what, id) VALUES ('request', NEW.id); END`,
		`CREATE TRIGGER test_log_job AFTER UPDATE ON jobs WHEN NEW.state = 'succeeded' BEGIN
			INSERT INTO test_commit_log (what, id) VALUES ('job', NEW.id); END`,
	},
	"postgres": {
		`CREATE TABLE test_commit_log (what TEXT NOT NULL, id TEXT NOT NULL, writer TEXT NOT NULL DEFAULT current_setting('application_name'))`,
		`CREATE FUNCTION test_log() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				INSERT INTO test_commit_log (what, id) VALUES (TG_ARGV[0], CASE WHEN TG_ARGV[0] IN ('agency', 'assignment')
					THEN (to_jsonb(NEW) ->> 'account_id') || '/' || (to_jsonb(NEW) ->> 'permission_set_id')
					ELSE to_jsonb(NEW) ->> 'id' END);
				RETURN NULL;
			END $$`,
		`CREATE TRIGGER test_log_agency AFTER INSERT OR UPDATE ON agencies FOR EACH ROW EXECUTE FUNCTION test_log('agency')`,
		`CREATE TRIGGER test_log_assignment AFTER INSERT ON account_assignments FOR EACH ROW EXECUTE FUNCTION test_log('assignment')`,
		`CREATE TRIGGER test_log_request AFTER UPDATE ON permission_requests FOR EACH ROW WHEN (NEW.status <> 'IN_PROGRESS')
			EXECUTE FUNCTION test_log('request')`,
		`CREATE TRIGGER test_log_job AFTER UPDATE ON jobs FOR EACH ROW WHEN (NEW.state = 'succeeded') EXECUTE FUNCTION test_log('job')`,
	},
}

// CommitLog is the commit log of one database, and a raw handle on it
// for counts the store does not offer.
type CommitLog struct{ db *sql.DB }

// InstallCommitLog creates the commit log and its triggers in the migrated
// database of dialect at dsn (SQLite file or PostgreSQL URL); the handle
// is closed when the test ends.
func InstallCommitLog(t testing.TB, dialect, dsn string) *CommitLog {
	t.Helper()
	driver := "pgx"
	if dialect == "sqlite" {
		driver, dsn = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range commitLogDDL[dialect] {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("commit log: %v\n%s", err, q)
		}
	}
	return &CommitLog{db}
}

// Read returns, per kind of write (agency, assignment, request, job) and
// record, the writer of each committed write.
func (l *CommitLog) Read(t testing.TB) map[string]map[string][]string {
	t.Helper()
	rows, err := l.db.Query("SELECT what, id, writer FROM test_commit_log")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string][]string{}
	for rows.Next() {
		var what, id, writer string
		if err := rows.Scan(&what, &id, &writer); err != nil {
			t.Fatal(err)
		}
		if out[what] == nil {
			out[what] = map[string][]string{}
		}
		out[what][id] = append(out[what][id], writer)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Count runs a SELECT COUNT(*) query on the database.
func (l *CommitLog) Count(t testing.TB, query string) int {
	t.Helper()
	var n int
	if err := l.db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
