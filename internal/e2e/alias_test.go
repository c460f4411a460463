package e2e

import (
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// CreateAlias through the SDK: the portal alias is set once (IIC.1270 on a
// change), follows the product's sub-domain rule and shows in ListInstances.
func TestCreateAliasThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		instanceID, _ := srv.EnableIdentityCenter(t)
		c := srv.Center(t)
		alias := func(id, a string) error {
			_, err := c.CreateAlias(&model.CreateAliasRequest{InstanceId: id, Body: &model.CreateAliasReqBody{Alias: a}})
			return err
		}
		for _, bad := range []string{"", "-portal", "portal-", "d-portal", "D-portal", "por_tal", "p\u00e9", strings.Repeat("a", 63)} {
			testenv.WantError(t, alias(instanceID, bad), 400, "IIC.400")
		}
		testenv.WantError(t, alias("ins-0000000000000000", "portal"), 404, "IIC.1259")
		if err := alias(instanceID, "my-portal-1"); err != nil {
			t.Fatal(err)
		}
		if err := alias(instanceID, "my-portal-1"); err != nil {
			t.Fatalf("setting the same alias again: %v", err)
		}
		testenv.WantError(t, alias(instanceID, "other"), 409, "IIC.1270")
		list, err := c.ListInstances(&model.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 1 || (*list.Instances)[0].Alias == nil || *(*list.Instances)[0].Alias != "my-portal-1" {
			t.Fatalf("ListInstances = %+v, %v", list, err)
		}
	})
}
