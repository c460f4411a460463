package organization

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Limits of list operations: limit 1–2000, default 200 (the product's).
const (
	DefaultLimit = 200
	MaxLimit     = 2000
)

// ParseLimit validates a limit query parameter ("" = DefaultLimit).
func ParseLimit(v string) (int, error) {
	if v == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, apierr.IIC400_400.New("limit must be an integer from 1 to 2000")
	}
	return n, nil
}

// Page is one page of a list and the marker of the next ("" on the last).
type Page[T any] struct {
	Items      []T
	NextMarker string
}

func page[T any](s *Service, scope string, rows []T, limit int, seq func(T) int64) Page[T] {
	items, next := paging.Trim(s.Paging, scope, rows, limit, seq)
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, NextMarker: next}
}

// Unit is an organizational unit with its organization (for its URN).
type Unit struct {
	store.OrgUnit
	Org store.Organization
}

// URN is the unit's resource name.
func (u Unit) URN() string { return URN(u.Org, "ou", u.ID) }

// checkName validates a unit name: 1 to 64 characters, no control
// characters.
func checkName(what, name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || !printable(name) {
		return apierr.IIC400_400.New(what + " must be 1 to 64 printable characters")
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// parentDepth returns the depth of a parent (0 for the root); 404 IIC.404
// if it is neither the root nor a unit of o.
func parentDepth(ctx context.Context, st store.Store, o store.Organization, parentID string) (int, error) {
	if parentID == o.RootID {
		return 0, nil
	}
	u, err := st.Organizations().GetUnit(ctx, o.ID, parentID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, apierr.IIC404.New("parent " + parentID + " is neither the root nor an organizational unit of the organization")
	}
	return u.Depth, err
}

// CreateUnit creates a unit named name under parentID (the root or a
// unit), at most MaxUnitDepth deep, with tags.
func (s *Service) CreateUnit(ctx context.Context, callerID, name, parentID string, tags []store.Tag) (Unit, error) {
	if err := checkName("name", name); err != nil {
		return Unit{}, err
	}
	if err := checkTags(tags); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		depth, err := parentDepth(ctx, tx, o, parentID)
		if err != nil {
			return err
		}
		if depth >= MaxUnitDepth {
			return apierr.IIC400_400.New("organizational units nest at most " + strconv.Itoa(MaxUnitDepth) + " levels deep")
		}
		u := store.OrgUnit{ID: "ou-" + s.IDs.Hex(12), OrganizationID: o.ID, ParentID: parentID, Name: name, Depth: depth + 1, CreatedAt: s.Now().UTC()}
		if err := tx.Organizations().CreateUnit(ctx, u); errors.Is(err, store.ErrConflict) {
			return apierr.IIC1257.New()
		} else if err != nil {
			return err
		}
		if err := tx.Organizations().SetTags(ctx, o.ID, u.ID, tags); err != nil {
			return err
		}
		out = Unit{OrgUnit: u, Org: o}
		return nil
	})
	return out, err
}

// ListUnits lists the organization's units, those under parentID when it
// is set.
func (s *Service) ListUnits(ctx context.Context, callerID, parentID string, limit int, marker string) (Page[Unit], error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Page[Unit]{}, err
	}
	if parentID != "" {
		if _, err := parentDepth(ctx, s.Store, o, parentID); err != nil {
			return Page[Unit]{}, err
		}
	}
	scope := "org-units:" + o.ID + ":" + parentID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return Page[Unit]{}, err
	}
	rows, err := s.Store.Organizations().ListUnits(ctx, o.ID, parentID, after, limit+1)
	if err != nil {
		return Page[Unit]{}, err
	}
	units := make([]Unit, len(rows))
	for i, u := range rows {
		units[i] = Unit{OrgUnit: u, Org: o}
	}
	return page(s, scope, units, limit, func(u Unit) int64 { return u.Seq }), nil
}

// unit returns the unit id of o; 404 IIC.404 if there is none.
func unit(ctx context.Context, st store.Store, o store.Organization, id string) (Unit, error) {
	u, err := st.Organizations().GetUnit(ctx, o.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Unit{}, apierr.IIC404.New("organizational unit " + id + " does not exist")
	}
	return Unit{OrgUnit: u, Org: o}, err
}

// ShowUnit returns a unit.
func (s *Service) ShowUnit(ctx context.Context, callerID, id string) (Unit, error) {
	o, err := s.reader(ctx, s.Store, callerID)
	if err != nil {
		return Unit{}, err
	}
	return unit(ctx, s.Store, o, id)
}

// RenameUnit renames a unit; 409 IIC.1257 if a sibling has the name.
func (s *Service) RenameUnit(ctx context.Context, callerID, id, name string) (Unit, error) {
	if err := checkName("name", name); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if out, err = unit(ctx, tx, o, id); err != nil {
			return err
		}
		if err := tx.Organizations().RenameUnit(ctx, o.ID, id, name); errors.Is(err, store.ErrConflict) {
			return apierr.IIC1257.New()
		} else if err != nil {
			return err
		}
		out.Name = name
		return nil
	})
	return out, err
}

// DeleteUnit deletes an empty unit (no unit or account under it; 400
// IIC.400 otherwise).
func (s *Service) DeleteUnit(ctx context.Context, callerID, id string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		o, err := s.managed(ctx, tx, callerID)
		if err != nil {
			return err
		}
		if _, err := unit(ctx, tx, o, id); err != nil {
			return err
		}
		n, err := tx.Organizations().CountChildren(ctx, o.ID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apierr.IIC400_400.New("the organizational unit is not empty: move its accounts and delete its units first")
		}
		return tx.Organizations().DeleteUnit(ctx, o.ID, id)
	})
}
