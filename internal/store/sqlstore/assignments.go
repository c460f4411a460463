package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type assignments struct{ s *sqlStore }

func (s *sqlStore) Assignments() store.Assignments { return assignments{s} }

const assignmentColumns = "seq, instance_id, account_id, permission_set_id, principal_type, principal_id, created_at"

// assignmentColumnsOf is assignmentColumns of the table aliased alias.
func assignmentColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(assignmentColumns, ", ", ", "+alias+".")
}

const assignmentKey = "instance_id = ? AND account_id = ? AND permission_set_id = ? AND principal_type = ? AND principal_id = ?"

func keyArgs(a store.Assignment) []any {
	return []any{a.InstanceID, a.AccountID, a.PermissionSetID, a.PrincipalType, a.PrincipalID}
}

func scanAssignment(row interface{ Scan(...any) error }) (store.Assignment, error) {
	var a store.Assignment
	var created int64
	err := row.Scan(&a.Seq, &a.InstanceID, &a.AccountID, &a.PermissionSetID, &a.PrincipalType, &a.PrincipalID, &created)
	a.CreatedAt = fromMS(created)
	return a, mapErr(err)
}

func (t assignments) Create(ctx context.Context, a store.Assignment) error {
	_, err := t.s.exec(ctx, `INSERT INTO account_assignments (instance_id, account_id, permission_set_id, principal_type, principal_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, append(keyArgs(a), ms(a.CreatedAt))...)
	return err
}

func (t assignments) Exists(ctx context.Context, a store.Assignment) (bool, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM account_assignments WHERE "+assignmentKey, keyArgs(a)...).Scan(&n)
	return n > 0, mapErr(err)
}

func (t assignments) Delete(ctx context.Context, a store.Assignment) error {
	return t.s.execOne(ctx, "DELETE FROM account_assignments WHERE "+assignmentKey, keyArgs(a)...)
}

func (t assignments) ListByAccount(ctx context.Context, instanceID, accountID, permissionSetID string, after int64, limit int) ([]store.Assignment, error) {
	q := "SELECT " + assignmentColumns + " FROM account_assignments WHERE instance_id = ? AND account_id = ? AND seq > ?"
	args := []any{instanceID, accountID, after}
	if permissionSetID != "" {
		q += " AND permission_set_id = ?"
		args = append(args, permissionSetID)
	}
	rows, err := t.s.query(ctx, q+" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAssignment)
}

// ListByPrincipals on PostgreSQL reads, for each principal, at most limit
// of its assignments after position after from an index on (instance,
// principal, seq) and merges those by seq: a page costs one bounded index
// range per principal however many assignments the instance holds. The
// list is one array parameter, so every list length shares one statement
// and its plan; an IN list leaves the plan to estimates, and its generic
// plan walks the instance's assignments in seq order testing each row.
// SQLite keeps the IN list: it reads each principal's range in seq order
// and moves to the next principal once a row sorts after a full page. With
// an account, both read the (instance, principal, account, seq) index.
func (t assignments) ListByPrincipals(ctx context.Context, instanceID string, principalIDs []string, accountID string, after int64, limit int) ([]store.Assignment, error) {
	if len(principalIDs) == 0 {
		return nil, nil
	}
	if t.s.db.dialect == dialectPostgres {
		ids := slices.Clone(principalIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids) // a principal named twice is read once
		q := "SELECT " + assignmentColumnsOf("a") + " FROM unnest(?::text[]) AS p (id) CROSS JOIN LATERAL (SELECT " + assignmentColumnsOf("s") +
			" FROM account_assignments s WHERE s.instance_id = ? AND s.principal_id = p.id"
		args := []any{ids, instanceID}
		if accountID != "" {
			q += " AND s.account_id = ?"
			args = append(args, accountID)
		}
		rows, err := t.s.query(ctx, q+" AND s.seq > ? ORDER BY s.seq LIMIT ?) a ORDER BY a.seq LIMIT ?", append(args, after, limit, limit)...)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanAssignment)
	}
	from := "account_assignments"
	if accountID != "" {
		// Without the hint SQLite walks the account's assignments instead,
		// whose number the principals do not bound.
		from += " INDEXED BY account_assignments_principal_account"
	}
	args := []any{instanceID}
	for _, id := range principalIDs {
		args = append(args, id)
	}
	q := "SELECT " + assignmentColumns + " FROM " + from + " WHERE instance_id = ? AND principal_id IN (" + placeholders(len(principalIDs)) + ") AND seq > ?"
	args = append(args, after)
	if accountID != "" {
		q += " AND account_id = ?"
		args = append(args, accountID)
	}
	rows, err := t.s.query(ctx, q+" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAssignment)
}

func (t assignments) CountFor(ctx context.Context, instanceID, permissionSetID, accountID string) (int, error) {
	q := "SELECT COUNT(*) FROM account_assignments WHERE instance_id = ? AND permission_set_id = ?"
	args := []any{instanceID, permissionSetID}
	if accountID != "" {
		q += " AND account_id = ?"
		args = append(args, accountID)
	}
	var n int
	err := t.s.queryRow(ctx, q, args...).Scan(&n)
	return n, mapErr(err)
}

func (t assignments) CountByPrincipal(ctx context.Context, instanceID, principalID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM account_assignments WHERE instance_id = ? AND principal_id = ?", instanceID, principalID).Scan(&n)
	return n, mapErr(err)
}

type agencies struct{ s *sqlStore }

func (s *sqlStore) Agencies() store.Agencies { return agencies{s} }

const agencyColumns = "a.seq, a.instance_id, a.account_id, a.permission_set_id, a.name, a.urn, a.version, a.policies, a.session_duration, a.created_at, a.updated_at"

func scanAgency(row interface{ Scan(...any) error }) (store.Agency, error) {
	var a store.Agency
	var pol string
	var created, updated int64
	err := row.Scan(&a.Seq, &a.InstanceID, &a.AccountID, &a.PermissionSetID, &a.Name, &a.URN, &a.Version, &pol, &a.SessionDuration, &created, &updated)
	if err != nil {
		return a, mapErr(err)
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	a.Policies, err = decodePolicies(pol)
	return a, err
}

func (t agencies) Put(ctx context.Context, a store.Agency) error {
	pol, err := encodePolicies(a.Policies)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO agencies (instance_id, account_id, permission_set_id, name, urn, version, policies, session_duration, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (instance_id, account_id, permission_set_id) DO UPDATE SET name = excluded.name, urn = excluded.urn,
		version = excluded.version, policies = excluded.policies, session_duration = excluded.session_duration, updated_at = excluded.updated_at`,
		a.InstanceID, a.AccountID, a.PermissionSetID, a.Name, a.URN, a.Version, pol, a.SessionDuration, ms(a.CreatedAt), ms(a.UpdatedAt))
	return err
}

func (t agencies) Get(ctx context.Context, instanceID, accountID, permissionSetID string) (store.Agency, error) {
	return scanAgency(t.s.queryRow(ctx, "SELECT "+agencyColumns+" FROM agencies a WHERE a.instance_id = ? AND a.account_id = ? AND a.permission_set_id = ?",
		instanceID, accountID, permissionSetID))
}

func (t agencies) Delete(ctx context.Context, instanceID, accountID, permissionSetID string) error {
	return t.s.execOne(ctx, "DELETE FROM agencies WHERE instance_id = ? AND account_id = ? AND permission_set_id = ?", instanceID, accountID, permissionSetID)
}

// agencyList runs an agency list with where (over alias a) and the
// provisioning-state filter, which compares each agency with its
// permission set's version.
func (t agencies) agencyList(ctx context.Context, where string, args []any, f store.AgencyFilter, after int64, limit int) ([]store.Agency, error) {
	q := "SELECT " + agencyColumns + " FROM agencies a"
	if f.Current != nil {
		q += " JOIN permission_sets p ON p.instance_id = a.instance_id AND p.id = a.permission_set_id"
		if *f.Current {
			where += " AND a.version = p.version"
		} else {
			where += " AND a.version <> p.version"
		}
	}
	rows, err := t.s.query(ctx, q+" WHERE "+where+" AND a.seq > ? ORDER BY a.seq LIMIT ?", append(args, after, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAgency)
}

func (t agencies) ListByPermissionSet(ctx context.Context, instanceID, permissionSetID string, f store.AgencyFilter, after int64, limit int) ([]store.Agency, error) {
	return t.agencyList(ctx, "a.instance_id = ? AND a.permission_set_id = ?", []any{instanceID, permissionSetID}, f, after, limit)
}

func (t agencies) ListByAccount(ctx context.Context, instanceID, accountID string, f store.AgencyFilter, after int64, limit int) ([]store.Agency, error) {
	return t.agencyList(ctx, "a.instance_id = ? AND a.account_id = ?", []any{instanceID, accountID}, f, after, limit)
}

func (t agencies) CountByAccount(ctx context.Context, instanceID, accountID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM agencies WHERE instance_id = ? AND account_id = ?", instanceID, accountID).Scan(&n)
	return n, mapErr(err)
}

type requests struct{ s *sqlStore }

func (s *sqlStore) Requests() store.Requests { return requests{s} }

const requestColumns = "seq, instance_id, id, kind, status, failure_reason, permission_set_id, principal_type, principal_id, target_type, target_id, attempts, created_at, updated_at"

func scanRequest(row interface{ Scan(...any) error }) (store.Request, error) {
	var r store.Request
	var created, updated int64
	err := row.Scan(&r.Seq, &r.InstanceID, &r.ID, &r.Kind, &r.Status, &r.FailureReason, &r.PermissionSetID, &r.PrincipalType, &r.PrincipalID,
		&r.TargetType, &r.TargetID, &r.Attempts, &created, &updated)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, mapErr(err)
}

func (t requests) Create(ctx context.Context, r store.Request) error {
	_, err := t.s.exec(ctx, `INSERT INTO permission_requests (instance_id, id, kind, status, failure_reason, permission_set_id, principal_type, principal_id,
		target_type, target_id, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.InstanceID, r.ID, r.Kind, r.Status, r.FailureReason, r.PermissionSetID, r.PrincipalType, r.PrincipalID, r.TargetType, r.TargetID,
		r.Attempts, ms(r.CreatedAt), ms(r.UpdatedAt))
	return err
}

func (t requests) Get(ctx context.Context, instanceID, kind, id string) (store.Request, error) {
	return scanRequest(t.s.queryRow(ctx, "SELECT "+requestColumns+" FROM permission_requests WHERE instance_id = ? AND kind = ? AND id = ?", instanceID, kind, id))
}

func (t requests) Claim(ctx context.Context, id string) (store.Request, error) {
	return scanRequest(t.s.queryRow(ctx, "SELECT "+requestColumns+" FROM permission_requests WHERE id = ?"+t.s.forUpdate(), id))
}

func (t requests) Finish(ctx context.Context, id, status, reason string, at time.Time) error {
	return t.s.execOne(ctx, "UPDATE permission_requests SET status = ?, failure_reason = ?, updated_at = ?, attempts = attempts + 1 WHERE id = ?",
		status, reason, ms(at), id)
}

func (t requests) List(ctx context.Context, instanceID, kind, status string, after int64, limit int) ([]store.Request, error) {
	q := "SELECT " + requestColumns + " FROM permission_requests WHERE instance_id = ? AND kind = ? AND seq > ?"
	args := []any{instanceID, kind, after}
	if status != "" {
		q += " AND status = ?"
		args = append(args, status)
	}
	rows, err := t.s.query(ctx, q+" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRequest)
}
