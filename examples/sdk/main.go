// Command sdk lists Identity Center instances through the official Huawei
// Cloud Go SDK, pointed at an iic server. It needs nothing but the AK/SK,
// a region name and the server URL (used as the IAM endpoint as well).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
)

func main() {
	url := "http://127.0.0.1:8080" // your iic server
	var creds struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	b, _ := os.ReadFile("data/root-credentials.json") // written by iic serve
	json.Unmarshal(b, &creds)
	if v := os.Getenv("IIC_URL"); v != "" {
		url = v
	}
	auth := global.NewCredentialsBuilder().WithAk(creds.AccessKey).WithSk(creds.SecretKey).
		WithIamEndpointOverride(url).Build() // the SDK finds the domain id via GET /v3/auth/domains
	client := ic.NewIdentityCenterClient(ic.IdentityCenterClientBuilder().
		WithRegion(region.NewRegion("cn-north-4", url)).WithCredential(auth).Build())
	resp, err := client.ListInstances(&model.ListInstancesRequest{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ListInstances:", err)
		os.Exit(1)
	}
	fmt.Println(resp)
}
