package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type credentials struct{ s *sqlStore }

const credentialColumns = "seq, access_key, account_id, kind, secret_sealed, token_hash, expires_at, description, user_id, user_name, session_name, agency_urn, principal_tags, policy_ids, agency_instance_id, agency_permission_set_id, portal_session, disabled, created_at"

func credentialArgs(c store.Credential) ([]any, error) {
	tj, pj := "{}", "[]" // none (every root key, most temporary ones)
	if len(c.PrincipalTags) > 0 {
		b, err := json.Marshal(c.PrincipalTags)
		if err != nil {
			return nil, err
		}
		tj = string(b)
	}
	if len(c.PolicyIDs) > 0 {
		b, err := json.Marshal(c.PolicyIDs)
		if err != nil {
			return nil, err
		}
		pj = string(b)
	}
	var token any
	if c.TokenHash != nil {
		token = c.TokenHash
	}
	return []any{c.AccessKey, c.AccountID, string(c.Kind), c.SecretSealed, token, ms(c.ExpiresAt), c.Description,
		c.UserID, c.UserName, c.SessionName, c.AgencyURN, tj, pj, c.Agency.InstanceID, c.Agency.PermissionSetID, c.Session,
		c.Disabled, ms(c.CreatedAt)}, nil
}

func scanCredential(row interface{ Scan(...any) error }) (store.Credential, error) {
	var c store.Credential
	var kind, tags, pids string
	var expires, created int64
	var token []byte
	err := row.Scan(&c.Seq, &c.AccessKey, &c.AccountID, &kind, &c.SecretSealed, &token, &expires, &c.Description,
		&c.UserID, &c.UserName, &c.SessionName, &c.AgencyURN, &tags, &pids, &c.Agency.InstanceID, &c.Agency.PermissionSetID, &c.Session,
		&c.Disabled, &created)
	if err != nil {
		return c, mapErr(err)
	}
	c.Kind = store.CredentialKind(kind)
	if len(token) > 0 {
		c.TokenHash = token
	}
	c.ExpiresAt, c.CreatedAt = fromMS(expires), fromMS(created)
	if err := json.Unmarshal([]byte(tags), &c.PrincipalTags); err != nil {
		return c, fmt.Errorf("credential %s: principal_tags: %w", c.AccessKey, err)
	}
	if err := json.Unmarshal([]byte(pids), &c.PolicyIDs); err != nil {
		return c, fmt.Errorf("credential %s: policy_ids: %w", c.AccessKey, err)
	}
	return c, nil
}

const insertCredential = `INSERT INTO credentials (access_key, account_id, kind, secret_sealed, token_hash, expires_at, description,
		user_id, user_name, session_name, agency_urn, principal_tags, policy_ids, agency_instance_id, agency_permission_set_id,
		portal_session, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (t credentials) Create(ctx context.Context, c store.Credential) error {
	args, err := credentialArgs(c)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, insertCredential, args...)
	return err
}

// CreateEphemeral implements store.Credentials: the insert is execLossy's.
func (t credentials) CreateEphemeral(ctx context.Context, c store.Credential) error {
	args, err := credentialArgs(c)
	if err != nil {
		return err
	}
	_, err = t.s.execLossy(ctx, insertCredential, args...)
	return err
}

func (t credentials) Get(ctx context.Context, ak string) (store.Credential, error) {
	return scanCredential(t.s.queryRow(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE access_key = ?", ak))
}

func (t credentials) Update(ctx context.Context, ak string, fn func(*store.Credential) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		c, err := scanCredential(tx.queryRow(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE access_key = ?"+tx.forUpdate(), ak))
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.AccessKey = ak
		args, err := credentialArgs(c)
		if err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE credentials SET account_id = ?, kind = ?, secret_sealed = ?, token_hash = ?, expires_at = ?,
			description = ?, user_id = ?, user_name = ?, session_name = ?, agency_urn = ?, principal_tags = ?, policy_ids = ?,
			agency_instance_id = ?, agency_permission_set_id = ?, portal_session = ?, disabled = ?, created_at = ? WHERE access_key = ?`, append(args[1:], ak)...)
	})
}

func (t credentials) Delete(ctx context.Context, ak string) error {
	return t.s.execOne(ctx, "DELETE FROM credentials WHERE access_key = ?", ak)
}

func (t credentials) ListByAccount(ctx context.Context, accountID string, after int64, limit int) ([]store.Credential, error) {
	rows, err := t.s.query(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		accountID, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCredential)
}

func (t credentials) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	// expires_at > 0 matches the partial index credentials_expiry.
	res, err := t.s.exec(ctx, `DELETE FROM credentials WHERE access_key IN (SELECT access_key FROM credentials
		WHERE expires_at > 0 AND expires_at < ? AND kind = ? ORDER BY expires_at LIMIT ?)`,
		ms(now), string(store.KindTemporary), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t credentials) DeleteBySession(ctx context.Context, session string, limit int) ([]string, error) {
	if session == "" {
		return nil, nil
	}
	var out []string
	err := t.s.update(ctx, func(tx *sqlStore) error {
		out = nil
		rows, err := tx.query(ctx, "SELECT access_key FROM credentials WHERE portal_session = ? ORDER BY seq LIMIT ?", session, limit)
		if err != nil {
			return err
		}
		aks, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var ak string
			return ak, r.Scan(&ak)
		})
		if err != nil {
			return err
		}
		for _, ak := range aks {
			if _, err := tx.exec(ctx, "DELETE FROM credentials WHERE access_key = ?", ak); err != nil {
				return err
			}
		}
		out = aks
		return nil
	})
	return out, err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}
