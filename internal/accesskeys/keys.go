package accesskeys

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
)

// KeyInput is a scoped access key to create.
type KeyInput struct {
	PolicyIDs   []string
	Description string
	// UserName labels the key (g:UserName in policy conditions).
	UserName string
}

// CheckPolicyIDs verifies that ids are 1-20 distinct policies that exist
// for account: system-defined ids, or custom policies of account.
func (s *Service) CheckPolicyIDs(ctx context.Context, st store.Store, account string, ids []string) error {
	if len(ids) == 0 || len(ids) > MaxKeyPolicies {
		return apierr.IIC400_400.New("policy_ids must name 1-20 policies")
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return apierr.IIC1207.New()
		}
		seen[id] = true
		if managed.Lookup(id) != nil {
			continue
		}
		if managed.IsID(id) {
			return apierr.IIC1246.New(id)
		}
		if _, err := st.Policies().Get(ctx, account, id); errors.Is(err, store.ErrNotFound) {
			return apierr.IIC1211.New()
		} else if err != nil {
			return err
		}
	}
	return nil
}

// CreateKey creates a scoped access key of account bound to in.PolicyIDs and
// returns it with its secret key (which is never readable again).
func (s *Service) CreateKey(ctx context.Context, account string, in KeyInput) (store.Credential, string, error) {
	if utf8.RuneCountInString(in.Description) > MaxKeyDescription {
		return store.Credential{}, "", apierr.IIC400_400.New("description must be at most 255 characters")
	}
	if utf8.RuneCountInString(in.UserName) > MaxKeyUserName {
		return store.Credential{}, "", apierr.IIC400_400.New("user_name must be at most 64 characters")
	}
	ak, sk := s.IDs.AccessKey(), s.IDs.SecretKey()
	c := store.Credential{
		AccessKey: ak, AccountID: account, Kind: store.KindScoped,
		SecretSealed: s.Keys.Seal([]byte(sk), authn.SecretAAD(ak)),
		Description:  in.Description, UserID: ak, UserName: in.UserName,
		PolicyIDs: append([]string(nil), in.PolicyIDs...), CreatedAt: s.Now().UTC(),
	}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := s.CheckPolicyIDs(ctx, tx, account, in.PolicyIDs); err != nil {
			return err
		}
		n := 0
		if err := eachCredential(ctx, tx, account, func(c store.Credential) {
			if c.Kind == store.KindScoped {
				n++
			}
		}); err != nil {
			return err
		}
		if n >= MaxScopedKeys {
			return apierr.IIC400_400.New("the account already has the maximum of 100 scoped access keys")
		}
		return tx.Credentials().Create(ctx, c)
	})
	if err != nil {
		return store.Credential{}, "", err
	}
	got, err := s.Store.Credentials().Get(ctx, ak)
	return got, sk, err
}

// KeyPage is one page of ListKeys.
type KeyPage struct {
	Keys       []store.Credential
	NextMarker string
}

// ListKeys lists the account's scoped access keys (root and temporary
// credentials are not listed).
func (s *Service) ListKeys(ctx context.Context, account string, limit int, marker string) (KeyPage, error) {
	scope := "access-keys:" + account
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return KeyPage{}, err
	}
	var rows []store.Credential
	for len(rows) <= limit {
		page, err := s.Store.Credentials().ListByAccount(ctx, account, after, 200)
		if err != nil {
			return KeyPage{}, err
		}
		for _, c := range page {
			after = c.Seq
			if c.Kind == store.KindScoped {
				rows = append(rows, c)
			}
		}
		if len(page) < 200 {
			break
		}
	}
	var out KeyPage
	out.Keys, out.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(c store.Credential) int64 { return c.Seq })
	return out, nil
}

// DeleteKey deletes a scoped access key of account; other credentials
// (the root key, temporary credentials) are 404 IIC.404 here.
func (s *Service) DeleteKey(ctx context.Context, account, ak string) error {
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		c, err := tx.Credentials().Get(ctx, ak)
		if err != nil {
			return err
		}
		if c.AccountID != account || c.Kind != store.KindScoped {
			return store.ErrNotFound
		}
		return tx.Credentials().Delete(ctx, ak)
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC404.New("scoped access key " + ak)
	}
	if err == nil && s.InvalidateKey != nil {
		s.InvalidateKey(ak)
	}
	return err
}
