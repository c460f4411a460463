// Command access gives a group access to a member account through the
// official Huawei Cloud Go SDK, pointed at an iic server — the path an
// administrator takes after the first start. It finds the Identity Center
// instance (enabling Identity Center in cn-north-4 on a fresh server),
// creates a member account in the organization (CreateAccount is
// asynchronous: it waits for "succeeded"), a group in the identity store and
// a permission set with 4-hour sessions and a custom identity policy, then
// assigns the permission set to the group in the account (asynchronous: it
// waits for SUCCEEDED) and shows what was provisioned there.
//
//	go run ./examples/access [--url URL] [--creds FILE] [NAME]
//
// NAME (default "dev") names the account, the group and the permission set;
// each is unique, so a second run needs another name. --url defaults to
// $IIC_URL, else http://127.0.0.1:8080; --creds to $IIC_CREDENTIALS, else
// root-credentials.json in $IIC_DATA_DIR (default ./data), which iic serve
// writes. IIC_ACCESS_KEY and IIC_SECRET_KEY, both set, are used instead of
// a file unless --creds is given.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	storemodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
	org "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1"
	orgmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"
)

// readOnlyPolicy is the permission set's custom identity policy (v5).
const readOnlyPolicy = `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["ecs:*:get*","ecs:*:list*"],"Resource":["*"]}]}`

func main() {
	var url, credsFile string
	flag.StringVar(&url, "url", env("IIC_URL", "http://127.0.0.1:8080"), "your iic server (env IIC_URL)")
	flag.StringVar(&credsFile, "creds", "", "credentials file written by iic serve (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	flag.Parse()
	name := "dev"
	if flag.NArg() > 0 {
		name = flag.Arg(0)
	}
	ak, sk, token := credentials(credsFile)
	reg := region.NewRegion("cn-north-4", url)
	globalCred := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithSecurityToken(token).WithIamEndpointOverride(url).Build()

	// 1. The instance and its identity store.
	center := ic.NewIdentityCenterClient(ic.IdentityCenterClientBuilder().WithRegion(reg).WithCredential(globalCred).Build())
	inst, err := center.ListInstances(&icmodel.ListInstancesRequest{})
	check("ListInstances", err)
	if len(*inst.Instances) == 0 { // a fresh server: pick the home region and enable Identity Center
		_, err = center.RegisterRegion(&icmodel.RegisterRegionRequest{Body: &icmodel.RegisterRegionReqBody{RegionId: "cn-north-4"}})
		check("RegisterRegion", err)
		_, err = center.StartIdentityCenter(&icmodel.StartIdentityCenterRequest{})
		check("StartIdentityCenter", err)
		inst, err = center.ListInstances(&icmodel.ListInstancesRequest{})
		check("ListInstances", err)
		fmt.Println("enabled Identity Center in cn-north-4")
	}
	instanceID, storeID := (*inst.Instances)[0].InstanceId, (*inst.Instances)[0].IdentityStoreId

	// 2. A member account (organizations is a global service: one endpoint).
	orgs := org.NewOrganizationsClient(org.OrganizationsClientBuilder().WithEndpoints([]string{url}).WithCredential(globalCred).Build())
	created, err := orgs.CreateAccount(&orgmodel.CreateAccountRequest{Body: &orgmodel.CreateAccountReqBody{Name: name}})
	check("CreateAccount", err)
	status := created.CreateAccountStatus
	for deadline := time.Now().Add(time.Minute); status.State == "in_progress" && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		shown, err := orgs.ShowCreateAccountStatus(&orgmodel.ShowCreateAccountStatusRequest{CreateAccountStatusId: status.Id})
		check("ShowCreateAccountStatus", err)
		status = shown.CreateAccountStatus
	}
	if status.State != "succeeded" {
		fail("CreateAccount", fmt.Sprintf("state %s %s", status.State, deref(status.FailureReason)))
	}
	accountID := status.AccountId
	fmt.Printf("account %s (%s)\n", name, accountID)

	// 3. A group (identitycenterstore takes basic credentials).
	store := ics.NewIdentityCenterStoreClient(ics.IdentityCenterStoreClientBuilder().WithRegion(reg).
		WithCredential(basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithSecurityToken(token).WithIamEndpointOverride(url).Build()).Build())
	group, err := store.CreateGroup(&storemodel.CreateGroupRequest{IdentityStoreId: storeID,
		Body: &storemodel.CreateGroupReqBody{DisplayName: name + "-developers"}})
	check("CreateGroup", err)
	fmt.Printf("group %s-developers (%s)\n", name, *group.GroupId)

	// 4. A permission set: 4-hour sessions, read-only ECS access.
	ps, err := center.CreatePermissionSet(&icmodel.CreatePermissionSetRequest{InstanceId: instanceID,
		Body: &icmodel.CreatePermissionSetReqBody{Name: name + "-readonly", SessionDuration: ptr("PT4H")}})
	check("CreatePermissionSet", err)
	psID := *ps.PermissionSet.PermissionSetId
	_, err = center.PutCustomPolicyToPermissionSet(&icmodel.PutCustomPolicyToPermissionSetRequest{InstanceId: instanceID,
		PermissionSetId: psID, Body: &icmodel.PutCustomPolicyToPermissionSetReqBody{CustomPolicy: readOnlyPolicy}})
	check("PutCustomPolicyToPermissionSet", err)
	fmt.Printf("permission set %s-readonly (%s)\n", name, psID)

	// 5. The assignment, and the agency its provisioning materialized.
	assigned, err := center.CreateAccountAssignment(&icmodel.CreateAccountAssignmentRequest{InstanceId: instanceID,
		Body: &icmodel.CreateAccountAssignmentReqBody{PermissionSetId: psID, PrincipalId: *group.GroupId,
			PrincipalType: icmodel.GetCreateAccountAssignmentReqBodyPrincipalTypeEnum().GROUP,
			TargetId:      accountID, TargetType: icmodel.GetCreateAccountAssignmentReqBodyTargetTypeEnum().ACCOUNT}})
	check("CreateAccountAssignment", err)
	a := assigned.AccountAssignmentCreationStatus
	for deadline := time.Now().Add(time.Minute); a.Status.Value() == "IN_PROGRESS" && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		shown, err := center.DescribeAccountAssignmentCreationStatus(&icmodel.DescribeAccountAssignmentCreationStatusRequest{
			InstanceId: instanceID, RequestId: *a.RequestId})
		check("DescribeAccountAssignmentCreationStatus", err)
		a = shown.AccountAssignmentCreationStatus
	}
	if a.Status.Value() != "SUCCEEDED" {
		fail("CreateAccountAssignment", fmt.Sprintf("status %s %s", a.Status.Value(), deref(a.FailureReason)))
	}
	fmt.Printf("assignment %s: SUCCEEDED\n", *a.RequestId)
	provisioned, err := center.ListPermissionSetsProvisionedToAccount(&icmodel.ListPermissionSetsProvisionedToAccountRequest{
		InstanceId: instanceID, AccountId: accountID})
	check("ListPermissionSetsProvisionedToAccount", err)
	fmt.Printf("provisioned to %s: %v (agency IdentityCenter_%s-readonly)\n", accountID, *provisioned.PermissionSets, name)
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func check(what string, err error) {
	if err != nil {
		fail(what, err.Error())
	}
}

func fail(what, why string) {
	fmt.Fprintln(os.Stderr, what+":", why)
	os.Exit(1)
}

// credentials returns the access key pair and, for temporary credentials,
// the security token ("" for a permanent key): from file when given, else
// IIC_ACCESS_KEY, IIC_SECRET_KEY (both set) and IIC_SECURITY_TOKEN, else
// from $IIC_CREDENTIALS or <$IIC_DATA_DIR>/root-credentials.json. A file
// is what iic serve writes or what iic credentials --format json prints.
func credentials(file string) (ak, sk, token string) {
	if file == "" {
		if ak, sk := os.Getenv("IIC_ACCESS_KEY"), os.Getenv("IIC_SECRET_KEY"); ak != "" && sk != "" {
			return ak, sk, os.Getenv("IIC_SECURITY_TOKEN")
		}
		file = env("IIC_CREDENTIALS", filepath.Join(env("IIC_DATA_DIR", "data"), "root-credentials.json"))
	}
	var creds struct {
		AccessKey     string `json:"access_key"`
		SecretKey     string `json:"secret_key"`
		SecurityToken string `json:"security_token"` // temporary credentials (iic credentials --format json)
	}
	b, err := os.ReadFile(file)
	if err == nil {
		err = json.Unmarshal(b, &creds)
	}
	if err == nil && (creds.AccessKey == "" || creds.SecretKey == "") {
		err = fmt.Errorf("no access_key and secret_key in it")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "credentials %s: %v (point --creds or IIC_CREDENTIALS at the file iic serve wrote)\n", file, err)
		os.Exit(2)
	}
	return creds.AccessKey, creds.SecretKey, creds.SecurityToken
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
