package e2e

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// sweepABAC is a valid access-control attribute configuration body.
const sweepABAC = `{"instance_access_control_attribute_configuration":{"access_control_attributes":[` +
	`{"key":"dept","value":{"source":["${path:enterprise.department}"]}}]}}`

// sweepInstanceSettings gives the bad-input sweep's instance an
// access-control attribute configuration (so that every settings read of
// the fingerprint answers 200) and returns the instance id.
func sweepInstanceSettings(t *testing.T, srv *testenv.Server) string {
	t.Helper()
	c := srv.Center(t)
	list, err := c.ListInstances(&model.ListInstancesRequest{})
	if err != nil || list.Instances == nil || len(*list.Instances) != 1 {
		t.Fatalf("ListInstances: %+v %v", list, err)
	}
	id := (*list.Instances)[0].InstanceId
	_, err = c.CreateInstanceAccessControlAttributeConfiguration(&model.CreateInstanceAccessControlAttributeConfigurationRequest{InstanceId: id,
		Body: &model.CreateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: &model.InstanceAccessControlAttributeConfigurationDto{
			AccessControlAttributes: []model.AccessControlAttributeDto{{Key: "dept", Value: &model.AccessControlAttributeValueDto{Source: []string{"${path:enterprise.department}"}}}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
