// Command identitystore manages people and groups in an iic identity store
// through the official Huawei Cloud Go SDK: it finds the store of the
// account's Identity Center instance (enabling Identity Center in cn-north-4
// on a fresh server), creates a user (with a one-time password) and a group,
// adds the user to it and checks the membership.
//
//	go run ./examples/identitystore [--url URL] [--creds FILE] alice
//
// --url defaults to $IIC_URL, else http://127.0.0.1:8080; --creds to
// $IIC_CREDENTIALS, else root-credentials.json in $IIC_DATA_DIR (default
// ./data), which iic serve writes. IIC_ACCESS_KEY and IIC_SECRET_KEY, both
// set, are used instead of a file unless --creds is given. User names are
// unique in a store: a second run needs another name.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
)

func main() {
	var url, credsFile string
	flag.StringVar(&url, "url", env("IIC_URL", "http://127.0.0.1:8080"), "your iic server (env IIC_URL)")
	flag.StringVar(&credsFile, "creds", "", "credentials file written by iic serve (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	flag.Parse()
	name := "alice"
	if flag.NArg() > 0 {
		name = flag.Arg(0)
	}
	ak, sk, token := credentials(credsFile)
	reg := region.NewRegion("cn-north-4", url)

	// The identity store id comes from the instance (identitycenter, global credentials).
	center := ic.NewIdentityCenterClient(ic.IdentityCenterClientBuilder().WithRegion(reg).
		WithCredential(global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithSecurityToken(token).WithIamEndpointOverride(url).Build()).Build())
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
	sid := (*inst.Instances)[0].IdentityStoreId

	// identitycenterstore takes basic credentials (the SDK finds the project via GET /v3/projects).
	store := ics.NewIdentityCenterStoreClient(ics.IdentityCenterStoreClientBuilder().WithRegion(reg).
		WithCredential(basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithSecurityToken(token).WithIamEndpointOverride(url).Build()).Build())
	user, err := store.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: &model.CreateUserReqBody{
		UserName: name, DisplayName: name, PasswordMode: model.GetCreateUserReqBodyPasswordModeEnum().OTP,
		Name:   &model.NameDto{GivenName: name, FamilyName: "Example"},
		Emails: []model.EmailDto{{Value: name + "@example.com", Type: "work", Primary: true}},
	}})
	check("CreateUser", err)
	fmt.Printf("user %s (%s), one-time password %s\n", name, *user.UserId, *user.Password)

	group, err := store.CreateGroup(&model.CreateGroupRequest{IdentityStoreId: sid, Body: &model.CreateGroupReqBody{DisplayName: name + "-admins"}})
	check("CreateGroup", err)
	_, err = store.CreateGroupMembership(&model.CreateGroupMembershipRequest{IdentityStoreId: sid,
		Body: &model.CreateGroupMembershipReqBody{GroupId: *group.GroupId, MemberId: &model.MemberIdDto{UserId: *user.UserId}}})
	check("CreateGroupMembership", err)
	in, err := store.IsMemberInGroups(&model.IsMemberInGroupsRequest{IdentityStoreId: sid,
		Body: &model.IsMemberInGroupsReqBody{MemberId: &model.MemberIdDto{UserId: *user.UserId}, GroupIds: []string{*group.GroupId}}})
	check("IsMemberInGroups", err)
	for _, r := range *in.Results {
		fmt.Printf("member of %s-admins: %v\n", name, *r.MembershipExists)
	}
}

func check(what string, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, what+":", err)
		os.Exit(1)
	}
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
