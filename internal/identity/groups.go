package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// GroupAttributeOp is one UpdateGroup operation: set the attribute at Path
// to Value, or clear it when Value is nil.
type GroupAttributeOp struct {
	Path  string
	Value *string
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
	rows, err := s.Store.Groups().List(ctx, storeID, store.GroupFilter{DisplayNameContains: displayName}, after, limit+1)
	if err != nil {
		return GroupPage{}, err
	}
	rows, next := paging.Trim(s.Paging, scope, rows, limit, func(g store.Group) int64 { return g.Seq })
	if rows == nil {
		rows = []store.Group{}
	}
	return GroupPage{Groups: rows, NextMarker: next}, nil
}

// applyGroupOp applies one UpdateGroup operation to g.
func applyGroupOp(g *store.Group, op GroupAttributeOp) error {
	switch op.Path {
	case "display_name", "displayName":
		if op.Value == nil {
			return apierr.IIC1353.New()
		}
		if err := validDisplayName(*op.Value); err != nil {
			return err
		}
		g.DisplayName = *op.Value
	case "description":
		if op.Value == nil {
			g.Description = ""
			return nil
		}
		if err := checkLen("description", *op.Value, 0, 1024); err != nil {
			return err
		}
		g.Description = *op.Value
	case "external_ids", "externalIds":
		var ext []store.ExternalID
		if op.Value != nil && *op.Value != "" {
			if err := decodeStrict(*op.Value, &ext); err != nil {
				return badRequest(`attribute_value of external_ids must be a JSON array of {"issuer","id"} objects`)
			}
		}
		if err := validGroupExternalIDs(ext); err != nil {
			return err
		}
		g.ExternalIDs = ext
	default:
		return badRequest("attribute_path must be display_name, description or external_ids, not %q", op.Path)
	}
	return nil
}

// checkGroupOpPaths checks that ops holds 1 to 100 operations with no
// path twice (IIC.1349).
func checkGroupOpPaths(ops []GroupAttributeOp) error {
	if len(ops) == 0 || len(ops) > 100 {
		return badRequest("operations must hold 1 to 100 items")
	}
	seen := map[string]bool{}
	for _, op := range ops {
		// Both spellings of a path name one attribute.
		p := op.Path
		switch p {
		case "displayName":
			p = "display_name"
		case "externalIds":
			p = "external_ids"
		}
		if seen[p] {
			return apierr.IIC1349.New()
		}
		seen[p] = true
	}
	return nil
}

// applyGroupOperations applies ops to a copy of g and returns it, or an
// apierr 4xx naming what is wrong. It touches no store (the uniqueness of
// the display name and external ids is the store's) and leaves g unchanged.
func applyGroupOperations(g store.Group, ops []GroupAttributeOp) (store.Group, error) {
	g.ExternalIDs = slices.Clone(g.ExternalIDs)
	for _, op := range ops {
		if err := applyGroupOp(&g, op); err != nil {
			return store.Group{}, err
		}
	}
	return g, nil
}

// UpdateGroup applies 1 to 100 operations to a group, all or none.
func (s *Service) UpdateGroup(ctx context.Context, c Caller, storeID, groupID string, ops []GroupAttributeOp) error {
	if err := checkGroupOpPaths(ops); err != nil {
		return err
	}
	var updated store.Group
	err := s.Store.Groups().Update(ctx, storeID, groupID, func(g *store.Group) error {
		ng, err := applyGroupOperations(*g, ops)
		if err != nil {
			return err
		}
		*g = ng
		g.UpdatedAt, g.UpdatedBy = s.Now().UTC(), c.Actor
		updated = *g
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apierr.IIC1343.New()
	}
	return groupConflict(err, updated)
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

// GetGroupID finds a group by display name (exact, case-insensitive) or
// external id: exactly one of the two (both: 400 IIC.1344, neither: 400
// IIC.1348, as GetUserID).
func (s *Service) GetGroupID(ctx context.Context, storeID string, alt AlternateIdentifier) (string, error) {
	if err := alt.check(); err != nil {
		return "", err
	}
	var (
		g   store.Group
		err error
	)
	switch {
	case alt.ExternalID != nil:
		g, err = s.Store.Groups().GetByExternalID(ctx, storeID, *alt.ExternalID)
	case alt.UniqueAttribute.Path == "display_name" || alt.UniqueAttribute.Path == "displayName":
		g, err = s.Store.Groups().GetByDisplayName(ctx, storeID, alt.UniqueAttribute.Value)
	default:
		return "", badRequest("unique_attribute.attribute_path must be display_name, not %q", alt.UniqueAttribute.Path)
	}
	if errors.Is(err, store.ErrNotFound) {
		return "", apierr.IIC1343.New()
	}
	return g.ID, err
}
