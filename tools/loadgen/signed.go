package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iic-project/iic/internal/aksk"
)

// signedRun is the signed (or SCIM bearer) load of --path: the default
// scenario.
type signedRun struct {
	client                    *http.Client
	base, method, path, body  string
	header                    string
	creds                     creds
	vary                      int
	scimStore, expect, bearer string
}

// creds are root-credentials.json, or temporary credentials as iic
// credentials --format json prints them (security_token set).
type creds struct{ AccessKey, SecretKey, SecurityToken, AccountID string }

func readCreds(path string) creds {
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	var raw map[string]string
	json.Unmarshal(b, &raw)
	return creds{raw["access_key"], raw["secret_key"], raw["security_token"], raw["account_id"]}
}

func (r *signedRun) run(conc int, dur time.Duration, max int) bool {
	cleanup := func() {}
	if r.scimStore != "" {
		s := r.signer()
		tenant, tokenID, token, err := s.scimToken(r.scimStore)
		if err != nil {
			fail("SCIM setup: " + err.Error())
		}
		cleanup = func() {
			p := "/v1/identity-stores/" + r.scimStore + "/tenant/" + tenant + "/bearer-token/" + tokenID
			if _, err := s.do("DELETE", p, ""); err != nil {
				fmt.Fprintln(os.Stderr, "loadgen: deleting the run's bearer token:", err)
			}
		}
		r.path = strings.ReplaceAll(r.path, "{tenant}", tenant)
		r.bearer = "Bearer " + token
	}
	defer cleanup()
	var seq atomic.Int64
	runID := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	return load(conc, dur, max, func(int) op {
		return func() (bool, error) {
			p, bd := r.path, r.body
			if r.vary > 0 {
				n := rand.IntN(r.vary)
				rp := strings.NewReplacer("{n}", strconv.Itoa(n), "{n:12}", fmt.Sprintf("%012d", n))
				p, bd = rp.Replace(p), rp.Replace(bd)
			}
			if strings.Contains(p+bd, "{seq}") {
				q := strconv.FormatInt(seq.Add(1), 10) + "-" + runID
				p, bd = strings.ReplaceAll(p, "{seq}", q), strings.ReplaceAll(bd, "{seq}", q)
			}
			req, _ := http.NewRequest(r.method, r.base+p, bytes.NewReader([]byte(bd)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("User-Agent", "iic-loadgen")
			if r.bearer != "" {
				req.Header.Set("Authorization", r.bearer)
			} else {
				if r.header != "none" {
					req.Header.Set(r.header, r.creds.AccountID)
				}
				if r.creds.SecurityToken != "" {
					req.Header.Set(aksk.SecurityTokenHeader, r.creds.SecurityToken)
				}
				aksk.Sign(req, r.creds.AccessKey, r.creds.SecretKey, []byte(bd), time.Now())
			}
			resp, err := r.client.Do(req)
			if err != nil {
				return false, err
			}
			rb, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if ok := resp.StatusCode < 400; r.expect != "" && !bytes.Contains(rb, []byte(r.expect)) || r.expect == "" && !ok {
				return true, fmt.Errorf("%d %s", resp.StatusCode, rb)
			}
			return true, nil
		}
	})
}

func (r *signedRun) signer() signer {
	return signer{client: r.client, base: r.base, ak: r.creds.AccessKey, sk: r.creds.SecretKey, account: r.creds.AccountID, header: r.header}
}

// signer sends single signed requests (set-ups).
type signer struct {
	client                *http.Client
	base, ak, sk, account string
	header                string
}

func (s signer) do(method, path, body string) (map[string]any, error) {
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "iic-loadgen")
	if s.header != "none" {
		req.Header.Set(s.header, s.account)
	}
	aksk.Sign(req, s.ak, s.sk, []byte(body), time.Now())
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	m := map[string]any{}
	if len(bytes.TrimSpace(b)) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s %s: %v", method, path, err)
	}
	return m, nil
}

// scimToken returns the store's provisioning tenant (created if there is
// none) and a new bearer token for it.
func (s signer) scimToken(storeID string) (tenant, tokenID, token string, err error) {
	p := "/v1/identity-stores/" + storeID
	list, err := s.do("GET", p+"/provision-tenant", "")
	if err != nil {
		return "", "", "", err
	}
	if ts, _ := list["provisioning_tenants"].([]any); len(ts) > 0 {
		tenant, _ = ts[0].(map[string]any)["tenant_id"].(string)
	} else {
		t, err := s.do("POST", p+"/provision-tenant", "")
		if err != nil {
			return "", "", "", err
		}
		tenant, _ = t["tenant_id"].(string)
	}
	tok, err := s.do("POST", p+"/tenant/"+tenant+"/bearer-token", "")
	if err != nil {
		return "", "", "", err
	}
	tokenID, _ = tok["token_id"].(string)
	token, _ = tok["token"].(string)
	if tenant == "" || tokenID == "" || token == "" {
		return "", "", "", fmt.Errorf("unexpected answers: tenant %q, token %v", tenant, tok)
	}
	return tenant, tokenID, token, nil
}
