package permission

import (
	"context"
	"errors"
	"strconv"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// CreateInput is a permission set to create; nil fields take defaults.
type CreateInput struct {
	Name            string
	Description     *string
	RelayState      *string
	SessionDuration *string
	Tags            []store.Tag
}

// UpdateInput changes what UpdatePermissionSet may change; nil = keep.
type UpdateInput struct {
	Description     *string
	RelayState      *string
	SessionDuration *string
}

func checkFields(desc, relay, session *string) error {
	if desc != nil {
		if err := checkText("description", *desc, MaxDescriptionLen); err != nil {
			return err
		}
	}
	if relay != nil {
		if err := checkText("relay_state", *relay, MaxRelayStateLen); err != nil {
			return err
		}
	}
	if session != nil {
		if _, err := ParseSessionDuration(*session); err != nil {
			return err
		}
	}
	return nil
}

// Create validates and stores a permission set in inst, within the
// instance's quota; names are unique per instance (409 IIC.1206).
func (s *Service) Create(ctx context.Context, inst store.Instance, in CreateInput) (store.PermissionSet, error) {
	if err := checkName(in.Name); err != nil {
		return store.PermissionSet{}, err
	}
	if err := checkFields(in.Description, in.RelayState, in.SessionDuration); err != nil {
		return store.PermissionSet{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return store.PermissionSet{}, err
	}
	now := s.now()
	ps := store.PermissionSet{InstanceID: inst.ID, ID: "ps-" + s.IDs.Hex(8), Name: in.Name, SessionDuration: DefaultSessionDuration,
		Tags: in.Tags, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.RelayState != nil {
		ps.RelayState = *in.RelayState
	}
	if in.SessionDuration != nil {
		ps.SessionDuration = *in.SessionDuration
	}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		// The instance row lock serializes creates in one instance, so
		// the quota and the name check hold under concurrency.
		if err := tx.Instances().Update(ctx, inst.ID, func(*store.Instance) error { return nil }); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1259.New()
		} else if err != nil {
			return err
		}
		n, err := tx.PermissionSets().Count(ctx, inst.ID)
		if err != nil {
			return err
		}
		if n >= s.Quotas.PermissionSets {
			return apierr.IIC400_400.New("the instance already has the maximum of " + strconv.Itoa(s.Quotas.PermissionSets) + " permission sets")
		}
		if dup, err := tx.PermissionSets().List(ctx, inst.ID, store.PermissionSetFilter{Name: in.Name}, 0, 1); err != nil {
			return err
		} else if len(dup) > 0 {
			return apierr.IIC1206.New()
		}
		return tx.PermissionSets().Create(ctx, ps)
	})
	if errors.Is(err, store.ErrConflict) {
		return store.PermissionSet{}, apierr.IIC1206.New()
	}
	if err != nil {
		return store.PermissionSet{}, err
	}
	return s.Store.PermissionSets().Get(ctx, inst.ID, ps.ID)
}

// Get returns a permission set of inst (404 IIC.1205 if absent).
func (s *Service) Get(ctx context.Context, inst store.Instance, id string) (store.PermissionSet, error) {
	ps, err := s.Store.PermissionSets().Get(ctx, inst.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ps, apierr.IIC1205.New()
	}
	return ps, err
}

// Find returns the permission set id of an instance owned by accountID
// (the tag routes name a permission set without its instance); another
// account's permission set is 404 IIC.1205 like a missing one.
func (s *Service) Find(ctx context.Context, accountID, id string) (store.Instance, store.PermissionSet, error) {
	ps, err := s.Store.PermissionSets().Find(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Instance{}, ps, apierr.IIC1205.New()
	}
	if err != nil {
		return store.Instance{}, ps, err
	}
	in, err := s.Store.Instances().Get(ctx, ps.InstanceID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.AccountID != accountID) {
		return store.Instance{}, store.PermissionSet{}, apierr.IIC1205.New()
	}
	return in, ps, err
}

// change applies fn to a permission set and raises its version (its
// agencies become out of date); 404 IIC.1205 if absent.
func (s *Service) change(ctx context.Context, inst store.Instance, id string, fn func(*store.PermissionSet) error) (store.PermissionSet, error) {
	var out store.PermissionSet
	err := s.Store.PermissionSets().Update(ctx, inst.ID, id, func(ps *store.PermissionSet) error {
		if err := fn(ps); err != nil {
			return err
		}
		ps.Version++
		ps.UpdatedAt = s.now()
		out = *ps
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return out, apierr.IIC1205.New()
	}
	return out, err
}

// Update changes description, relay state and session duration.
func (s *Service) Update(ctx context.Context, inst store.Instance, id string, in UpdateInput) (store.PermissionSet, error) {
	if err := checkFields(in.Description, in.RelayState, in.SessionDuration); err != nil {
		return store.PermissionSet{}, err
	}
	return s.change(ctx, inst, id, func(ps *store.PermissionSet) error {
		if in.Description != nil {
			ps.Description = *in.Description
		}
		if in.RelayState != nil {
			ps.RelayState = *in.RelayState
		}
		if in.SessionDuration != nil {
			ps.SessionDuration = *in.SessionDuration
		}
		return nil
	})
}

// Delete removes a permission set that has neither assignments nor
// agencies (else 409 IIC.1210).
func (s *Service) Delete(ctx context.Context, inst store.Instance, id string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		// Lock the row first: an assignment created concurrently waits.
		if err := tx.PermissionSets().Update(ctx, inst.ID, id, func(*store.PermissionSet) error { return nil }); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1205.New()
		} else if err != nil {
			return err
		}
		n, err := tx.Assignments().CountFor(ctx, inst.ID, id, "")
		if err != nil {
			return err
		}
		agencies, err := tx.Agencies().ListByPermissionSet(ctx, inst.ID, id, store.AgencyFilter{}, 0, 1)
		if err != nil {
			return err
		}
		pending, err := s.pendingFor(ctx, tx, inst.ID, id)
		if err != nil {
			return err
		}
		if n > 0 || len(agencies) > 0 || pending {
			return apierr.IIC1210_409.New()
		}
		return tx.PermissionSets().Delete(ctx, inst.ID, id)
	})
}

// pendingFor reports whether an assignment creation naming the permission
// set is still in progress (it would assign a deleted permission set).
func (s *Service) pendingFor(ctx context.Context, tx store.Store, instanceID, psID string) (bool, error) {
	var after int64
	for {
		rows, err := tx.Requests().List(ctx, instanceID, store.RequestAssignmentCreate, store.StatusInProgress, after, 500)
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			if r.PermissionSetID == psID {
				return true, nil
			}
		}
		if len(rows) < 500 {
			return false, nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// SetPage is one page of ListPermissionSets.
type SetPage struct {
	Sets       []store.PermissionSet
	NextMarker string
}

// List lists the permission sets of inst, filtered by id or name.
func (s *Service) List(ctx context.Context, inst store.Instance, f store.PermissionSetFilter, limit int, marker string) (SetPage, error) {
	scope := "permission-sets:" + inst.ID + ":" + f.ID + ":" + f.Name
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return SetPage{}, err
	}
	rows, err := s.Store.PermissionSets().List(ctx, inst.ID, f, after, limit+1)
	if err != nil {
		return SetPage{}, err
	}
	var p SetPage
	p.Sets, p.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(ps store.PermissionSet) int64 { return ps.Seq })
	return p, nil
}

// Summary is GetPermissionSetSummary.
type Summary struct {
	PermissionSets, PermissionSetsQuota, PolicyCountQuota, PolicyQuota int
}

// Summary counts the instance's permission sets against its quotas.
func (s *Service) Summary(ctx context.Context, inst store.Instance) (Summary, error) {
	n, err := s.Store.PermissionSets().Count(ctx, inst.ID)
	return Summary{PermissionSets: n, PermissionSetsQuota: s.Quotas.PermissionSets, PolicyCountQuota: s.Quotas.PoliciesPerSet,
		PolicyQuota: s.Quotas.ManagedPolicies}, err
}

// AddTags adds or replaces tags of a permission set (at most 50 in all).
// Tags do not change what provisioning copies: the version stays.
func (s *Service) AddTags(ctx context.Context, inst store.Instance, id string, tags []store.Tag) error {
	if len(tags) == 0 {
		return apierr.IIC400_400.New("tags must hold 1 to 50 tags")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	err := s.Store.PermissionSets().Update(ctx, inst.ID, id, func(ps *store.PermissionSet) error {
		if err := checkKeyCase(ps.Tags, tags); err != nil {
			return err
		}
		merged := mergeTags(ps.Tags, tags)
		if len(merged) > MaxTags {
			return apierr.IIC400_400.New("a permission set has at most 50 tags")
		}
		ps.Tags = merged
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1205.New()
	}
	return err
}

// RemoveTags removes tags by key; a tag given with a value is removed only
// when its value matches. Absent keys are ignored.
func (s *Service) RemoveTags(ctx context.Context, inst store.Instance, id string, keys []store.Tag, withValue []bool) error {
	if len(keys) == 0 || len(keys) > MaxTags {
		return apierr.IIC400_400.New("tags must hold 1 to 50 keys")
	}
	for _, k := range keys {
		if k.Key == "" || len(k.Key) > 4*MaxTagKeyLen {
			return apierr.IIC400_400.New("tag key must be 1-128 characters")
		}
	}
	err := s.Store.PermissionSets().Update(ctx, inst.ID, id, func(ps *store.PermissionSet) error {
		var kept []store.Tag
		for _, t := range ps.Tags {
			drop := false
			for i, k := range keys {
				if k.Key == t.Key && (!withValue[i] || k.Value == t.Value) {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		ps.Tags = kept
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1205.New()
	}
	return err
}

// TagPage is one page of a permission set's tags.
type TagPage struct {
	Tags       []store.Tag
	NextMarker string
}

// ListTags pages through the tags of ps in the order they were added.
func (s *Service) ListTags(ps store.PermissionSet, limit int, marker string) (TagPage, error) {
	scope := "tags:" + ps.ID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return TagPage{}, err
	}
	type item struct {
		t   store.Tag
		pos int64
	}
	var rows []item
	for i, t := range ps.Tags {
		if pos := int64(i + 1); pos > after && len(rows) <= limit {
			rows = append(rows, item{t, pos})
		}
	}
	page, next := paging.Trim(s.Paging, scope, rows, limit, func(it item) int64 { return it.pos })
	out := TagPage{NextMarker: next}
	for _, it := range page {
		out.Tags = append(out.Tags, it.t)
	}
	return out, nil
}
