// Package center owns the Identity Center service lifecycle of an account:
// the registered home region and the instance (with its identity store).
//
// Rules (error codes from the product table):
//   - one registered region per account (IIC.1216); registering the same
//     region again is a no-op;
//   - Identity Center cannot start without a registered region (IIC.1214),
//     and the service status cannot be read without one (IIC.1254);
//   - one instance per account (IIC.1245);
//   - a region cannot be deregistered while an instance exists (IIC.1253).
package center

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/jobs"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Service status values of GetIdentityCenterServiceStatus, as the product
// answers them: its API page's example is {"serviceStatus": "enable"}, and
// the huaweicloud Terraform provider waits after StartIdentityCenter until it
// reads exactly "enable" (anything else counts as "disable"). The SDK's
// enum names ENABLED/DISABLED but decodes any string.
const (
	StatusEnabled  = "enable"
	StatusDisabled = "disable"
)

// Service implements the lifecycle operations.
type Service struct {
	Store   store.Store
	IDs     ids.Generator
	Now     func() time.Time
	Paging  *paging.Signer
	Regions []string // region names this server serves
	// Administrator maps a caller's account to the account whose Identity
	// Center it administers (organizations); nil = its own.
	Administrator Administrator
	// Jobs runs the identity-store purges (set by RegisterJobs).
	Jobs *jobs.Runner
}

// RegisterRegion records regionID as the account's home region.
func (s *Service) RegisterRegion(ctx context.Context, accountID, regionID string) error {
	if regionID == "" {
		return apierr.IIC400_400.New("region_id is required")
	}
	if !slices.Contains(s.Regions, regionID) {
		return apierr.IIC400_400.New(fmt.Sprintf("region_id %q is not a region of this server (configured: %v)", regionID, s.Regions))
	}
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		cur, err := tx.Regions().Get(ctx, accountID)
		switch {
		case err == nil && cur.RegionID == regionID:
			return nil
		case err == nil:
			return apierr.IIC1216.New()
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		err = tx.Regions().Register(ctx, store.RegisteredRegion{AccountID: accountID, RegionID: regionID, CreatedAt: s.Now().UTC()})
		if errors.Is(err, store.ErrConflict) {
			return apierr.IIC1216.New()
		}
		return err
	})
}

// RegisteredRegions lists the account's registered region (zero or one).
func (s *Service) RegisteredRegions(ctx context.Context, accountID string) ([]string, error) {
	r, err := s.Store.Regions().Get(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return []string{r.RegionID}, nil
}

// DeregisterRegion removes the account's registered region.
func (s *Service) DeregisterRegion(ctx context.Context, accountID, regionID string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		r, err := tx.Regions().Get(ctx, accountID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && r.RegionID != regionID) {
			return apierr.IIC1254.New()
		}
		if err != nil {
			return err
		}
		list, err := tx.Instances().ListByAccount(ctx, accountID, 0, 1)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			return apierr.IIC1253.New()
		}
		return tx.Regions().Delete(ctx, accountID)
	})
}

// Start enables Identity Center: it creates the account's instance and
// identity store in the registered region.
func (s *Service) Start(ctx context.Context, accountID string) (store.Instance, error) {
	var in store.Instance
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		r, err := tx.Regions().Get(ctx, accountID)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1214.New()
		}
		if err != nil {
			return err
		}
		in = store.Instance{
			ID: s.IDs.InstanceID(), AccountID: accountID, IdentityStoreID: s.IDs.IdentityStoreID(),
			RegionID: r.RegionID, CreatedAt: s.Now().UTC(),
		}
		err = tx.Instances().Create(ctx, in)
		if errors.Is(err, store.ErrConflict) {
			return apierr.IIC1245.New()
		}
		return err
	})
	return in, err
}

// Status reports whether Identity Center is enabled, with reasons when not.
func (s *Service) Status(ctx context.Context, accountID string) (status string, reasons []string, err error) {
	if _, err := s.Store.Regions().Get(ctx, accountID); errors.Is(err, store.ErrNotFound) {
		return "", nil, apierr.IIC1254.New()
	} else if err != nil {
		return "", nil, err
	}
	list, err := s.Store.Instances().ListByAccount(ctx, accountID, 0, 1)
	if err != nil {
		return "", nil, err
	}
	if len(list) == 0 {
		return StatusDisabled, []string{"No Identity Center instance exists in this account; call StartIdentityCenter."}, nil
	}
	return StatusEnabled, []string{}, nil
}

// Delete disables Identity Center: it removes the account's instance and,
// in the same transaction, queues its identity store for purging and
// enqueues the purge job (PurgeJob), which then deletes the store's users,
// groups, identity sources, SCIM tenants, ... in batches, so nothing is left
// behind that no API can reach, and no request waits for a million rows to
// go.
func (s *Service) Delete(ctx context.Context, accountID string) error {
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		list, err := tx.Instances().ListByAccount(ctx, accountID, 0, 1)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return apierr.IIC404.New("Identity Center is not enabled in this account")
		}
		if err := tx.Instances().QueuePurge(ctx, list[0].IdentityStoreID, s.Now().UTC()); err != nil {
			return err
		}
		if err := s.enqueuePurge(ctx, tx, list[0].IdentityStoreID); err != nil {
			return err
		}
		return tx.Instances().Delete(ctx, list[0].ID)
	})
	if err == nil {
		s.Jobs.Kick()
	}
	return err
}

// aliasPattern is the product's rule for a portal alias (the sub-domain of
// the user-portal URL): 1 to 62 letters, digits and hyphens, starting and
// ending with a letter or digit.
var aliasPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,60}[A-Za-z0-9])?$`)

// SetAlias gives the instance its portal alias (CreateAlias). As in the
// product it can be set only once (IIC.1270); it must follow aliasPattern
// and not start with "d-" (the identity-store id form), else 400. An alias
// is a sub-domain, so it is unique across instances case-insensitively
// (409 IIC.1271; the store's unique index decides, so two instances racing
// for one alias cannot both get it).
func (s *Service) SetAlias(ctx context.Context, inst store.Instance, alias string) error {
	if !aliasPattern.MatchString(alias) || strings.HasPrefix(strings.ToLower(alias), "d-") {
		return apierr.IIC400_400.New("alias must be 1 to 62 letters, digits or hyphens, start and end with a letter or digit, and not start with d-")
	}
	err := s.Store.Instances().Update(ctx, inst.ID, func(in *store.Instance) error {
		switch {
		case in.Alias == alias:
			return nil
		case in.Alias != "":
			return apierr.IIC1270_409.New()
		}
		in.Alias = alias
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apierr.IIC1259.New()
	case errors.Is(err, store.ErrConflict):
		return apierr.IIC1271_409.New()
	}
	return err
}

// InstancePage is one page of ListInstances.
type InstancePage struct {
	Instances  []store.Instance
	NextMarker string // "" on the last page
}

// ListInstances lists the account's instances, limit per page.
func (s *Service) ListInstances(ctx context.Context, accountID string, limit int, marker string) (InstancePage, error) {
	scope := "instances:" + accountID
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return InstancePage{}, err
	}
	rows, err := s.Store.Instances().ListByAccount(ctx, accountID, after, limit+1)
	if err != nil {
		return InstancePage{}, err
	}
	var page InstancePage
	page.Instances, page.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(in store.Instance) int64 { return in.Seq })
	return page, nil
}

// InstanceURN is the resource name of an instance.
func InstanceURN(in store.Instance) string {
	return "IdentityCenter::" + in.AccountID + ":instance:" + in.ID
}
