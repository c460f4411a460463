package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// NewGroup is the input of CreateGroup.
type NewGroup struct {
	DisplayName string
	Description string
}

func validDisplayName(name string) error {
	if strings.TrimSpace(name) == "" {
		return apierr.IIC1353.New()
	}
	return checkLen("display_name", name, 1, 1024)
}

func validGroupExternalIDs(ids []store.ExternalID) error {
	if len(ids) > 10 {
		return badRequest("external_ids may hold at most 10 entries")
	}
	seen := map[string]bool{}
	for i, e := range ids {
		if err := checkLen(fmt.Sprintf("external_ids[%d].issuer", i), e.Issuer, 1, 100); err != nil {
			return err
		}
		if err := checkLen(fmt.Sprintf("external_ids[%d].id", i), e.ID, 1, 256); err != nil {
			return err
		}
		if seen[e.Issuer] {
			return badRequest("external_ids holds issuer %q twice", e.Issuer)
		}
		seen[e.Issuer] = true
	}
	return nil
}

// groupConflict maps a store conflict of a group write to the table's
// error, from the key the store names: another group holds the display
// name (IIC.1341) or one of the external ids (IIC.1342). err is returned
// unchanged when it is not a conflict.
func groupConflict(err error, g store.Group) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	switch key := store.ConflictKey(err); key {
	case store.KeyDisplayName, store.KeyID:
		return apierr.IIC1341.New().WithKey(key).About("group", g.DisplayName)
	default:
		return apierr.IIC1342.New().WithKey(key).About("group", g.DisplayName)
	}
}

// CreateGroup creates a group and returns its id.
func (s *Service) CreateGroup(ctx context.Context, c Caller, storeID string, in NewGroup) (string, error) {
	in.DisplayName = canonicalDisplayName(in.DisplayName)
	if err := validDisplayName(in.DisplayName); err != nil {
		return "", err
	}
	if err := checkLen("description", in.Description, 0, 1024); err != nil {
		return "", err
	}
	now := s.Now().UTC()
	g := store.Group{IdentityStoreID: storeID, ID: s.IDs.UUID(), DisplayName: in.DisplayName, Description: in.Description,
		CreatedAt: now, CreatedBy: c.Actor, UpdatedAt: now, UpdatedBy: c.Actor}
	// The unique keys decide a taken name and the store's counter the
	// quota, both race-free and without a look-up first.
	err := s.Store.Groups().CreateWithin(ctx, g, s.quotas().Groups)
	if errors.Is(err, store.ErrLimit) {
		return "", apierr.IIC1351.New()
	}
	if err != nil {
		return "", groupConflict(err, g)
	}
	return g.ID, nil
}

// GetGroup returns one group; 404 IIC.1343 if it does not exist.
func (s *Service) GetGroup(ctx context.Context, storeID, groupID string) (store.Group, error) {
	g, err := s.Store.Groups().Get(ctx, storeID, groupID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Group{}, apierr.IIC1343.New()
	}
	return g, err
}

// DescribeGroups returns the groups among ids that exist (1 to 100 ids), in
// the order asked, each once.
func (s *Service) DescribeGroups(ctx context.Context, storeID string, ids []string) ([]store.Group, error) {
	if len(ids) == 0 || len(ids) > 100 {
		return nil, badRequest("group_ids must hold 1 to 100 ids")
	}
	rows, err := s.Store.Groups().GetMany(ctx, storeID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Group, len(rows))
	for _, g := range rows {
		byID[g.ID] = g
	}
	out := make([]store.Group, 0, len(rows))
	for _, id := range ids {
		if g, ok := byID[id]; ok {
			out = append(out, g)
			delete(byID, id)
		}
	}
	return out, nil
}

// GroupPage is one page of ListGroups.
type GroupPage struct {
	Groups     []store.Group
	NextMarker string
}

// ListGroups lists groups in creation order, optionally only those whose
// display name contains displayName (case-insensitive).
func (s *Service) ListGroups(ctx context.Context, storeID, displayName string, limit int, marker string) (GroupPage, error) {
	if utf8.RuneCountInString(displayName) > 1024 {
		return GroupPage{}, badRequest("display_name must be at most 1024 characters")
	}
	scope := "groups:" + storeID + ":" + strings.ToLower(displayName)
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return GroupPage{}, err
	}
	rows, err := s.Store.Groups().List(ctx, storeID, store.GroupFilter{DisplayNameContains: canonicalDisplayName(displayName)}, after, limit+1)
	if err != nil {
		return GroupPage{}, err
	}
	rows, next := paging.Trim(s.Paging, scope, rows, limit, func(g store.Group) int64 { return g.Seq })
	if rows == nil {
		rows = []store.Group{}
	}
	return GroupPage{Groups: rows, NextMarker: next}, nil
}

// DeleteGroup deletes a group with its memberships.
func (s *Service) DeleteGroup(ctx context.Context, storeID, groupID string) error {
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if s.PrincipalInUse != nil {
			if err := s.PrincipalInUse(ctx, tx, storeID, store.PrincipalGroup, groupID); err != nil {
				return err
			}
		}
		return tx.Groups().Delete(ctx, storeID, groupID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1343.New()
	}
	return err
}

// GroupKey names a group by one of its unique attributes: make it with
// GroupByDisplayName or GroupByExternalID.
type GroupKey struct {
	kind  keyKind
	value string
	ext   store.ExternalID
}

// GroupByDisplayName names the group with this display name (NFC,
// case-insensitive).
func GroupByDisplayName(name string) GroupKey { return GroupKey{kind: byName, value: name} }

// GroupByExternalID names the group with this external id.
func GroupByExternalID(e store.ExternalID) GroupKey { return GroupKey{kind: byExternalID, ext: e} }

// GetGroupID finds the group k names; none is 404 IIC.1343.
func (s *Service) GetGroupID(ctx context.Context, storeID string, k GroupKey) (string, error) {
	var (
		g   store.Group
		err error
	)
	switch k.kind {
	case byExternalID:
		g, err = s.Store.Groups().GetByExternalID(ctx, storeID, k.ext)
	case byName:
		g, err = s.Store.Groups().GetByDisplayName(ctx, storeID, canonicalDisplayName(k.value))
	default:
		return "", errors.New("identity: GetGroupID with a zero GroupKey")
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", apierr.IIC1343.New()
	}
	return g.ID, err
}
