package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/iic-project/iic/internal/store"
)

type federation struct{ s *sqlStore }

func (s *sqlStore) Federation() store.Federation { return federation{s} }

const fedIdPColumns = "account_id, id, description, enabled, sso_type, remote_ids, created_at, updated_at"

func scanFedIdP(row interface{ Scan(...any) error }) (store.FederatedIdP, error) {
	var p store.FederatedIdP
	var remote string
	var created, updated int64
	if err := row.Scan(&p.AccountID, &p.ID, &p.Description, &p.Enabled, &p.SSOType, &remote, &created, &updated); err != nil {
		return p, mapErr(err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	p.RemoteIDs = []string{}
	if err := json.Unmarshal([]byte(remote), &p.RemoteIDs); err != nil || p.RemoteIDs == nil {
		p.RemoteIDs = []string{}
	}
	return p, nil
}

func remoteIDsJSON(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (f federation) CreateIdP(ctx context.Context, p store.FederatedIdP) error {
	_, err := f.s.exec(ctx, "INSERT INTO federation_idps ("+fedIdPColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		p.AccountID, p.ID, p.Description, p.Enabled, p.SSOType, remoteIDsJSON(p.RemoteIDs), ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

func (f federation) GetIdP(ctx context.Context, accountID, id string) (store.FederatedIdP, error) {
	return scanFedIdP(f.s.queryRow(ctx, "SELECT "+fedIdPColumns+" FROM federation_idps WHERE account_id = ? AND id = ?", accountID, id))
}

func (f federation) ListIdPs(ctx context.Context, accountID string) ([]store.FederatedIdP, error) {
	rows, err := f.s.query(ctx, "SELECT "+fedIdPColumns+" FROM federation_idps WHERE account_id = ? ORDER BY id", accountID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFedIdP)
}

func (f federation) UpdateIdP(ctx context.Context, accountID, id string, fn func(*store.FederatedIdP) error) error {
	return f.s.update(ctx, func(tx *sqlStore) error {
		p, err := scanFedIdP(tx.queryRow(ctx, "SELECT "+fedIdPColumns+" FROM federation_idps WHERE account_id = ? AND id = ?"+tx.forUpdate(), accountID, id))
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE federation_idps SET description = ?, enabled = ?, sso_type = ?, remote_ids = ?, updated_at = ?
			WHERE account_id = ? AND id = ?`, p.Description, p.Enabled, p.SSOType, remoteIDsJSON(p.RemoteIDs), ms(p.UpdatedAt), accountID, id)
	})
}

// DeleteIdP is one statement: the foreign keys cascade to the protocols,
// their metadata and the OIDC configuration within it.
func (f federation) DeleteIdP(ctx context.Context, accountID, id string) error {
	return f.s.execOne(ctx, "DELETE FROM federation_idps WHERE account_id = ? AND id = ?", accountID, id)
}

const fedMappingColumns = "account_id, id, rules, created_at, updated_at"

func scanFedMapping(row interface{ Scan(...any) error }) (store.FederationMapping, error) {
	var m store.FederationMapping
	var rules string
	var created, updated int64
	err := row.Scan(&m.AccountID, &m.ID, &rules, &created, &updated)
	m.Rules, m.CreatedAt, m.UpdatedAt = []byte(rules), fromMS(created), fromMS(updated)
	return m, mapErr(err)
}

func (f federation) CreateMapping(ctx context.Context, m store.FederationMapping) error {
	_, err := f.s.exec(ctx, "INSERT INTO federation_mappings ("+fedMappingColumns+") VALUES (?, ?, ?, ?, ?)",
		m.AccountID, m.ID, string(m.Rules), ms(m.CreatedAt), ms(m.UpdatedAt))
	return err
}

func (f federation) GetMapping(ctx context.Context, accountID, id string) (store.FederationMapping, error) {
	return scanFedMapping(f.s.queryRow(ctx, "SELECT "+fedMappingColumns+" FROM federation_mappings WHERE account_id = ? AND id = ?", accountID, id))
}

func (f federation) ListMappings(ctx context.Context, accountID string) ([]store.FederationMapping, error) {
	rows, err := f.s.query(ctx, "SELECT "+fedMappingColumns+" FROM federation_mappings WHERE account_id = ? ORDER BY id", accountID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFedMapping)
}

func (f federation) UpdateMapping(ctx context.Context, accountID, id string, rules []byte, at time.Time) error {
	return f.s.execOne(ctx, "UPDATE federation_mappings SET rules = ?, updated_at = ? WHERE account_id = ? AND id = ?", string(rules), ms(at), accountID, id)
}

// DeleteMapping relies on the protocols' foreign key (no cascade) to
// refuse a mapping in use: the violation maps to ErrConflict (reference).
func (f federation) DeleteMapping(ctx context.Context, accountID, id string) error {
	return f.s.execOne(ctx, "DELETE FROM federation_mappings WHERE account_id = ? AND id = ?", accountID, id)
}

const fedProtocolColumns = "account_id, idp_id, id, mapping_id, created_at, updated_at"

func scanFedProtocol(row interface{ Scan(...any) error }) (store.FederationProtocol, error) {
	var p store.FederationProtocol
	var created, updated int64
	err := row.Scan(&p.AccountID, &p.IdPID, &p.ID, &p.MappingID, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, mapErr(err)
}

func (f federation) CreateProtocol(ctx context.Context, p store.FederationProtocol) error {
	_, err := f.s.exec(ctx, "INSERT INTO federation_protocols ("+fedProtocolColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		p.AccountID, p.IdPID, p.ID, p.MappingID, ms(p.CreatedAt), ms(p.UpdatedAt))
	return err
}

func (f federation) GetProtocol(ctx context.Context, accountID, idpID, id string) (store.FederationProtocol, error) {
	return scanFedProtocol(f.s.queryRow(ctx, "SELECT "+fedProtocolColumns+" FROM federation_protocols WHERE account_id = ? AND idp_id = ? AND id = ?", accountID, idpID, id))
}

func (f federation) ListProtocols(ctx context.Context, accountID, idpID string) ([]store.FederationProtocol, error) {
	rows, err := f.s.query(ctx, "SELECT "+fedProtocolColumns+" FROM federation_protocols WHERE account_id = ? AND idp_id = ? ORDER BY id", accountID, idpID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFedProtocol)
}

func (f federation) UpdateProtocol(ctx context.Context, accountID, idpID, id, mappingID string, at time.Time) error {
	return f.s.execOne(ctx, "UPDATE federation_protocols SET mapping_id = ?, updated_at = ? WHERE account_id = ? AND idp_id = ? AND id = ?",
		mappingID, ms(at), accountID, idpID, id)
}

func (f federation) DeleteProtocol(ctx context.Context, accountID, idpID, id string) error {
	return f.s.execOne(ctx, "DELETE FROM federation_protocols WHERE account_id = ? AND idp_id = ? AND id = ?", accountID, idpID, id)
}

const fedMetadataColumns = "account_id, idp_id, protocol_id, document, entity_id, extract, updated_at"

func scanFedMetadata(row interface{ Scan(...any) error }) (store.SAMLMetadata, error) {
	var m store.SAMLMetadata
	var extract string
	var updated int64
	err := row.Scan(&m.AccountID, &m.IdPID, &m.ProtocolID, &m.Document, &m.EntityID, &extract, &updated)
	m.Extract, m.UpdatedAt = []byte(extract), fromMS(updated)
	return m, mapErr(err)
}

// PutSAMLMetadata replaces in one transaction: the delete and the insert
// commit together, and the insert's foreign key refuses a missing protocol.
func (f federation) PutSAMLMetadata(ctx context.Context, m store.SAMLMetadata) error {
	return f.s.update(ctx, func(tx *sqlStore) error {
		if _, err := tx.exec(ctx, "DELETE FROM federation_saml_metadata WHERE account_id = ? AND idp_id = ? AND protocol_id = ?", m.AccountID, m.IdPID, m.ProtocolID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, "INSERT INTO federation_saml_metadata ("+fedMetadataColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			m.AccountID, m.IdPID, m.ProtocolID, m.Document, m.EntityID, string(m.Extract), ms(m.UpdatedAt))
		return err
	})
}

func (f federation) GetSAMLMetadata(ctx context.Context, accountID, idpID, protocolID string) (store.SAMLMetadata, error) {
	return scanFedMetadata(f.s.queryRow(ctx, "SELECT "+fedMetadataColumns+" FROM federation_saml_metadata WHERE account_id = ? AND idp_id = ? AND protocol_id = ?",
		accountID, idpID, protocolID))
}

const fedOIDCColumns = "account_id, idp_id, access_mode, idp_url, client_id, authorization_endpoint, scope, response_type, response_mode, signing_key, created_at, updated_at"

func scanFedOIDC(row interface{ Scan(...any) error }) (store.FederationOIDCConfig, error) {
	var c store.FederationOIDCConfig
	var created, updated int64
	err := row.Scan(&c.AccountID, &c.IdPID, &c.AccessMode, &c.IdPURL, &c.ClientID, &c.AuthorizationEndpoint, &c.Scope,
		&c.ResponseType, &c.ResponseMode, &c.SigningKey, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return c, mapErr(err)
}

func (f federation) CreateOIDCConfig(ctx context.Context, c store.FederationOIDCConfig) error {
	_, err := f.s.exec(ctx, "INSERT INTO federation_oidc_configs ("+fedOIDCColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		c.AccountID, c.IdPID, c.AccessMode, c.IdPURL, c.ClientID, c.AuthorizationEndpoint, c.Scope, c.ResponseType, c.ResponseMode,
		c.SigningKey, ms(c.CreatedAt), ms(c.UpdatedAt))
	if store.ConflictKey(err) == "idp_id" { // the key is (account_id, idp_id): the IdP has one
		return &store.ConflictError{Key: store.KeyID}
	}
	return err
}

func (f federation) GetOIDCConfig(ctx context.Context, accountID, idpID string) (store.FederationOIDCConfig, error) {
	return scanFedOIDC(f.s.queryRow(ctx, "SELECT "+fedOIDCColumns+" FROM federation_oidc_configs WHERE account_id = ? AND idp_id = ?", accountID, idpID))
}

func (f federation) UpdateOIDCConfig(ctx context.Context, accountID, idpID string, fn func(*store.FederationOIDCConfig) error) error {
	return f.s.update(ctx, func(tx *sqlStore) error {
		c, err := scanFedOIDC(tx.queryRow(ctx, "SELECT "+fedOIDCColumns+" FROM federation_oidc_configs WHERE account_id = ? AND idp_id = ?"+tx.forUpdate(), accountID, idpID))
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE federation_oidc_configs SET access_mode = ?, idp_url = ?, client_id = ?, authorization_endpoint = ?,
			scope = ?, response_type = ?, response_mode = ?, signing_key = ?, updated_at = ? WHERE account_id = ? AND idp_id = ?`,
			c.AccessMode, c.IdPURL, c.ClientID, c.AuthorizationEndpoint, c.Scope, c.ResponseType, c.ResponseMode, c.SigningKey,
			ms(c.UpdatedAt), accountID, idpID)
	})
}
