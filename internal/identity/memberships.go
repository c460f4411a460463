package identity

import (
	"context"
	"errors"
	"strconv"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Missing groups and users named in a membership request: the 400 variants
// when a create refers to them, the 404 variants when a look-up does.
var (
	errGroupRef = apierr.IIC1372_400
	errUserRef  = apierr.IIC1373_400
	errNoGroup  = apierr.IIC1372_404
	errNoUser   = apierr.IIC1373_404
)

func requireRefID(field, v string) error { return checkLen(field, v, 1, 64) }

// refsExist reports whether the group and the user exist in the store.
func (s *Service) refsExist(ctx context.Context, storeID, groupID, userID string) (groupOK, userOK bool, err error) {
	_, err = s.Store.Groups().Get(ctx, storeID, groupID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, false, err
	}
	groupOK = err == nil
	_, err = s.Store.Users().Get(ctx, storeID, userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, false, err
	}
	return groupOK, err == nil, nil
}

// CreateGroupMembership adds user userID to group groupID and returns the
// membership id. The user and the group must exist in the store (IIC.1373,
// IIC.1372); the pair may be added once (IIC.1370).
func (s *Service) CreateGroupMembership(ctx context.Context, storeID, groupID, userID string) (string, error) {
	if err := requireRefID("group_id", groupID); err != nil {
		return "", err
	}
	if err := requireRefID("member_id.user_id", userID); err != nil {
		return "", err
	}
	m := store.Membership{IdentityStoreID: storeID, ID: s.IDs.UUID(), GroupID: groupID, UserID: userID, CreatedAt: s.Now().UTC()}
	// One INSERT: its unique key and foreign keys decide, race-free; the
	// look-ups below only name the reason for a refusal.
	err := s.Store.Memberships().Create(ctx, m)
	if !errors.Is(err, store.ErrConflict) {
		if err != nil {
			return "", err
		}
		return m.ID, nil
	}
	if store.ConflictKey(err) == store.KeyMember {
		return "", apierr.IIC1370.New().WithKey(store.KeyMember)
	}
	// A missing reference: the store does not say which (SQLite names no
	// foreign key), so look.
	groupOK, userOK, lerr := s.refsExist(ctx, storeID, groupID, userID)
	switch {
	case lerr != nil:
		return "", lerr
	case !groupOK:
		return "", errGroupRef.New()
	case !userOK:
		return "", errUserRef.New()
	}
	return "", apierr.IIC1370.New()
}

// GetGroupMembership returns one membership; 404 IIC.1371 if unknown.
func (s *Service) GetGroupMembership(ctx context.Context, storeID, membershipID string) (store.Membership, error) {
	m, err := s.Store.Memberships().Get(ctx, storeID, membershipID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Membership{}, apierr.IIC1371.New()
	}
	return m, err
}

// DeleteGroupMembership removes a membership; 404 IIC.1371 if unknown.
func (s *Service) DeleteGroupMembership(ctx context.Context, storeID, membershipID string) error {
	err := s.Store.Memberships().Delete(ctx, storeID, membershipID)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1371.New()
	}
	return err
}

// GetGroupMembershipID returns the id of userID's membership of groupID:
// 404 IIC.1372 / IIC.1373 if the group / user is unknown, IIC.1374 if the
// user is not in the group.
func (s *Service) GetGroupMembershipID(ctx context.Context, storeID, groupID, userID string) (string, error) {
	if err := requireRefID("group_id", groupID); err != nil {
		return "", err
	}
	if err := requireRefID("member_id.user_id", userID); err != nil {
		return "", err
	}
	m, err := s.Store.Memberships().Find(ctx, storeID, groupID, userID)
	if err == nil {
		return m.ID, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	groupOK, userOK, err := s.refsExist(ctx, storeID, groupID, userID)
	switch {
	case err != nil:
		return "", err
	case !groupOK:
		return "", errNoGroup.New()
	case !userOK:
		return "", errNoUser.New()
	}
	return "", apierr.IIC1374.New()
}

// MembershipPage is one page of a membership list.
type MembershipPage struct {
	Memberships []store.Membership
	NextMarker  string
}

func (s *Service) membershipPage(scope, marker string, limit int, list func(after int64) ([]store.Membership, error)) (MembershipPage, error) {
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return MembershipPage{}, err
	}
	rows, err := list(after)
	if err != nil {
		return MembershipPage{}, err
	}
	rows, next := paging.Trim(s.Paging, scope, rows, limit, func(m store.Membership) int64 { return m.Seq })
	if rows == nil {
		rows = []store.Membership{}
	}
	return MembershipPage{Memberships: rows, NextMarker: next}, nil
}

// ListGroupMemberships lists the memberships of one group in the order they
// were made; 404 IIC.1372 if the group is unknown.
func (s *Service) ListGroupMemberships(ctx context.Context, storeID, groupID string, limit int, marker string) (MembershipPage, error) {
	if err := requireRefID("group_id", groupID); err != nil {
		return MembershipPage{}, err
	}
	if _, err := s.Store.Groups().Get(ctx, storeID, groupID); errors.Is(err, store.ErrNotFound) {
		return MembershipPage{}, errNoGroup.New()
	} else if err != nil {
		return MembershipPage{}, err
	}
	return s.membershipPage("memberships:"+storeID+":group:"+groupID, marker, limit, func(after int64) ([]store.Membership, error) {
		return s.Store.Memberships().ListByGroup(ctx, storeID, groupID, after, limit+1)
	})
}

// ListGroupMembershipsForMember lists the memberships of one user in the
// order they were made; 404 IIC.1373 if the user is unknown.
func (s *Service) ListGroupMembershipsForMember(ctx context.Context, storeID, userID string, limit int, marker string) (MembershipPage, error) {
	if err := requireRefID("user_id", userID); err != nil {
		return MembershipPage{}, err
	}
	if _, err := s.Store.Users().Get(ctx, storeID, userID); errors.Is(err, store.ErrNotFound) {
		return MembershipPage{}, errNoUser.New()
	} else if err != nil {
		return MembershipPage{}, err
	}
	return s.membershipPage("memberships:"+storeID+":user:"+userID, marker, limit, func(after int64) ([]store.Membership, error) {
		return s.Store.Memberships().ListByUser(ctx, storeID, userID, after, limit+1)
	})
}

// GroupMembershipResult says whether the member is in one group.
type GroupMembershipResult struct {
	GroupID string
	Member  bool
}

// IsMemberInGroups answers, for each of 1 to 100 groups (each once, in the
// order asked), whether userID belongs to it; an unknown group does not
// contain the user. An unknown user is 404 IIC.1375. The answer takes one
// query when the user is in at least one of the groups, two otherwise.
func (s *Service) IsMemberInGroups(ctx context.Context, storeID, userID string, groupIDs []string) ([]GroupMembershipResult, error) {
	if err := requireRefID("member_id.user_id", userID); err != nil {
		return nil, err
	}
	if len(groupIDs) == 0 || len(groupIDs) > 100 {
		return nil, badRequest("group_ids must hold 1 to 100 ids")
	}
	uniq := make([]string, 0, len(groupIDs))
	seen := make(map[string]bool, len(groupIDs))
	for i, id := range groupIDs {
		if err := requireRefID("group_ids["+strconv.Itoa(i)+"]", id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	in, err := s.Store.Memberships().MemberOf(ctx, storeID, userID, uniq)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		// A membership proves the user exists; without one, check.
		if _, err := s.Store.Users().Get(ctx, storeID, userID); errors.Is(err, store.ErrNotFound) {
			return nil, apierr.IIC1375.New()
		} else if err != nil {
			return nil, err
		}
	}
	out := make([]GroupMembershipResult, len(uniq))
	for i, id := range uniq {
		out[i] = GroupMembershipResult{GroupID: id, Member: in[id]}
	}
	return out, nil
}
