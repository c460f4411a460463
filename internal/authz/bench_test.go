package authz_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/account"
	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
)

// BenchmarkVerifyAndAuthorize is the per-request cost of a signed call made
// with a scoped key: signature verification (authn, credential cached) plus
// the policy decision over one managed and one custom policy with
// conditions (custom policy cached), exactly as httpx.Guard runs them.
func BenchmarkVerifyAndAuthorize(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			ctx := context.Background()
			st, keys, root := benchRoot(b, d)
			mustPolicy(b, st, root.AccountID, "custom-1", `{"Version":"5.0","Statement":[
				{"Effect":"Allow","Action":["IdentityCenter:*:list*"],"Condition":{"IpAddress":{"g:SourceIp":["192.0.2.0/24"]}}},
				{"Effect":"Deny","Action":["IdentityCenter:*:delete*"],"Condition":{"Bool":{"g:MFAPresent":["false"]}}}]}`)
			const ak, sk = "SCOPEDBENCH000000001", "scopedBenchSecret0000000000000000000001"
			if err := st.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: root.AccountID, Kind: store.KindScoped,
				SecretSealed: keys.Seal([]byte(sk), authn.SecretAAD(ak)), PolicyIDs: []string{mid(b, "IdentityCenter ReadOnlyAccess"), "custom-1"},
				CreatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			an := authn.New(st, keys, time.Now)
			az := authz.NewPolicies(st)
			r := httptest.NewRequest("GET", "/v1/instances?limit=100", nil)
			r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
			r.Header.Set("X-Domain-Id", root.AccountID)
			aksk.Sign(r, ak, sk, nil, time.Now())
			now := time.Now()
			op := authz.OperationByName("ListInstances") // as httpx.Guard fills the request
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := an.Authenticate(ctx, r, nil, authn.Options{})
				if err != nil {
					b.Fatal(err)
				}
				req := authz.Request{Action: op.Action, Alternates: op.Alternates, LegacyAction: op.LegacyAction, Dependencies: op.Dependencies,
					SourceIP: httpxSourceIP, SecureTransport: true, Time: now}
				if err := az.Authorize(ctx, p, &req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthorizeOnly is the policy decision alone.
func BenchmarkAuthorizeOnly(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	mustPolicy(b, st, acct, "custom-1", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:*:list*"],"Condition":{"IpAddress":{"g:SourceIp":["192.0.2.0/24"]}}}]}`)
	az := authz.NewPolicies(st)
	p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: []string{mid(b, "IdentityCenter ReadOnlyAccess"), "custom-1"}}
	op := authz.OperationByName("ListInstances")
	req := &authz.Request{Action: op.Action, Alternates: op.Alternates, LegacyAction: op.LegacyAction, Dependencies: op.Dependencies,
		SourceIP: httpxSourceIP, Time: time.Now()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := az.Authorize(ctx, p, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAndAuthorizeAgencySession is BenchmarkVerifyAndAuthorize
// for temporary credentials of an agency session (as GetAgencyCredentials
// issues them): the security token checked, and the policies resolved from
// the agency (one managed policy and a custom policy with conditions, both
// cached) with a principal tag in the context.
func BenchmarkVerifyAndAuthorizeAgencySession(b *testing.B) {
	for _, d := range sqltest.Dialects() {
		b.Run(sqltest.Name(d), func(b *testing.B) {
			ctx := context.Background()
			st, keys, root := benchRoot(b, d)
			now := time.Now()
			inst := store.Instance{ID: "ins-00000000000000b1", AccountID: root.AccountID, IdentityStoreID: "d-00000000b1", RegionID: "cn-north-4", CreatedAt: now}
			pol := store.PolicySet{ManagedPolicies: []string{mid(b, "IdentityCenter ReadOnlyAccess")}, CustomPolicy: `{"Version":"5.0","Statement":[
				{"Effect":"Allow","Action":["IdentityCenter:*:list*"],"Condition":{"StringEquals":{"g:PrincipalTag/department":["engineering"]}}},
				{"Effect":"Deny","Action":["IdentityCenter:*:delete*"],"Condition":{"Bool":{"g:MFAPresent":["false"]}}}]}`}
			ps := store.PermissionSet{InstanceID: inst.ID, ID: "ps-00000000000000b1", Name: "Bench", SessionDuration: "PT1H", Policies: pol, Version: 1, CreatedAt: now, UpdatedAt: now}
			ag := store.Agency{InstanceID: inst.ID, AccountID: root.AccountID, PermissionSetID: ps.ID, Name: "IdentityCenter_Bench",
				URN: "iam::" + root.AccountID + ":agency:IdentityCenter_Bench", Version: 1, Policies: pol, SessionDuration: "PT1H", CreatedAt: now, UpdatedAt: now}
			const ak, sk, token = "TEMPBENCH00000000001", "tempBenchSecret0000000000000000000000001", "tempBenchToken00000000000000000000000000000000000000000000000000000000000000001"
			for _, err := range []error{
				st.Instances().Create(ctx, inst), st.PermissionSets().Create(ctx, ps), st.Agencies().Put(ctx, ag),
				st.Credentials().Create(ctx, store.Credential{AccessKey: ak, AccountID: root.AccountID, Kind: store.KindTemporary,
					SecretSealed: keys.Seal([]byte(sk), authn.SecretAAD(ak)), TokenHash: secrets.TokenHash(token), ExpiresAt: now.Add(time.Hour),
					UserID: "u-1", UserName: "alice", SessionName: "alice", AgencyURN: ag.URN, PrincipalTags: map[string]string{"department": "engineering"},
					Agency: store.AgencyRef{InstanceID: inst.ID, PermissionSetID: ps.ID}, CreatedAt: now}),
			} {
				if err != nil {
					b.Fatal(err)
				}
			}
			an := authn.New(st, keys, time.Now)
			az := authz.NewPolicies(st)
			r := httptest.NewRequest("GET", "/v1/instances?limit=100", nil)
			r.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
			r.Header.Set("X-Domain-Id", root.AccountID)
			r.Header.Set(aksk.SecurityTokenHeader, token)
			aksk.Sign(r, ak, sk, nil, time.Now())
			op := authz.OperationByName("ListInstances")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := an.Authenticate(ctx, r, nil, authn.Options{})
				if err != nil {
					b.Fatal(err)
				}
				req := authz.Request{Action: op.Action, Alternates: op.Alternates, LegacyAction: op.LegacyAction, Dependencies: op.Dependencies,
					SourceIP: httpxSourceIP, SecureTransport: true, Time: now}
				if err := az.Authorize(ctx, p, &req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRoot opens a store of dialect d with a bootstrapped root account.
func benchRoot(b *testing.B, d string) (store.Store, *secrets.Keyring, account.RootCredentials) {
	b.Helper()
	st := sqltest.Open(b, d).Store()
	keys, _ := secrets.New(make([]byte, 32))
	acc := &account.Service{Store: st, Keys: keys, Now: time.Now}
	root, err := acc.Bootstrap(context.Background(), account.BootstrapOptions{Regions: []string{"cn-north-4"}})
	if err != nil {
		b.Fatal(err)
	}
	return st, keys, root
}
