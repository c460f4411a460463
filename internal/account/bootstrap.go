// Package account owns accounts, their projects and access keys, and the
// first-start bootstrap of the management (root) account.
package account

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Setting keys written at bootstrap.
const (
	settingRootAccount = "root_account_id"
	settingKeyCheck    = "master_key_check"
)

// RootCredentials are the management account's keys, as written to
// root-credentials.json.
type RootCredentials struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	AccountID string `json:"account_id"`
}

// BootstrapOptions fix what the first start creates.
type BootstrapOptions struct {
	// AccessKey and SecretKey, when both set, are the root keys to use
	// (IIC_ROOT_ACCESS_KEY / IIC_ROOT_SECRET_KEY); an existing root key is
	// replaced by them.
	AccessKey, SecretKey string
	// Regions get one project each in the root account.
	Regions []string
}

// Service manages accounts and credentials.
type Service struct {
	Store store.Store
	Keys  *secrets.Keyring
	IDs   ids.Generator
	Now   func() time.Time
}

// ErrWrongMasterKey means the database was encrypted under another key.
var ErrWrongMasterKey = errors.New("the master key does not match the one this database was created with (check IIC_MASTER_KEY or <data-dir>/master.key)")

// Bootstrap makes sure the management account, its root key and its
// projects exist, and returns the root credentials. It is idempotent and
// safe to run from several processes at once: exactly one of them creates
// the account, and all return the same keys.
func (s *Service) Bootstrap(ctx context.Context, opt BootstrapOptions) (RootCredentials, error) {
	if (opt.AccessKey == "") != (opt.SecretKey == "") {
		return RootCredentials{}, errors.New("IIC_ROOT_ACCESS_KEY and IIC_ROOT_SECRET_KEY must be set together")
	}
	if opt.AccessKey != "" && (len(opt.AccessKey) < 8 || len(opt.AccessKey) > 128 || len(opt.SecretKey) < 16) {
		return RootCredentials{}, errors.New("IIC_ROOT_ACCESS_KEY must be 8-128 characters and IIC_ROOT_SECRET_KEY at least 16")
	}
	var out RootCredentials
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := s.checkMasterKey(ctx, tx); err != nil {
			return err
		}
		candidate := s.IDs.AccountID()
		accountID, err := tx.Settings().PutIfAbsent(ctx, settingRootAccount, candidate)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		if accountID == candidate {
			if err := tx.Accounts().Create(ctx, store.Account{ID: accountID, Name: "root", IsManagement: true, CreatedAt: now}); err != nil {
				return fmt.Errorf("create root account: %w", err)
			}
		}
		for _, region := range opt.Regions {
			if err := s.ensureProject(ctx, tx, accountID, region); err != nil {
				return err
			}
		}
		out, err = s.ensureRootKey(ctx, tx, accountID, opt)
		return err
	})
	return out, err
}

func (s *Service) checkMasterKey(ctx context.Context, tx store.Store) error {
	const plain = "iic master key check"
	sealed := base64.StdEncoding.EncodeToString(s.Keys.Seal([]byte(plain), []byte(settingKeyCheck)))
	stored, err := tx.Settings().PutIfAbsent(ctx, settingKeyCheck, sealed)
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return ErrWrongMasterKey
	}
	if got, err := s.Keys.Open(raw, []byte(settingKeyCheck)); err != nil || string(got) != plain {
		return ErrWrongMasterKey
	}
	return nil
}

func (s *Service) ensureProject(ctx context.Context, tx store.Store, accountID, region string) error {
	ps, err := tx.Projects().ListByAccount(ctx, accountID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Name == region {
			return nil
		}
	}
	return tx.Projects().Create(ctx, store.Project{ID: s.IDs.ProjectID(), AccountID: accountID, Name: region, CreatedAt: s.Now().UTC()})
}

// ensureRootKey returns the root key, creating it (or replacing it with the
// configured one) when needed.
func (s *Service) ensureRootKey(ctx context.Context, tx store.Store, accountID string, opt BootstrapOptions) (RootCredentials, error) {
	var existing *store.Credential
	after := int64(0)
	for existing == nil {
		page, err := tx.Credentials().ListByAccount(ctx, accountID, after, 100)
		if err != nil {
			return RootCredentials{}, err
		}
		for i := range page {
			if page[i].Kind == store.KindRoot {
				existing = &page[i]
				break
			}
		}
		if len(page) < 100 {
			break
		}
		after = page[len(page)-1].Seq
	}
	if existing != nil {
		sk, err := s.Keys.Open(existing.SecretSealed, authn.SecretAAD(existing.AccessKey))
		if err != nil {
			return RootCredentials{}, ErrWrongMasterKey
		}
		if opt.AccessKey == "" || (opt.AccessKey == existing.AccessKey && opt.SecretKey == string(sk)) {
			return RootCredentials{AccessKey: existing.AccessKey, SecretKey: string(sk), AccountID: accountID}, nil
		}
		// The operator fixed other root keys: the old one stops working.
		if err := tx.Credentials().Delete(ctx, existing.AccessKey); err != nil {
			return RootCredentials{}, err
		}
	}
	ak, sk := opt.AccessKey, opt.SecretKey
	if ak == "" {
		ak, sk = s.IDs.AccessKey(), s.IDs.SecretKey()
	}
	err := tx.Credentials().Create(ctx, store.Credential{
		AccessKey: ak, AccountID: accountID, Kind: store.KindRoot,
		SecretSealed: s.Keys.Seal([]byte(sk), authn.SecretAAD(ak)),
		Description:  "management account root key", CreatedAt: s.Now().UTC(),
	})
	if errors.Is(err, store.ErrConflict) {
		return RootCredentials{}, fmt.Errorf("root access key %s is already used by another credential", ak)
	}
	if err != nil {
		return RootCredentials{}, err
	}
	return RootCredentials{AccessKey: ak, SecretKey: sk, AccountID: accountID}, nil
}

// Projects returns the account's projects.
func (s *Service) Projects(ctx context.Context, accountID string) ([]store.Project, error) {
	return s.Store.Projects().ListByAccount(ctx, accountID)
}

// Get returns an account.
func (s *Service) Get(ctx context.Context, accountID string) (store.Account, error) {
	return s.Store.Accounts().Get(ctx, accountID)
}
