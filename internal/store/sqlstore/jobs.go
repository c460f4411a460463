package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type jobs struct{ s *sqlStore }

func (s *sqlStore) Jobs() store.Jobs { return jobs{s} }

const jobColumns = `id, kind, job_key, payload, state, attempts, max_attempts, run_at, lease_owner, lease_until,
	last_error, created_at, updated_at`

// unfinished is the predicate of the partial indexes jobs_due and
// jobs_unfinished_key, written as they are so the planner uses them.
const unfinished = "state IN ('pending', 'running')"

func scanJob(row interface{ Scan(...any) error }) (store.Job, error) {
	var j store.Job
	var state string
	var runAt, leaseUntil, created, updated int64
	err := row.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &state, &j.Attempts, &j.MaxAttempts, &runAt, &j.LeaseOwner,
		&leaseUntil, &j.LastError, &created, &updated)
	if err != nil {
		return store.Job{}, mapErr(err)
	}
	j.State = store.JobState(state)
	j.RunAt, j.LeaseUntil, j.CreatedAt, j.UpdatedAt = fromMS(runAt), fromMS(leaseUntil), fromMS(created), fromMS(updated)
	return j, nil
}

func (t jobs) Enqueue(ctx context.Context, j store.Job) (string, error) {
	if j.Payload == nil {
		j.Payload = []byte("null")
	}
	// A duplicate unfinished key hits jobs_unfinished_key and inserts
	// nothing; any other conflict (the id) is an error.
	res, err := t.s.exec(ctx, `INSERT INTO jobs (id, kind, job_key, payload, state, attempts, max_attempts, run_at,
		due_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, job_key) WHERE job_key <> '' AND `+unfinished+` DO NOTHING`,
		j.ID, j.Kind, j.Key, j.Payload, j.MaxAttempts, ms(j.RunAt), ms(j.RunAt), ms(j.CreatedAt), ms(j.CreatedAt))
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return j.ID, err
	}
	var id string
	err = t.s.writer().QueryRowContext(ctx, t.s.db.rebind(`SELECT id FROM jobs WHERE kind = ? AND job_key = ? AND job_key <> '' AND `+unfinished),
		j.Kind, j.Key).Scan(&id)
	return id, mapErr(err)
}

func (t jobs) Claim(ctx context.Context, c store.JobClaim) ([]store.Job, error) {
	if len(c.Kinds) == 0 || c.Limit <= 0 {
		return nil, nil
	}
	// SQLite serializes writers, so the inner select cannot race; on
	// PostgreSQL concurrent claimers skip each other's locked rows, and a
	// row claimed meanwhile fails the re-checked due_at.
	skip := ""
	if t.s.db.dialect == dialectPostgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{c.Owner, ms(c.LeaseUntil), ms(c.LeaseUntil), ms(c.Now)}
	for _, k := range c.Kinds {
		args = append(args, k)
	}
	args = append(args, ms(c.Now), c.Limit)
	rows, err := t.s.writer().QueryContext(ctx, t.s.db.rebind(`UPDATE jobs SET state = 'running', lease_owner = ?,
		lease_until = ?, due_at = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM jobs WHERE `+unfinished+` AND kind IN (`+placeholders(len(c.Kinds))+`)
			AND due_at <= ? ORDER BY due_at LIMIT ?`+skip+`)
		RETURNING `+jobColumns), args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].RunAt.Equal(out[b].RunAt) {
			return out[a].RunAt.Before(out[b].RunAt)
		}
		return out[a].ID < out[b].ID
	})
	return out, nil
}

// transition applies set to the claimed job j, or returns ErrConflict when
// the claim no longer holds.
func (t jobs) transition(ctx context.Context, j store.Job, set string, args ...any) error {
	args = append(args, j.ID, j.LeaseOwner, j.Attempts)
	res, err := t.s.exec(ctx, "UPDATE jobs SET "+set+
		" WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?", args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrConflict
	}
	return nil
}

func (t jobs) Extend(ctx context.Context, j store.Job, until, now time.Time) error {
	return t.transition(ctx, j, "lease_until = ?, due_at = ?, updated_at = ?", ms(until), ms(until), ms(now))
}

func (t jobs) Finish(ctx context.Context, j store.Job, now time.Time) error {
	return t.transition(ctx, j, "state = 'succeeded', lease_owner = '', lease_until = 0, updated_at = ?", ms(now))
}

func (t jobs) Retry(ctx context.Context, j store.Job, runAt time.Time, lastError string, now time.Time) error {
	return t.transition(ctx, j, `state = 'pending', lease_owner = '', lease_until = 0, run_at = ?, due_at = ?,
		last_error = ?, updated_at = ?`, ms(runAt), ms(runAt), lastError, ms(now))
}

func (t jobs) Release(ctx context.Context, j store.Job, now time.Time) error {
	return t.transition(ctx, j, `state = 'pending', lease_owner = '', lease_until = 0, run_at = ?, due_at = ?,
		attempts = attempts - 1, updated_at = ?`, ms(now), ms(now), ms(now))
}

func (t jobs) Reschedule(ctx context.Context, j store.Job, runAt, now time.Time) error {
	return t.transition(ctx, j, `state = 'pending', lease_owner = '', lease_until = 0, run_at = ?, due_at = ?,
		attempts = 0, last_error = '', updated_at = ?`, ms(runAt), ms(runAt), ms(now))
}

func (t jobs) Fail(ctx context.Context, j store.Job, lastError string, now time.Time) error {
	return t.transition(ctx, j, "state = 'failed', lease_owner = '', lease_until = 0, last_error = ?, updated_at = ?",
		lastError, ms(now))
}

func (t jobs) NextDue(ctx context.Context, kinds []string) (time.Time, bool, error) {
	if len(kinds) == 0 {
		return time.Time{}, false, nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = k
	}
	var due sql.NullInt64
	err := t.s.queryRow(ctx, `SELECT MIN(due_at) FROM jobs WHERE `+unfinished+` AND kind IN (`+placeholders(len(kinds))+`)`,
		args...).Scan(&due)
	if err != nil {
		return time.Time{}, false, mapErr(err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(due.Int64).UTC(), true, nil
}

func (t jobs) Get(ctx context.Context, id string) (store.Job, error) {
	return scanJob(t.s.queryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", id))
}

func (t jobs) Count(ctx context.Context, kind string) (map[store.JobState]int, error) {
	rows, err := t.s.query(ctx, "SELECT state, COUNT(*) FROM jobs WHERE kind = ? OR ? = '' GROUP BY state", kind, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[store.JobState]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, mapErr(err)
		}
		out[store.JobState(state)] = n
	}
	return out, mapErr(rows.Err())
}

func (t jobs) DeleteFinished(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := t.s.exec(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
		WHERE state IN ('succeeded', 'failed') AND updated_at < ? ORDER BY updated_at LIMIT ?)`, ms(before), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
