package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/federation"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/testenv"
)

// signingTransport signs each request with AK/SK the way the Huawei SDK
// does, so that an OpenStack client reaches the signed surface.
type signingTransport struct{ ak, sk string }

func (s signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	aksk.Sign(req, s.ak, s.sk, body, time.Now())
	return http.DefaultTransport.RoundTrip(req)
}

// gophercloud v2's Keystone federation client (mappings) against the same
// objects the Huawei SDK sees: it insists on 201 for PUT create.
func TestFederationMappingsThroughGophercloud(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Transport: signingTransport{srv.App.Root.AccessKey, srv.App.Root.SecretKey}}}
	sc := &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: srv.URL + "/v3/"}
	ctx := context.Background()
	rules := []federation.MappingRule{{
		Local:  []federation.RuleLocal{{User: &federation.RuleUser{Name: "{0}"}}, {Group: &federation.Group{ID: "0cd5e9"}}},
		Remote: []federation.RuleRemote{{Type: "UserName"}, {Type: "orgPersonType", AnyOneOf: []string{"Contractor", "Guest"}}},
	}}
	created, err := federation.CreateMapping(ctx, sc, "ACME", federation.CreateMappingOpts{Rules: rules}).Extract()
	if err != nil || created.ID != "ACME" || len(created.Rules) != 1 || created.Rules[0].Remote[1].AnyOneOf[1] != "Guest" {
		t.Fatalf("create = %+v, %v", created, err)
	}
	if _, err := federation.CreateMapping(ctx, sc, "ACME", federation.CreateMappingOpts{Rules: rules}).Extract(); !gophercloud.ResponseCodeIs(err, http.StatusConflict) {
		t.Fatalf("duplicate create = %v", err)
	}
	got, err := federation.GetMapping(ctx, sc, "ACME").Extract()
	if err != nil || got.Rules[0].Local[1].Group.ID != "0cd5e9" || got.Links["self"] != pub(srv)+"/v3/OS-FEDERATION/mappings/ACME" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	// The Huawei SDK reads the same mapping.
	if m, err := srv.IAM(t).KeystoneShowMapping(&model.KeystoneShowMappingRequest{Id: "ACME"}); err != nil || m.Mapping.Rules[0].Remote[0].Type != "UserName" {
		t.Fatalf("SDK show = %+v, %v", m, err)
	}
	rules[0].Remote[1].NotAnyOf, rules[0].Remote[1].AnyOneOf = []string{"Guest"}, nil
	upd, err := federation.UpdateMapping(ctx, sc, "ACME", federation.UpdateMappingOpts{Rules: rules}).Extract()
	if err != nil || len(upd.Rules[0].Remote[1].NotAnyOf) != 1 {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	pages, err := federation.ListMappings(sc).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, err := federation.ExtractMappings(pages)
	if err != nil || len(all) != 1 || all[0].ID != "ACME" {
		t.Fatalf("list = %+v, %v", all, err)
	}
	if err := federation.DeleteMapping(ctx, sc, "ACME").ExtractErr(); err != nil {
		t.Fatalf("delete = %v", err)
	}
	if _, err := federation.GetMapping(ctx, sc, "ACME").Extract(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Fatalf("get after delete = %v", err)
	}
}
