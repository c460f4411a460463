package e2e

import (
	"testing"

	icmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// Identity-store calls pass through the policy engine like every other:
// the IdentityStore managed policies and a custom Deny decide them.
func TestIdentityStorePoliciesThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, root, sid := identityStore(t, dialect)
		alice, _ := createUser(t, root, sid, "alice")

		// IdentityStore ReadOnlyAccess reads, and is refused every write.
		ak, sk := srv.CreateKey(t, managedID(t, "IdentityStore ReadOnlyAccess"))
		ro := srv.IdentityStoreAs(t, ak, sk)
		if _, err := ro.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid}); err != nil {
			t.Fatalf("read-only ListUsers: %v", err)
		}
		if _, err := ro.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: alice}); err != nil {
			t.Fatalf("read-only DescribeUser: %v", err)
		}
		_, err := ro.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("bob", otpMode)})
		if se := testenv.WantError(t, err, 403, "IIC.1000"); se.ErrorMessage != "No permission for action IdentityCenter:user:create." {
			t.Fatalf("message %q", se.ErrorMessage)
		}
		_, err = ro.DisableUser(&model.DisableUserRequest{IdentityStoreId: sid, UserId: alice})
		testenv.WantError(t, err, 403, "IIC.1000")

		// IdentityStore FullAccess writes the store, but not the service.
		ak, sk = srv.CreateKey(t, managedID(t, "IdentityStore FullAccess"))
		full := srv.IdentityStoreAs(t, ak, sk)
		bob, _ := createUser(t, full, sid, "bob")
		_, err = srv.CenterAs(t, ak, sk, "", nil).DeleteIdentityCenter(&icmodel.DeleteIdentityCenterRequest{})
		testenv.WantError(t, err, 403, "IIC.1000")

		// A custom policy: users and groups, but not deleting users.
		pid := srv.CreatePolicy(t, "no-user-delete", `{"Version":"5.0","Statement":[
			{"Effect":"Allow","Action":["IdentityCenter:user:*","IdentityCenter:group:*"]},
			{"Sid":"KeepUsers","Effect":"Deny","Action":["IdentityCenter:user:delete"]}]}`)
		ak, sk = srv.CreateKey(t, pid)
		custom := srv.IdentityStoreAs(t, ak, sk)
		if _, err := custom.DisableUser(&model.DisableUserRequest{IdentityStoreId: sid, UserId: bob}); err != nil {
			t.Fatalf("custom key DisableUser: %v", err)
		}
		_, err = custom.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: bob})
		testenv.WantError(t, err, 403, "IIC.1000")
		if _, err := root.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: bob}); err != nil {
			t.Fatalf("the denied delete deleted: %v", err)
		}
	})
}
