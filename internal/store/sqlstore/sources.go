package sqlstore

import (
	"context"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

type sources struct{ s *sqlStore }

func (s *sqlStore) Sources() store.Sources { return sources{s} }

const idpColumns = "identity_store_id, id, entity_id, login_url, want_request_signed, enabled, created_at, updated_at"

func scanIdP(row interface{ Scan(...any) error }) (store.ExternalIdP, error) {
	var p store.ExternalIdP
	var created, updated int64
	err := row.Scan(&p.IdentityStoreID, &p.ID, &p.EntityID, &p.LoginURL, &p.WantRequestSigned, &p.Enabled, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, mapErr(err)
}

func (t sources) CreateIdP(ctx context.Context, p store.ExternalIdP) error {
	_, err := t.s.exec(ctx, "INSERT INTO external_idps ("+idpColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		p.IdentityStoreID, p.ID, p.EntityID, p.LoginURL, p.WantRequestSigned, p.Enabled, ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

func (t sources) GetIdP(ctx context.Context, storeID, idpID string) (store.ExternalIdP, error) {
	return scanIdP(t.s.queryRow(ctx, "SELECT "+idpColumns+" FROM external_idps WHERE identity_store_id = ? AND id = ?", storeID, idpID))
}

func (t sources) ListIdPs(ctx context.Context, storeID string) ([]store.ExternalIdP, error) {
	rows, err := t.s.query(ctx, "SELECT "+idpColumns+" FROM external_idps WHERE identity_store_id = ? ORDER BY seq", storeID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanIdP)
}

func (t sources) UpdateIdP(ctx context.Context, storeID, idpID string, fn func(*store.ExternalIdP) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		p, err := scanIdP(tx.queryRow(ctx, "SELECT "+idpColumns+" FROM external_idps WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), storeID, idpID))
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE external_idps SET entity_id = ?, login_url = ?, want_request_signed = ?, enabled = ?, updated_at = ?
			WHERE identity_store_id = ? AND id = ?`, p.EntityID, p.LoginURL, p.WantRequestSigned, p.Enabled, ms(p.UpdatedAt), storeID, idpID)
	})
}

func (t sources) DeleteIdP(ctx context.Context, storeID, idpID string) error {
	return t.s.execOne(ctx, "DELETE FROM external_idps WHERE identity_store_id = ? AND id = ?", storeID, idpID)
}

const idpCertColumns = "identity_store_id, idp_id, id, pem, not_after, created_at"

func scanIdPCert(row interface{ Scan(...any) error }) (store.IdPCertificate, error) {
	var c store.IdPCertificate
	var notAfter, created int64
	err := row.Scan(&c.IdentityStoreID, &c.IdPID, &c.ID, &c.PEM, &notAfter, &created)
	c.NotAfter, c.CreatedAt = fromMS(notAfter), fromMS(created)
	return c, mapErr(err)
}

// AddIdPCertificate locks the IdP row, so concurrent imports for one IdP
// are serialized and the count stays within max.
func (t sources) AddIdPCertificate(ctx context.Context, c store.IdPCertificate, max int) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM external_idps WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), c.IdentityStoreID, c.IdPID).Scan(&one); err != nil {
			return mapErr(err)
		}
		var n int
		if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM idp_certificates WHERE identity_store_id = ? AND idp_id = ?", c.IdentityStoreID, c.IdPID).Scan(&n); err != nil {
			return mapErr(err)
		}
		if n >= max {
			return fmt.Errorf("%w: the IdP already holds %d certificates", store.ErrConflict, n)
		}
		_, err := tx.exec(ctx, "INSERT INTO idp_certificates ("+idpCertColumns+") VALUES (?, ?, ?, ?, ?, ?)",
			c.IdentityStoreID, c.IdPID, c.ID, c.PEM, ms(c.NotAfter), ms(c.CreatedAt))
		return err
	})
}

func (t sources) ListIdPCertificates(ctx context.Context, storeID, idpID string) ([]store.IdPCertificate, error) {
	rows, err := t.s.query(ctx, "SELECT "+idpCertColumns+" FROM idp_certificates WHERE identity_store_id = ? AND idp_id = ? ORDER BY seq", storeID, idpID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanIdPCert)
}

func (t sources) DeleteIdPCertificate(ctx context.Context, storeID, idpID, certID string) error {
	return t.s.execOne(ctx, "DELETE FROM idp_certificates WHERE identity_store_id = ? AND idp_id = ? AND id = ?", storeID, idpID, certID)
}
