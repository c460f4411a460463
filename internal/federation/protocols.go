package federation

import (
	"context"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

func checkProtocolID(id string) error {
	if id != ProtocolSAML && id != ProtocolOIDC {
		return invalid("the protocol id must be %s or %s", ProtocolSAML, ProtocolOIDC)
	}
	return nil
}

// CreateProtocol binds protocol id (saml, oidc) of an identity provider to
// a mapping; both must exist in the account.
func (s *Service) CreateProtocol(ctx context.Context, accountID, idpID, id, mappingID string) (store.FederationProtocol, error) {
	if err := checkProtocolID(id); err != nil {
		return store.FederationProtocol{}, err
	}
	if mappingID == "" {
		return store.FederationProtocol{}, invalid("mapping_id is required")
	}
	now := s.now()
	p := store.FederationProtocol{AccountID: accountID, IdPID: idpID, ID: id, MappingID: mappingID, CreatedAt: now, UpdatedAt: now}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.Federation().GetIdP(ctx, accountID, idpID); errors.Is(err, store.ErrNotFound) {
			return notFound("identity provider", idpID)
		} else if err != nil {
			return err
		}
		if err := s.mappingExists(ctx, tx, accountID, mappingID); err != nil {
			return err
		}
		return tx.Federation().CreateProtocol(ctx, p)
	})
	switch {
	case store.ConflictKey(err) == store.KeyReference: // a concurrent delete
		return p, notFound("mapping", mappingID)
	case errors.Is(err, store.ErrConflict):
		return p, apierr.IIC1257.New().WithKey(store.KeyID).About("protocol", id)
	}
	return p, err
}

func (s *Service) mappingExists(ctx context.Context, tx store.Store, accountID, mappingID string) error {
	if _, err := tx.Federation().GetMapping(ctx, accountID, mappingID); errors.Is(err, store.ErrNotFound) {
		return notFound("mapping", mappingID)
	} else if err != nil {
		return err
	}
	return nil
}

// GetProtocol returns a protocol of an identity provider.
func (s *Service) GetProtocol(ctx context.Context, accountID, idpID, id string) (store.FederationProtocol, error) {
	p, err := s.Store.Federation().GetProtocol(ctx, accountID, idpID, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, s.protocolNotFound(ctx, accountID, idpID, id)
	}
	return p, err
}

// protocolNotFound names what is missing: the identity provider, or its
// protocol.
func (s *Service) protocolNotFound(ctx context.Context, accountID, idpID, id string) error {
	if _, err := s.GetIdP(ctx, accountID, idpID); err != nil {
		return err
	}
	return notFound("protocol", id)
}

// ListProtocols returns the protocols of an identity provider (404 for an
// unknown one).
func (s *Service) ListProtocols(ctx context.Context, accountID, idpID string) ([]store.FederationProtocol, error) {
	if _, err := s.GetIdP(ctx, accountID, idpID); err != nil {
		return nil, err
	}
	return s.Store.Federation().ListProtocols(ctx, accountID, idpID)
}

// UpdateProtocol binds a protocol to another mapping, which must exist.
func (s *Service) UpdateProtocol(ctx context.Context, accountID, idpID, id, mappingID string) (store.FederationProtocol, error) {
	if mappingID == "" {
		return store.FederationProtocol{}, invalid("mapping_id is required")
	}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := s.mappingExists(ctx, tx, accountID, mappingID); err != nil {
			return err
		}
		return tx.Federation().UpdateProtocol(ctx, accountID, idpID, id, mappingID, s.now())
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, ok := apierr.From(err); ok {
			return store.FederationProtocol{}, err
		}
		return store.FederationProtocol{}, s.protocolNotFound(ctx, accountID, idpID, id)
	case store.ConflictKey(err) == store.KeyReference:
		return store.FederationProtocol{}, notFound("mapping", mappingID)
	case err != nil:
		return store.FederationProtocol{}, err
	}
	return s.GetProtocol(ctx, accountID, idpID, id)
}

// DeleteProtocol deletes a protocol and its metadata.
func (s *Service) DeleteProtocol(ctx context.Context, accountID, idpID, id string) error {
	err := s.Store.Federation().DeleteProtocol(ctx, accountID, idpID, id)
	if errors.Is(err, store.ErrNotFound) {
		return s.protocolNotFound(ctx, accountID, idpID, id)
	}
	return err
}
