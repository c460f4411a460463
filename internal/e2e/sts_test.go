package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// GetCallerIdentity through the real SDK answers who signed: the root key,
// a scoped key whose policy denies everything (the operation needs no
// permission), and an agency session (the session name is the user's);
// the other STS operations answer that iic does not support them, and an
// unsigned call is a 401.
func TestSTSGetCallerIdentity(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		acct := srv.App.Root.AccountID
		who := func(ak, sk, token string) (string, string, string) {
			t.Helper()
			out, err := srv.STSAs(t, ak, sk, token).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
			if err != nil {
				t.Fatal(err)
			}
			return *out.AccountId, *out.PrincipalUrn, *out.PrincipalId
		}
		if a, urn, id := who(srv.App.Root.AccessKey, srv.App.Root.SecretKey, ""); a != acct || urn != "iam::"+acct+":root" || id != acct {
			t.Errorf("root: %s %s %s", a, urn, id)
		}
		denyAll := srv.CreatePolicy(t, "deny-all", `{"Version":"5.0","Statement":[{"Effect":"Deny","Action":["*"]}]}`)
		ak, sk := srv.CreateKey(t, denyAll)
		if a, urn, id := who(ak, sk, ""); a != acct || urn != "iam::"+acct+":accessKey:"+ak || id != ak {
			t.Errorf("scoped key: %s %s %s", a, urn, id)
		}

		// One access key per run: the SDK caches the project it found per key.
		tak, tsk, token := "TEMPSTS"+strings.ToUpper(dialect[:2])+"00000000001", "tempStsSecret0000000000000000000000000001", "token-sts-1"
		err := srv.App.Store.Credentials().Create(context.Background(), store.Credential{
			AccessKey: tak, AccountID: acct, Kind: store.KindTemporary,
			SecretSealed: srv.App.Keys.Seal([]byte(tsk), authn.SecretAAD(tak)), TokenHash: secrets.TokenHash(token),
			ExpiresAt: time.Now().Add(time.Hour), SessionName: "alice", AgencyURN: "iam::" + acct + ":agency:ops-admins", CreatedAt: time.Now(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if a, urn, id := who(tak, tsk, token); a != acct || urn != "sts::"+acct+":assumed-agency:ops-admins/alice" || id != "ops-admins:alice" {
			t.Errorf("agency session: %s %s %s", a, urn, id)
		}
		_, err = srv.STSAs(t, tak, tsk, "wrong-token").GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")

		_, err = srv.STSAs(t, srv.App.Root.AccessKey, srv.App.Root.SecretKey, "").AssumeAgency(&stsmodel.AssumeAgencyRequest{
			Body: &stsmodel.AssumeAgencyReqBody{AgencyUrn: "iam::" + acct + ":agency:x", AgencySessionName: "s"}})
		testenv.WantError(t, err, 400, "IIC.400")
		if resp, _ := srv.Do(t, "GET", "/v5/caller-identity", nil, nil, false); resp.StatusCode != 401 {
			t.Errorf("unsigned GetCallerIdentity: %d", resp.StatusCode)
		}
	})
}
