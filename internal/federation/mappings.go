package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/federation/mapping"
	"github.com/iic-project/iic/internal/store"
)

// checkRules validates a rules array with the mapping language's parser;
// its error names the path of the offending element.
func checkRules(rules json.RawMessage) error {
	if len(rules) == 0 {
		return invalid("rules is required")
	}
	if _, err := mapping.ParseRules(rules); err != nil {
		var me *mapping.Error
		if errors.As(err, &me) {
			return invalid("%s", me.Error())
		}
		return invalid("rules: %s", err.Error())
	}
	return nil
}

// CreateMapping creates the mapping id with rules (a JSON array in the
// Keystone mapping language).
func (s *Service) CreateMapping(ctx context.Context, accountID, id string, rules json.RawMessage) (store.FederationMapping, error) {
	if err := checkID("mapping", id); err != nil {
		return store.FederationMapping{}, err
	}
	if err := checkRules(rules); err != nil {
		return store.FederationMapping{}, err
	}
	now := s.now()
	m := store.FederationMapping{AccountID: accountID, ID: id, Rules: compact(rules), CreatedAt: now, UpdatedAt: now}
	if err := s.Store.Federation().CreateMapping(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return m, apierr.IIC1257.New().WithKey(store.KeyID).About("mapping", id)
		}
		return m, err
	}
	return m, nil
}

// compact stores rules without insignificant white space (checkRules has
// validated them, so Compact cannot fail).
func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return append([]byte{}, raw...)
	}
	return b.Bytes()
}

// GetMapping returns a mapping of the account.
func (s *Service) GetMapping(ctx context.Context, accountID, id string) (store.FederationMapping, error) {
	m, err := s.Store.Federation().GetMapping(ctx, accountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return m, notFound("mapping", id)
	}
	return m, err
}

// ListMappings returns the account's mappings ordered by id.
func (s *Service) ListMappings(ctx context.Context, accountID string) ([]store.FederationMapping, error) {
	return s.Store.Federation().ListMappings(ctx, accountID)
}

// UpdateMapping replaces a mapping's rules.
func (s *Service) UpdateMapping(ctx context.Context, accountID, id string, rules json.RawMessage) (store.FederationMapping, error) {
	if err := checkRules(rules); err != nil {
		return store.FederationMapping{}, err
	}
	now := s.now()
	if err := s.Store.Federation().UpdateMapping(ctx, accountID, id, compact(rules), now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.FederationMapping{}, notFound("mapping", id)
		}
		return store.FederationMapping{}, err
	}
	return s.GetMapping(ctx, accountID, id)
}

// DeleteMapping deletes a mapping no protocol uses (409 while one does).
func (s *Service) DeleteMapping(ctx context.Context, accountID, id string) error {
	err := s.Store.Federation().DeleteMapping(ctx, accountID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("mapping", id)
	case store.ConflictKey(err) == store.KeyReference:
		return apierr.KEYSTONE409.New("mapping "+id+" (a protocol is bound to it)").About("mapping", id)
	}
	return err
}
