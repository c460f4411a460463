package e2e

import (
	"context"
	"io"
	"testing"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/store/sqlstore/sqltest"
	"github.com/iic-project/iic/internal/testenv"
)

// A CreateAccount request recorded by a server that stopped before its job
// ran (here: one that never started its job runner) completes when a
// server starts on the same data: the job was committed with the request.
func TestCreateAccountCompletesAfterRestart(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dir, dbURL := t.TempDir(), ""
		if dialect == "postgres" {
			dbURL = sqltest.PostgresSchema(t)
		}
		first, err := app.New(ctx, app.Config{Listen: "127.0.0.1:0", DataDir: dir, DatabaseURL: dbURL, LogOutput: io.Discard, LogLevel: "error"})
		if err != nil {
			t.Fatal(err)
		}
		req, err := first.Organizations.CreateAccount(ctx, first.Root.AccountID, organization.CreateAccountInput{Name: "after-restart"})
		if err != nil {
			first.Close()
			t.Fatal(err)
		}
		n, err := first.Store.Jobs().Count(ctx, organization.CreateAccountJob)
		first.Close()
		if err != nil || n[store.JobPending] != 1 {
			t.Fatalf("create-account jobs before the restart = %v, %v; want one pending", n, err)
		}

		srv := testenv.Start(t, testenv.Options{Dialect: dialect, DataDir: dir, DatabaseURL: dbURL})
		st := srv.WaitCreateAccount(t, req.ID)
		if st.State != "succeeded" || len(st.AccountId) != 32 {
			t.Fatalf("status after the restart = %+v", st)
		}
		if m, err := srv.App.Store.Organizations().GetMember(ctx, st.AccountId); err != nil || m.Status != store.MemberActive {
			t.Fatalf("member after the restart = %+v, %v", m, err)
		}
	})
}
