package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/store"
)

func (s *sqlStore) Organizations() store.Organizations { return organizations{s} }

type organizations struct{ s *sqlStore }

type scanner interface{ Scan(...any) error }

const orgColumns = "id, management_account_id, root_id, created_at"

func scanOrg(row scanner) (store.Organization, error) {
	var o store.Organization
	var created int64
	err := row.Scan(&o.ID, &o.ManagementAccountID, &o.RootID, &created)
	o.CreatedAt = fromMS(created)
	return o, mapErr(err)
}

func (t organizations) Create(ctx context.Context, o store.Organization) error {
	_, err := t.s.exec(ctx, "INSERT INTO organizations ("+orgColumns+") VALUES (?, ?, ?, ?)",
		o.ID, o.ManagementAccountID, o.RootID, ms(o.CreatedAt))
	return err
}

func (t organizations) Get(ctx context.Context, id string) (store.Organization, error) {
	return scanOrg(t.s.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", id))
}

func (t organizations) GetByManagement(ctx context.Context, accountID string) (store.Organization, error) {
	return scanOrg(t.s.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE management_account_id = ?", accountID))
}

// Delete removes the organization; its rows go by ON DELETE CASCADE.
func (t organizations) Delete(ctx context.Context, id string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "DELETE FROM org_tags WHERE organization_id = ?", id); err != nil {
			return err
		}
		return tx.execOne(ctx, "DELETE FROM organizations WHERE id = ?", id)
	})
}

func (t organizations) AdminView(ctx context.Context, accountID, service string) (store.AdminView, error) {
	var v store.AdminView
	err := t.s.queryRow(ctx, `SELECT o.id, o.management_account_id,
		EXISTS (SELECT 1 FROM org_trusted_services ts WHERE ts.organization_id = o.id AND ts.service_principal = ?),
		EXISTS (SELECT 1 FROM org_delegated_admins da WHERE da.account_id = m.account_id AND da.service_principal = ?)
		FROM org_members m JOIN organizations o ON o.id = m.organization_id WHERE m.account_id = ?`,
		service, service, accountID).Scan(&v.OrganizationID, &v.ManagementAccountID, &v.Trusted, &v.Delegated)
	if err = mapErr(err); err == store.ErrNotFound {
		return store.AdminView{}, nil
	}
	return v, err
}

const unitColumns = "seq, organization_id, id, parent_id, name, depth, created_at"

func scanUnit(row scanner) (store.OrgUnit, error) {
	var u store.OrgUnit
	var created int64
	err := row.Scan(&u.Seq, &u.OrganizationID, &u.ID, &u.ParentID, &u.Name, &u.Depth, &created)
	u.CreatedAt = fromMS(created)
	return u, mapErr(err)
}

func (t organizations) CreateUnit(ctx context.Context, u store.OrgUnit) error {
	_, err := t.s.exec(ctx, "INSERT INTO org_units (organization_id, id, parent_id, name, depth, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		u.OrganizationID, u.ID, u.ParentID, u.Name, u.Depth, ms(u.CreatedAt))
	return err
}

func (t organizations) GetUnit(ctx context.Context, orgID, id string) (store.OrgUnit, error) {
	return scanUnit(t.s.queryRow(ctx, "SELECT "+unitColumns+" FROM org_units WHERE organization_id = ? AND id = ?", orgID, id))
}

func (t organizations) ListUnits(ctx context.Context, orgID, parentID string, after int64, limit int) ([]store.OrgUnit, error) {
	q, args := "SELECT "+unitColumns+" FROM org_units WHERE organization_id = ? AND seq > ?", []any{orgID, after}
	if parentID != "" {
		q, args = q+" AND parent_id = ?", append(args, parentID)
	}
	return queryAll(t.s, ctx, q+" ORDER BY seq LIMIT ?", append(args, limit), scanUnit)
}

func (t organizations) RenameUnit(ctx context.Context, orgID, id, name string) error {
	return t.s.execOne(ctx, "UPDATE org_units SET name = ? WHERE organization_id = ? AND id = ?", name, orgID, id)
}

func (t organizations) DeleteUnit(ctx context.Context, orgID, id string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "DELETE FROM org_tags WHERE organization_id = ? AND resource_id = ?", orgID, id); err != nil {
			return err
		}
		return tx.execOne(ctx, "DELETE FROM org_units WHERE organization_id = ? AND id = ?", orgID, id)
	})
}

func (t organizations) CountChildren(ctx context.Context, orgID, parentID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM org_units WHERE organization_id = ? AND parent_id = ?)
		+ (SELECT COUNT(*) FROM org_members WHERE organization_id = ? AND parent_id = ?)`, orgID, parentID, orgID, parentID).Scan(&n)
	return n, mapErr(err)
}

const memberColumns = "seq, account_id, organization_id, parent_id, join_method, status, description, joined_at"

func scanMember(row scanner) (store.Member, error) {
	var m store.Member
	var joined int64
	err := row.Scan(&m.Seq, &m.AccountID, &m.OrganizationID, &m.ParentID, &m.JoinMethod, &m.Status, &m.Description, &joined)
	m.JoinedAt = fromMS(joined)
	return m, mapErr(err)
}

func (t organizations) AddMember(ctx context.Context, m store.Member) error {
	_, err := t.s.exec(ctx, "INSERT INTO org_members (account_id, organization_id, parent_id, join_method, status, description, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		m.AccountID, m.OrganizationID, m.ParentID, m.JoinMethod, m.Status, m.Description, ms(m.JoinedAt))
	return err
}

func (t organizations) GetMember(ctx context.Context, accountID string) (store.Member, error) {
	return scanMember(t.s.queryRow(ctx, "SELECT "+memberColumns+" FROM org_members WHERE account_id = ?", accountID))
}

func (t organizations) ListMembers(ctx context.Context, orgID, parentID string, after int64, limit int) ([]store.Member, error) {
	q, args := "SELECT "+memberColumns+" FROM org_members WHERE organization_id = ? AND seq > ?", []any{orgID, after}
	if parentID != "" {
		q, args = q+" AND parent_id = ?", append(args, parentID)
	}
	return queryAll(t.s, ctx, q+" ORDER BY seq LIMIT ?", append(args, limit), scanMember)
}

func (t organizations) UpdateMember(ctx context.Context, accountID string, fn func(*store.Member) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		m, err := scanMember(tx.queryRow(ctx, "SELECT "+memberColumns+" FROM org_members WHERE account_id = ?"+tx.forUpdate(), accountID))
		if err != nil {
			return err
		}
		if err := fn(&m); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE org_members SET parent_id = ?, status = ?, description = ? WHERE account_id = ?",
			m.ParentID, m.Status, m.Description, accountID)
		return err
	})
}

func (t organizations) RemoveMember(ctx context.Context, accountID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		for _, q := range []string{
			"DELETE FROM org_tags WHERE resource_id = ?",
			"DELETE FROM org_delegated_admins WHERE account_id = ?",
			"DELETE FROM org_close_account_requests WHERE account_id = ?",
		} {
			if _, err := tx.exec(ctx, q, accountID); err != nil {
				return err
			}
		}
		return tx.execOne(ctx, "DELETE FROM org_members WHERE account_id = ?", accountID)
	})
}

func (t organizations) CountMembers(ctx context.Context, orgID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM org_members WHERE organization_id = ?", orgID).Scan(&n)
	return n, mapErr(err)
}

const createAccountColumns = "seq, id, organization_id, account_name, email, description, tags, state, account_id, failure_reason, created_at, completed_at"

func scanCreateAccount(row scanner) (store.CreateAccountRequest, error) {
	var r store.CreateAccountRequest
	var tags string
	var created, completed int64
	err := row.Scan(&r.Seq, &r.ID, &r.OrganizationID, &r.AccountName, &r.Email, &r.Description, &tags, &r.State, &r.AccountID,
		&r.FailureReason, &created, &completed)
	if err != nil {
		return r, mapErr(err)
	}
	r.CreatedAt, r.CompletedAt = fromMS(created), fromMS(completed)
	var stored []struct{ K, V string }
	if err := json.Unmarshal([]byte(tags), &stored); err != nil {
		return r, err
	}
	for _, tg := range stored {
		r.Tags = append(r.Tags, store.Tag{Key: tg.K, Value: tg.V})
	}
	return r, nil
}

func (t organizations) CreateRequest(ctx context.Context, r store.CreateAccountRequest) error {
	stored := make([]struct{ K, V string }, 0, len(r.Tags))
	for _, tg := range r.Tags {
		stored = append(stored, struct{ K, V string }{tg.Key, tg.Value})
	}
	tags, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO org_create_account_requests (id, organization_id, account_name, email, description, tags, state,
		account_id, failure_reason, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.OrganizationID, r.AccountName, r.Email, r.Description, string(tags), r.State, r.AccountID, r.FailureReason,
		ms(r.CreatedAt), ms(r.CompletedAt))
	return err
}

func (t organizations) GetRequest(ctx context.Context, orgID, id string) (store.CreateAccountRequest, error) {
	return scanCreateAccount(t.s.queryRow(ctx, "SELECT "+createAccountColumns+" FROM org_create_account_requests WHERE organization_id = ? AND id = ?", orgID, id))
}

func (t organizations) GetRequestByID(ctx context.Context, id string) (store.CreateAccountRequest, error) {
	return scanCreateAccount(t.s.queryRow(ctx, "SELECT "+createAccountColumns+" FROM org_create_account_requests WHERE id = ?", id))
}

func (t organizations) ListRequests(ctx context.Context, orgID string, states []string, after int64, limit int) ([]store.CreateAccountRequest, error) {
	q, args := "SELECT "+createAccountColumns+" FROM org_create_account_requests WHERE organization_id = ? AND seq > ?", []any{orgID, after}
	q, args = inStates(q, args, states)
	return queryAll(t.s, ctx, q+" ORDER BY seq LIMIT ?", append(args, limit), scanCreateAccount)
}

func (t organizations) PendingRequests(ctx context.Context, limit int) ([]string, error) {
	return queryAll(t.s, ctx, "SELECT id FROM org_create_account_requests WHERE state = 'in_progress' ORDER BY seq LIMIT ?", []any{limit},
		func(row scanner) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
}

func (t organizations) FinishRequest(ctx context.Context, id, state, accountID, reason string, at time.Time) error {
	return t.s.execOne(ctx, "UPDATE org_create_account_requests SET state = ?, account_id = ?, failure_reason = ?, completed_at = ? WHERE id = ? AND state = 'in_progress'",
		state, accountID, reason, ms(at), id)
}

func (t organizations) PutCloseRequest(ctx context.Context, r store.CloseAccountRequest) error {
	_, err := t.s.exec(ctx, `INSERT INTO org_close_account_requests (account_id, organization_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		r.AccountID, r.OrganizationID, r.State, ms(r.CreatedAt), ms(r.UpdatedAt))
	return err
}

func (t organizations) ListCloseRequests(ctx context.Context, orgID string, states []string) ([]store.CloseAccountRequest, error) {
	q, args := "SELECT account_id, organization_id, state, created_at, updated_at FROM org_close_account_requests WHERE organization_id = ?", []any{orgID}
	q, args = inStates(q, args, states)
	return queryAll(t.s, ctx, q+" ORDER BY account_id", args, func(row scanner) (store.CloseAccountRequest, error) {
		var r store.CloseAccountRequest
		var created, updated int64
		err := row.Scan(&r.AccountID, &r.OrganizationID, &r.State, &created, &updated)
		r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
		return r, err
	})
}

func (t organizations) EnableService(ctx context.Context, ts store.TrustedService) error {
	_, err := t.s.exec(ctx, "INSERT INTO org_trusted_services (organization_id, service_principal, enabled_at) VALUES (?, ?, ?)",
		ts.OrganizationID, ts.ServicePrincipal, ms(ts.EnabledAt))
	return err
}

func (t organizations) DisableService(ctx context.Context, orgID, service string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "DELETE FROM org_delegated_admins WHERE organization_id = ? AND service_principal = ?", orgID, service); err != nil {
			return err
		}
		return tx.execOne(ctx, "DELETE FROM org_trusted_services WHERE organization_id = ? AND service_principal = ?", orgID, service)
	})
}

func (t organizations) ListServices(ctx context.Context, orgID string, after int64, limit int) ([]store.TrustedService, error) {
	return queryAll(t.s, ctx, "SELECT seq, organization_id, service_principal, enabled_at FROM org_trusted_services WHERE organization_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		[]any{orgID, after, limit}, func(row scanner) (store.TrustedService, error) {
			var ts store.TrustedService
			var at int64
			err := row.Scan(&ts.Seq, &ts.OrganizationID, &ts.ServicePrincipal, &at)
			ts.EnabledAt = fromMS(at)
			return ts, err
		})
}

func (t organizations) AddDelegate(ctx context.Context, d store.DelegatedAdmin) error {
	_, err := t.s.exec(ctx, "INSERT INTO org_delegated_admins (organization_id, account_id, service_principal, enabled_at) VALUES (?, ?, ?, ?)",
		d.OrganizationID, d.AccountID, d.ServicePrincipal, ms(d.EnabledAt))
	return err
}

func (t organizations) RemoveDelegate(ctx context.Context, orgID, accountID, service string) error {
	return t.s.execOne(ctx, "DELETE FROM org_delegated_admins WHERE organization_id = ? AND account_id = ? AND service_principal = ?",
		orgID, accountID, service)
}

func (t organizations) ListDelegates(ctx context.Context, orgID, accountID, service string, after int64, limit int) ([]store.DelegatedAdmin, error) {
	q, args := "SELECT seq, organization_id, account_id, service_principal, enabled_at FROM org_delegated_admins WHERE organization_id = ? AND seq > ?", []any{orgID, after}
	if accountID != "" {
		q, args = q+" AND account_id = ?", append(args, accountID)
	}
	if service != "" {
		q, args = q+" AND service_principal = ?", append(args, service)
	}
	return queryAll(t.s, ctx, q+" ORDER BY seq LIMIT ?", append(args, limit), func(row scanner) (store.DelegatedAdmin, error) {
		var d store.DelegatedAdmin
		var at int64
		err := row.Scan(&d.Seq, &d.OrganizationID, &d.AccountID, &d.ServicePrincipal, &at)
		d.EnabledAt = fromMS(at)
		return d, err
	})
}

func (t organizations) SetTags(ctx context.Context, orgID, resourceID string, tags []store.Tag) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		for _, tg := range tags {
			if _, err := tx.exec(ctx, `INSERT INTO org_tags (organization_id, resource_id, key, value) VALUES (?, ?, ?, ?)
				ON CONFLICT (resource_id, key) DO UPDATE SET value = excluded.value`, orgID, resourceID, tg.Key, tg.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t organizations) RemoveTags(ctx context.Context, orgID, resourceID string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	args := []any{orgID, resourceID}
	for _, k := range keys {
		args = append(args, k)
	}
	_, err := t.s.exec(ctx, "DELETE FROM org_tags WHERE organization_id = ? AND resource_id = ? AND key IN ("+placeholders(len(keys))+")", args...)
	return err
}

func (t organizations) Tags(ctx context.Context, orgID, resourceID string) ([]store.Tag, error) {
	return queryAll(t.s, ctx, "SELECT key, value FROM org_tags WHERE organization_id = ? AND resource_id = ? ORDER BY key",
		[]any{orgID, resourceID}, func(row scanner) (store.Tag, error) {
			var tg store.Tag
			return tg, row.Scan(&tg.Key, &tg.Value)
		})
}

// inStates adds "AND state IN (...)" for a non-empty states.
func inStates(q string, args []any, states []string) (string, []any) {
	if len(states) == 0 {
		return q, args
	}
	for _, st := range states {
		args = append(args, st)
	}
	return q + " AND state IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ") + ")", args
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](s *sqlStore, ctx context.Context, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (T, error) {
		v, err := scan(row)
		return v, mapErr(err)
	})
}
