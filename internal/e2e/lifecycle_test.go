package e2e

import (
	"regexp"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

func forEachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) { fn(t, d) })
	}
}

// The service lifecycle through the real SDK, with the seed's rules.
func TestLifecycleThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.Center(t)

		_, err := c.GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{})
		testenv.WantError(t, err, 404, "IIC.1254")
		_, err = c.StartIdentityCenter(&model.StartIdentityCenterRequest{})
		testenv.WantError(t, err, 400, "IIC.1214")
		_, err = c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "mars-1"}})
		testenv.WantError(t, err, 400, "IIC.400")

		regions, err := c.DescribeRegisteredRegions(&model.DescribeRegisteredRegionsRequest{})
		if err != nil || regions.Regions == nil || len(*regions.Regions) != 0 {
			t.Fatalf("regions before register = %+v, %v; want an empty list", regions, err)
		}
		if _, err := c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "cn-north-4"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "cn-north-4"}}); err != nil {
			t.Fatalf("registering the same region again: %v", err)
		}
		_, err = c.RegisterRegion(&model.RegisterRegionRequest{Body: &model.RegisterRegionReqBody{RegionId: "ap-southeast-1"}})
		testenv.WantError(t, err, 409, "IIC.1216")
		regions, err = c.DescribeRegisteredRegions(&model.DescribeRegisteredRegionsRequest{})
		if err != nil || len(*regions.Regions) != 1 || (*regions.Regions)[0].RegionId != "cn-north-4" {
			t.Fatalf("regions = %+v, %v", regions, err)
		}

		st, err := c.GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{})
		if err != nil || st.ServiceStatus.Value() != "disable" || len(*st.ServiceStatusReasons) == 0 {
			t.Fatalf("status before start = %+v, %v", st, err)
		}
		if _, err := c.StartIdentityCenter(&model.StartIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		_, err = c.StartIdentityCenter(&model.StartIdentityCenterRequest{})
		testenv.WantError(t, err, 400, "IIC.1245")
		st, err = c.GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{})
		if err != nil || st.ServiceStatus.Value() != "enable" {
			t.Fatalf("status after start = %+v, %v", st, err)
		}

		list, err := c.ListInstances(&model.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 1 {
			t.Fatalf("ListInstances = %+v, %v", list, err)
		}
		in := (*list.Instances)[0]
		if !regexp.MustCompile(`^ins-[0-9a-f]{16}$`).MatchString(in.InstanceId) || !regexp.MustCompile(`^d-[0-9a-f]{10}$`).MatchString(in.IdentityStoreId) {
			t.Fatalf("id formats: instance %q, identity store %q", in.InstanceId, in.IdentityStoreId)
		}
		if in.InstanceUrn == nil || *in.InstanceUrn != "IdentityCenter::"+srv.App.Root.AccountID+":instance:"+in.InstanceId {
			t.Fatalf("instance_urn = %v", in.InstanceUrn)
		}
		if list.PageInfo == nil || list.PageInfo.NextMarker != "" || *list.PageInfo.CurrentCount != 1 {
			t.Fatalf("page_info = %+v", list.PageInfo)
		}
		for _, bad := range []int32{0, 101} {
			l := bad
			_, err := c.ListInstances(&model.ListInstancesRequest{Limit: &l})
			testenv.WantError(t, err, 400, "IIC.400")
		}
		m := "AAAAAAAAAAAAAAAAAAAAAAAA"
		_, err = c.ListInstances(&model.ListInstancesRequest{Marker: &m})
		testenv.WantError(t, err, 400, "IIC.400")

		// Deregistering the region while the instance exists fails.
		resp, body := srv.Do(t, "DELETE", "/v1/registered-regions/cn-north-4", nil, nil, true)
		wantEnvelope(t, resp, body, 400, "IIC.1253")

		if _, err := c.DeleteIdentityCenter(&model.DeleteIdentityCenterRequest{}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteIdentityCenter(&model.DeleteIdentityCenterRequest{})
		testenv.WantError(t, err, 404, "IIC.404")
		list, err = c.ListInstances(&model.ListInstancesRequest{})
		if err != nil || len(*list.Instances) != 0 {
			t.Fatalf("ListInstances after delete = %+v, %v", list, err)
		}
		resp, body = srv.Do(t, "DELETE", "/v1/registered-regions/cn-north-4", nil, nil, true)
		if resp.StatusCode != 200 {
			t.Fatalf("deregister after delete: %d %s", resp.StatusCode, body)
		}
		_, err = c.GetIdentityCenterServiceStatus(&model.GetIdentityCenterServiceStatusRequest{})
		testenv.WantError(t, err, 404, "IIC.1254")
	})
}
