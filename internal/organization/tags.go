package organization

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// MaxTags is how many tags a resource holds at most.
const MaxTags = 50

// checkTags validates tags a request sets: keys 1 to 128 characters, values
// up to 255, no key twice, at most MaxTags.
func checkTags(tags []store.Tag) error {
	if len(tags) > MaxTags {
		return apierr.IIC400_400.New("at most 50 tags")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if err := checkTagKey(t.Key); err != nil {
			return err
		}
		if utf8.RuneCountInString(t.Value) > 255 || !printable(t.Value) {
			return apierr.IIC400_400.New("a tag value must be at most 255 printable characters")
		}
		if seen[t.Key] {
			return apierr.IIC400_400.New("tag key " + t.Key + " is given twice")
		}
		seen[t.Key] = true
	}
	return checkKeyCase(nil, tags)
}

// checkKeyCase refuses a tag key of add that differs only in letter case
// from another key of have or add. Policy conditions look tag keys up
// case-insensitively (g:ResourceTag/Env is g:ResourceTag/env), so a
// resource holding both "env" and "Env" would be decided by whichever
// came first: the same request could be allowed once and denied the next.
func checkKeyCase(have, add []store.Tag) error {
	if key, other, ok := store.TagKeyFoldClash(have, add); ok {
		return apierr.IIC400_400.New("tag key " + key + " differs only in letter case from tag key " + other)
	}
	return nil
}

func checkTagKey(k string) error {
	if k == "" || utf8.RuneCountInString(k) > 128 || !printable(k) || strings.TrimSpace(k) != k {
		return apierr.IIC400_400.New("a tag key must be 1 to 128 printable characters without leading or trailing spaces")
	}
	return nil
}

// Resource types of taggable resources (and their URNs).
const (
	TypeAccount = "account"
	TypeUnit    = "ou"
	TypeRoot    = "root"
)

// resourceType returns the type of resource id in o (the root, a unit or a
// member account); 404 IIC.404 if it is none of them.
func resourceType(ctx context.Context, st store.Store, o store.Organization, id string) (string, error) {
	if id == o.RootID {
		return TypeRoot, nil
	}
	if _, err := st.Organizations().GetUnit(ctx, o.ID, id); err == nil {
		return TypeUnit, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if m, err := st.Organizations().GetMember(ctx, id); err == nil && m.OrganizationID == o.ID {
		return TypeAccount, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return "", apierr.IIC404.New("resource " + id + " is not an account, organizational unit or root of the organization")
}

// TagResource adds or replaces tags on a resource; the total stays at most
// MaxTags.
func (s *Service) TagResource(ctx context.Context, callerID, resourceID string, tags []store.Tag) error {
	if len(tags) == 0 {
		return apierr.IIC400_400.New("tags must name at least one tag")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := resourceType(ctx, tx, o, resourceID); err != nil {
			return err
		}
		have, err := tx.Organizations().Tags(ctx, o.ID, resourceID)
		if err != nil {
			return err
		}
		if err := checkKeyCase(have, tags); err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, t := range append(have, tags...) {
			keys[t.Key] = true
		}
		if len(keys) > MaxTags {
			return apierr.IIC400_400.New("a resource holds at most 50 tags")
		}
		return tx.Organizations().SetTags(ctx, o.ID, resourceID, tags)
	})
}

// UntagResource removes the tags with keys from a resource.
func (s *Service) UntagResource(ctx context.Context, callerID, resourceID string, keys []string) error {
	if len(keys) == 0 || len(keys) > MaxTags {
		return apierr.IIC400_400.New("tag_keys must name 1 to 50 keys")
	}
	for _, k := range keys {
		if err := checkTagKey(k); err != nil {
			return err
		}
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := resourceType(ctx, tx, o, resourceID); err != nil {
			return err
		}
		return tx.Organizations().RemoveTags(ctx, o.ID, resourceID, keys)
	})
}

// ListTagsForResource returns a resource's tags ordered by key.
func (s *Service) ListTagsForResource(ctx context.Context, callerID, resourceID string) ([]store.Tag, error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return nil, err
	}
	if _, err := resourceType(ctx, s.Store, o, resourceID); err != nil {
		return nil, err
	}
	tags, err := s.Store.Organizations().Tags(ctx, o.ID, resourceID)
	if tags == nil {
		tags = []store.Tag{}
	}
	return tags, err
}

// Target is what an operation on resource id acts on, for authorization:
// its URN and current tags. typ is the resource's type when the operation
// knows it ("" = find it). It never reveals whether the resource exists:
// an unknown one, or a caller in no organization, gets a URN without tags
// (the operation itself then answers the error).
func (s *Service) Target(ctx context.Context, callerID, typ, id string) (urn string, tags map[string]string, err error) {
	m, err := s.Store.Organizations().GetMember(ctx, callerID)
	if errors.Is(err, store.ErrNotFound) {
		return URN(store.Organization{ManagementAccountID: callerID}, fallback(typ), id), nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	o, err := s.Store.Organizations().Get(ctx, m.OrganizationID)
	if err != nil {
		return "", nil, err
	}
	if typ == "" {
		if typ, err = resourceType(ctx, s.Store, o, id); err != nil {
			if _, ok := apierr.From(err); ok {
				return URN(o, TypeAccount, id), nil, nil
			}
			return "", nil, err
		}
	}
	list, err := s.Store.Organizations().Tags(ctx, o.ID, id)
	if err != nil {
		return "", nil, err
	}
	if len(list) > 0 {
		tags = make(map[string]string, len(list))
		for _, t := range list {
			tags[t.Key] = t.Value
		}
	}
	return URN(o, typ, id), tags, nil
}

func fallback(typ string) string {
	if typ == "" {
		return TypeAccount
	}
	return typ
}
