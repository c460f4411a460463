package main

import (
	"errors"
	"testing"

	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// The set-up and every OAuth scenario against a real iic server: each op
// of two workers succeeds (refresh: each worker's rotated token is taken
// by its next request), and client_credentials is reported not applicable
// after the server refused it.
func TestIICScenarios(t *testing.T) {
	for _, d := range sqltest.Dialects() {
		t.Run(sqltest.Name(d), func(t *testing.T) {
			srv := testenv.Start(t, testenv.Options{Dialect: d})
			h := httpc{noRedirectClient(2)}
			root := srv.App.Root
			st, err := setupIIC(h, srv.URL, creds{AccessKey: root.AccessKey, SecretKey: root.SecretKey, AccountID: root.AccountID})
			if err != nil {
				t.Fatal(err)
			}
			for _, sc := range []string{ScenarioDevice, ScenarioRefresh, ScenarioPassword, ScenarioAgency} {
				r := &oauthRun{h: h, peer: PeerIIC, scenario: sc, base: srv.URL, state: st}
				newWorker, err := r.prepare(2)
				if err != nil {
					t.Fatalf("%s: %v", sc, err)
				}
				for w := range 2 {
					op := newWorker(w)
					for i := range 3 {
						if responded, err := op(); !responded || err != nil {
							t.Fatalf("%s: worker %d, op %d: responded %v, %v", sc, w, i, responded, err)
						}
					}
				}
			}
			r := &oauthRun{h: h, peer: PeerIIC, scenario: ScenarioClientCredentials, base: srv.URL, state: st}
			var na errNA
			if _, err := r.prepare(2); !errors.As(err, &na) {
				t.Fatalf("client-credentials: %v, want not applicable", err)
			}
		})
	}
}
