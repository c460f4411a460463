package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/testenv"
)

// identityStoreOps is every operation of the SDK's identitycenterstore
// service (v0.1.207: 54), as the SDK itself describes its method and path.
var identityStoreOps = map[string]func() *def.HttpRequestDef{
	"BatchDeleteSessions":                         ics.GenReqDefForBatchDeleteSessions,
	"BatchListMfaDevicesForUser":                  ics.GenReqDefForBatchListMfaDevicesForUser,
	"CreateBearerToken":                           ics.GenReqDefForCreateBearerToken,
	"CreateExternalIdPConfigurationForDirectory":  ics.GenReqDefForCreateExternalIdPConfigurationForDirectory,
	"CreateGroup":                                 ics.GenReqDefForCreateGroup,
	"CreateGroupMembership":                       ics.GenReqDefForCreateGroupMembership,
	"CreateProvisioningTenant":                    ics.GenReqDefForCreateProvisioningTenant,
	"CreateSpCertificate":                         ics.GenReqDefForCreateSpCertificate,
	"CreateUser":                                  ics.GenReqDefForCreateUser,
	"DeleteBearerToken":                           ics.GenReqDefForDeleteBearerToken,
	"DeleteExternalIdPCertificate":                ics.GenReqDefForDeleteExternalIdPCertificate,
	"DeleteExternalIdPConfigurationForDirectory":  ics.GenReqDefForDeleteExternalIdPConfigurationForDirectory,
	"DeleteGroup":                                 ics.GenReqDefForDeleteGroup,
	"DeleteGroupMembership":                       ics.GenReqDefForDeleteGroupMembership,
	"DeleteMfaDeviceForUser":                      ics.GenReqDefForDeleteMfaDeviceForUser,
	"DeleteProvisioningTenant":                    ics.GenReqDefForDeleteProvisioningTenant,
	"DeleteSpCertificate":                         ics.GenReqDefForDeleteSpCertificate,
	"DeleteUser":                                  ics.GenReqDefForDeleteUser,
	"DescribeGroup":                               ics.GenReqDefForDescribeGroup,
	"DescribeGroupMembership":                     ics.GenReqDefForDescribeGroupMembership,
	"DescribeGroups":                              ics.GenReqDefForDescribeGroups,
	"DescribePasswordPolicy":                      ics.GenReqDefForDescribePasswordPolicy,
	"DescribeUser":                                ics.GenReqDefForDescribeUser,
	"DescribeUsers":                               ics.GenReqDefForDescribeUsers,
	"DisableExternalIdPConfigurationForDirectory": ics.GenReqDefForDisableExternalIdPConfigurationForDirectory,
	"DisableUser":                                 ics.GenReqDefForDisableUser,
	"EnableExternalIdPConfigurationForDirectory":  ics.GenReqDefForEnableExternalIdPConfigurationForDirectory,
	"EnableUser":                                  ics.GenReqDefForEnableUser,
	"GetGroupId":                                  ics.GenReqDefForGetGroupId,
	"GetGroupMembershipId":                        ics.GenReqDefForGetGroupMembershipId,
	"GetIdentityStoreSummary":                     ics.GenReqDefForGetIdentityStoreSummary,
	"GetSpConfigurationForDirectory":              ics.GenReqDefForGetSpConfigurationForDirectory,
	"GetUserId":                                   ics.GenReqDefForGetUserId,
	"ImportExternalIdPCertificate":                ics.GenReqDefForImportExternalIdPCertificate,
	"IsMemberInGroups":                            ics.GenReqDefForIsMemberInGroups,
	"ListBearerTokens":                            ics.GenReqDefForListBearerTokens,
	"ListExternalIdPCertificates":                 ics.GenReqDefForListExternalIdPCertificates,
	"ListExternalIdPConfigurationsForDirectory":   ics.GenReqDefForListExternalIdPConfigurationsForDirectory,
	"ListGroupMemberships":                        ics.GenReqDefForListGroupMemberships,
	"ListGroupMembershipsForMember":               ics.GenReqDefForListGroupMembershipsForMember,
	"ListGroups":                                  ics.GenReqDefForListGroups,
	"ListProvisioningTenants":                     ics.GenReqDefForListProvisioningTenants,
	"ListSessions":                                ics.GenReqDefForListSessions,
	"ListSpCertificates":                          ics.GenReqDefForListSpCertificates,
	"ListUsers":                                   ics.GenReqDefForListUsers,
	"RegisterMfaDeviceForUser":                    ics.GenReqDefForRegisterMfaDeviceForUser,
	"ResetPwdMode":                                ics.GenReqDefForResetPwdMode,
	"UpdateExternalIdPConfigurationForDirectory":  ics.GenReqDefForUpdateExternalIdPConfigurationForDirectory,
	"UpdateGroup":                                 ics.GenReqDefForUpdateGroup,
	"UpdateMfaDeviceForUser":                      ics.GenReqDefForUpdateMfaDeviceForUser,
	"UpdatePasswordPolicy":                        ics.GenReqDefForUpdatePasswordPolicy,
	"UpdateSpActiveCertificate":                   ics.GenReqDefForUpdateSpActiveCertificate,
	"UpdateUser":                                  ics.GenReqDefForUpdateUser,
	"VerifyEmail":                                 ics.GenReqDefForVerifyEmail,
}

var sdkPathVar = regexp.MustCompile(`\{[^}]+\}`)

// routeKey normalizes "METHOD /path/{x}" so that SDK paths and our route
// patterns compare regardless of placeholder names.
func routeKey(method, path string) string {
	return strings.ToUpper(method) + " " + sdkPathVar.ReplaceAllString(path, "{}")
}

// TestMain runs the end-to-end tests and then, when the whole suite ran
// (no -run or -skip filter, not -short), checks that every identitycenterstore SDK operation was
// answered successfully through the SDK by at least one test.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := loadRouteTable(); err != nil {
		fmt.Fprintln(os.Stderr, "route table:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" && !testing.Short() {
		if missing := uncoveredStoreOps(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: identitycenterstore operations no test exercised successfully: %v\n", missing)
			code = 1
		}
	}
	os.Exit(code)
}

func uncoveredStoreOps() []string {
	var missing []string
	for name, gen := range identityStoreOps {
		d := gen()
		if !testenv.Covered(mountedPattern(d.Method, d.Path)) {
			missing = append(missing, name)
		}
	}
	return missing
}

// mountedPatterns maps routeKey → the pattern our router mounts.
var mountedPatterns map[string]string

func mountedPattern(method, path string) string { return mountedPatterns[routeKey(method, path)] }

// loadRouteTable reads the mounted operations from one app (the route
// table does not depend on the store or the data).
func loadRouteTable() error {
	dir, err := os.MkdirTemp("", "iic-routes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	a, err := app.New(context.Background(), app.Config{Listen: "127.0.0.1:0", DataDir: dir, LogOutput: io.Discard, LogLevel: "error"})
	if err != nil {
		return err
	}
	defer a.Close()
	mountedPatterns = map[string]string{}
	for _, op := range a.Ops() {
		method, path, _ := strings.Cut(op.Pattern, " ")
		mountedPatterns[routeKey(method, path)] = op.Pattern
	}
	return nil
}

// Every SDK operation is mounted, under the SDK's method and path.
func TestEverySDKStoreOperationIsMounted(t *testing.T) {
	if n := len(identityStoreOps); n != 54 {
		t.Fatalf("the SDK lists %d identitycenterstore operations, want 54", n)
	}
	for name, gen := range identityStoreOps {
		d := gen()
		if mountedPattern(d.Method, d.Path) == "" {
			t.Errorf("%s (%s %s) is not mounted", name, d.Method, d.Path)
		}
	}
}
