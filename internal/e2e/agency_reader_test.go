package e2e

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// agencyReader is a permission set with IdentityCenter ReadOnlyAccess in
// the management account, whose temporary credentials a test gets through
// the portal API and tries through STS: the fixture of the tests that end
// sign-ins and check that the credentials issued in them end too.
type agencyReader struct {
	t        *testing.T
	srv      *testenv.Server
	ins, ps  string
	mgmt     string
	agencyID string // the provisioned agency's URN
}

// heldCredentials are temporary credentials as GetAgencyCredentials gives
// them.
type heldCredentials struct{ ak, sk, token string }

// newAgencyReader creates the permission set named name and assigns it to
// each user.
func newAgencyReader(t *testing.T, srv *testenv.Server, ins, name string, users ...string) *agencyReader {
	t.Helper()
	c := srv.Center(t)
	ps := createPS(t, c, ins, name)
	if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ps.PermissionSetId,
		Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
		t.Fatal(err)
	}
	mgmt := srv.App.Root.AccountID
	a := &agencyReader{t: t, srv: srv, ins: ins, ps: *ps.PermissionSetId, mgmt: mgmt, agencyID: "iam::" + mgmt + ":agency:IdentityCenter_" + name}
	for _, u := range users {
		a.assign("USER", u)
	}
	return a
}

// assign assigns the permission set to a principal (USER or GROUP) in the
// management account and runs the provisioning jobs.
func (a *agencyReader) assign(principalType, id string) {
	a.t.Helper()
	if _, err := assign(a.srv.Center(a.t), a.ins, a.ps, principalType, id, a.mgmt); err != nil {
		a.t.Fatal(err)
	}
	runJobs(a.t, a.srv)
}

// getCredentials calls GetAgencyCredentials with an access token.
func (a *agencyReader) getCredentials(access string) (heldCredentials, error) {
	out, err := a.srv.Portal(a.t).GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: access, TargetAccountId: a.mgmt, AgencyUrn: a.agencyID})
	if err != nil {
		return heldCredentials{}, err
	}
	cr := out.AgencyCredentials
	return heldCredentials{*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken}, nil
}

// issue is getCredentials, which must succeed.
func (a *agencyReader) issue(access string) heldCredentials {
	a.t.Helper()
	h, err := a.getCredentials(access)
	if err != nil {
		a.t.Fatalf("GetAgencyCredentials: %v", err)
	}
	return h
}

// call signs STS GetCallerIdentity with h.
func (a *agencyReader) call(h heldCredentials) error {
	_, err := a.srv.STSAs(a.t, h.ak, h.sk, h.token).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
	return err
}

// wantDead requires a call with h to be 401 IIC.1410; what names h.
func (a *agencyReader) wantDead(h heldCredentials, what string) {
	a.t.Helper()
	if err := a.call(h); err == nil {
		a.t.Fatalf("%s still work", what)
	} else {
		testenv.WantError(a.t, err, 401, "IIC.1410")
	}
}
