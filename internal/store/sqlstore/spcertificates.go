package sqlstore

import (
	"context"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

type spCertificates struct{ s *sqlStore }

func (s *sqlStore) SPCertificates() store.SPCertificates { return spCertificates{s} }

const spCertColumns = "identity_store_id, id, certificate_pem, key_sealed, algorithm, not_after, active, created_at"

func scanSPCert(row interface{ Scan(...any) error }) (store.SPCertificate, error) {
	var c store.SPCertificate
	var notAfter, created int64
	err := row.Scan(&c.IdentityStoreID, &c.ID, &c.CertificatePEM, &c.KeySealed, &c.Algorithm, &notAfter, &c.Active, &created)
	c.NotAfter, c.CreatedAt = fromMS(notAfter), fromMS(created)
	return c, mapErr(err)
}

// Create locks the store's existing certificate rows before counting, so
// concurrent creates are serialized once a store has a certificate; the
// first certificate is guarded by the one-active unique index instead.
func (t spCertificates) Create(ctx context.Context, c store.SPCertificate, max int) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		rows, err := tx.query(ctx, "SELECT id FROM sp_certificates WHERE identity_store_id = ?"+tx.forUpdate(), c.IdentityStoreID)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		if n >= max {
			return fmt.Errorf("%w: the store already holds %d SP certificates", store.ErrConflict, n)
		}
		_, err = tx.exec(ctx, "INSERT INTO sp_certificates ("+spCertColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			c.IdentityStoreID, c.ID, c.CertificatePEM, c.KeySealed, c.Algorithm, ms(c.NotAfter), c.Active, ms(c.CreatedAt))
		return err
	})
}

func (t spCertificates) Get(ctx context.Context, storeID, certID string) (store.SPCertificate, error) {
	return scanSPCert(t.s.queryRow(ctx, "SELECT "+spCertColumns+" FROM sp_certificates WHERE identity_store_id = ? AND id = ?", storeID, certID))
}

func (t spCertificates) List(ctx context.Context, storeID string) ([]store.SPCertificate, error) {
	rows, err := t.s.query(ctx, "SELECT "+spCertColumns+" FROM sp_certificates WHERE identity_store_id = ? ORDER BY seq", storeID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSPCert)
}

func (t spCertificates) Activate(ctx context.Context, storeID, certID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM sp_certificates WHERE identity_store_id = ? AND id = ?"+tx.forUpdate(), storeID, certID).Scan(&one); err != nil {
			return mapErr(err)
		}
		if _, err := tx.exec(ctx, "UPDATE sp_certificates SET active = ? WHERE identity_store_id = ? AND active = ? AND id <> ?", false, storeID, true, certID); err != nil {
			return err
		}
		return tx.execOne(ctx, "UPDATE sp_certificates SET active = ? WHERE identity_store_id = ? AND id = ?", true, storeID, certID)
	})
}

func (t spCertificates) Delete(ctx context.Context, storeID, certID string) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		return tx.execOne(ctx, "DELETE FROM sp_certificates WHERE identity_store_id = ? AND id = ?", storeID, certID)
	})
}
