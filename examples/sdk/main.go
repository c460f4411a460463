// Command sdk lists Identity Center instances through the official Huawei
// Cloud Go SDK, pointed at an iic server. It needs nothing but the AK/SK,
// a region name and the server URL (used as the IAM endpoint as well).
//
//	go run ./examples/sdk [--url URL] [--creds FILE]
//
// --url defaults to $IIC_URL, else http://127.0.0.1:8080; --creds to
// $IIC_CREDENTIALS, else root-credentials.json in $IIC_DATA_DIR (default
// ./data), which iic serve writes. IIC_ACCESS_KEY and IIC_SECRET_KEY, both
// set, are used instead of a file unless --creds is given.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
)

func main() {
	var url, credsFile string
	flag.StringVar(&url, "url", env("IIC_URL", "http://127.0.0.1:8080"), "your iic server (env IIC_URL)")
	flag.StringVar(&credsFile, "creds", "", "credentials file written by iic serve (env IIC_CREDENTIALS; default <IIC_DATA_DIR>/root-credentials.json)")
	flag.Parse()
	ak, sk, token := credentials(credsFile)

	auth := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithSecurityToken(token).
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
