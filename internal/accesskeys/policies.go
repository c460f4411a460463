package accesskeys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
)

// Limits.
const (
	MaxPolicyName        = 128
	MaxPolicyDescription = 1000
	MaxCustomPolicies    = 500 // per account
	MaxKeyPolicies       = 20  // policies bound to one scoped key
	MaxKeyDescription    = 255
	MaxKeyUserName       = 64
	MaxScopedKeys        = 100 // per account
)

// Service manages custom policies and scoped access keys.
type Service struct {
	Store  store.Store
	Keys   *secrets.Keyring
	IDs    ids.Generator
	Now    func() time.Time
	Paging *paging.Signer
	// Authz is the live authorizer: simulations resolve stored policies
	// through it, and deletions invalidate its cache.
	Authz *authz.Policies
	// InvalidateKey forgets a cached credential (authn.Authenticator.Invalidate).
	InvalidateKey func(ak string)
}

// PolicyInput is a custom policy to create.
type PolicyInput struct {
	Name        string
	Description string
	Document    []byte // the policy JSON text
}

// DocumentText returns the policy text of a JSON value that is either the
// policy object itself or a string holding it (the Huawei APIs send policy
// documents as strings). Anything else is a 400 IIC.400 naming field.
func DocumentText(field string, raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, apierr.IIC400_400.New(field + " is required")
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, apierr.IIC400_400.New(field + " is not a valid JSON string")
		}
		return []byte(s), nil
	case raw[0] == '{':
		return raw, nil
	}
	return nil, apierr.IIC400_400.New(field + " must be a JSON object or a string holding one")
}

// CheckDocument parses a policy text strictly and maps failures to API
// errors: IIC.1293 when it is longer than 6,144 characters, else IIC.400
// naming field and the JSON path of the problem.
func CheckDocument(field string, text []byte) (*policy.Document, error) {
	if utf8.RuneCount(text) > policy.MaxDocumentChars {
		return nil, apierr.IIC1293.New()
	}
	doc, err := policy.Parse(text)
	if errors.Is(err, policy.ErrTooLarge) {
		return nil, apierr.IIC1293.New()
	}
	if err != nil {
		return nil, apierr.IIC400_400.New(field + ": " + err.Error())
	}
	return doc, nil
}

func checkPolicyName(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 1 || n > MaxPolicyName {
		return apierr.IIC400_400.New("policy_name must be 1-128 characters")
	}
	for _, r := range name {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(" +=,.@_-", r)
		if !ok {
			return apierr.IIC400_400.New("policy_name may contain only letters, digits, spaces and +=,.@_-")
		}
	}
	return nil
}

// CreatePolicy validates and stores a custom policy of account.
func (s *Service) CreatePolicy(ctx context.Context, account string, in PolicyInput) (store.Policy, error) {
	if err := checkPolicyName(in.Name); err != nil {
		return store.Policy{}, err
	}
	if utf8.RuneCountInString(in.Description) > MaxPolicyDescription {
		return store.Policy{}, apierr.IIC400_400.New("description must be at most 1000 characters")
	}
	if _, err := CheckDocument("policy_document", in.Document); err != nil {
		return store.Policy{}, err
	}
	now := s.Now().UTC()
	p := store.Policy{AccountID: account, ID: s.IDs.UUID(), Name: in.Name, Description: in.Description,
		Document: in.Document, CreatedAt: now, UpdatedAt: now}
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		n, err := tx.Policies().Count(ctx, account)
		if err != nil {
			return err
		}
		if n >= MaxCustomPolicies {
			return apierr.IIC400_400.New("the account already has the maximum of 500 custom policies")
		}
		err = tx.Policies().Create(ctx, p)
		if errors.Is(err, store.ErrConflict) {
			return apierr.IIC1257.New()
		}
		return err
	})
	if err != nil {
		return store.Policy{}, err
	}
	return s.Store.Policies().Get(ctx, account, p.ID)
}

// GetPolicy returns a custom policy of account (404 IIC.1211 if absent).
func (s *Service) GetPolicy(ctx context.Context, account, id string) (store.Policy, error) {
	p, err := s.Store.Policies().Get(ctx, account, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, apierr.IIC1211.New()
	}
	return p, err
}

// PolicyPage is one page of ListPolicies.
type PolicyPage struct {
	Policies   []store.Policy
	NextMarker string
}

// ListPolicies lists the account's custom policies.
func (s *Service) ListPolicies(ctx context.Context, account string, limit int, marker string) (PolicyPage, error) {
	scope := "policies:" + account
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return PolicyPage{}, err
	}
	rows, err := s.Store.Policies().List(ctx, account, after, limit+1)
	if err != nil {
		return PolicyPage{}, err
	}
	var page PolicyPage
	page.Policies, page.NextMarker = paging.Trim(s.Paging, scope, rows, limit, func(p store.Policy) int64 { return p.Seq })
	return page, nil
}

// DeletePolicy deletes a custom policy that no scoped key is bound to.
func (s *Service) DeletePolicy(ctx context.Context, account, id string) error {
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.Policies().Get(ctx, account, id); err != nil {
			return err
		}
		var users []string
		err := eachCredential(ctx, tx, account, func(c store.Credential) {
			for _, pid := range c.PolicyIDs {
				if pid == id && c.Kind == store.KindScoped {
					users = append(users, c.AccessKey)
				}
			}
		})
		if err != nil {
			return err
		}
		if len(users) > 0 {
			if len(users) > 5 {
				users = append(users[:5], "...")
			}
			return apierr.IIC400_400.New("policy " + id + " is bound to access key(s) " + strings.Join(users, ", ") + "; delete them first")
		}
		return tx.Policies().Delete(ctx, account, id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1211.New()
	}
	if err == nil && s.Authz != nil {
		s.Authz.Invalidate(account, id)
	}
	return err
}

// eachCredential calls fn for every credential of account.
func eachCredential(ctx context.Context, st store.Store, account string, fn func(store.Credential)) error {
	after := int64(0)
	for {
		page, err := st.Credentials().ListByAccount(ctx, account, after, 200)
		if err != nil {
			return err
		}
		for _, c := range page {
			fn(c)
			after = c.Seq
		}
		if len(page) < 200 {
			return nil
		}
	}
}
