package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/iic-project/iic/internal/app"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/ids"
)

// devCmd holds development helpers: `iic dev seed` bulk-loads a large
// identity store for benchmarks and load runs.
func devCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "seed" {
		fmt.Fprint(stderr, `Usage:
  iic dev seed [flags]   bulk-load users, groups and memberships into the root account's identity store
`)
		return 2
	}
	return devSeed(args[1:], stdout, stderr)
}

// Seeded rows have predictable ids and names, so load tools can address
// them: user n has id SeedUserID(n), user name "seed-user-<n>" and e-mail
// "seed-user-<n>@example.test"; group g has id SeedGroupID(g) and display
// name "seed-group-<g>".
func seedUserID(n int) string  { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
func seedGroupID(g int) string { return fmt.Sprintf("00000000-0000-4000-9000-%012d", g) }
func seedMemberID(n, k int) string {
	return fmt.Sprintf("00000000-%04d-4000-a000-%012d", k, n)
}

func devSeed(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dev seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg app.Config
	fs.StringVar(&cfg.DataDir, "data-dir", env("IIC_DATA_DIR", "./data"), "data directory (env IIC_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", env("IIC_DATABASE_URL", ""), "empty = SQLite in the data dir; postgres://... (env IIC_DATABASE_URL)")
	users := fs.Int("users", 1_000_000, "users to create")
	groups := fs.Int("groups", 100_000, "groups to create")
	power := fs.Int("power-users", 1000, "users 0..N-1 are members of groups 0..49 (the rest are in one group each)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *users < 0 || *groups < 50 || *power > *users {
		fmt.Fprintln(stderr, "iic dev seed: need --groups >= 50 and --power-users <= --users")
		return 2
	}
	cfg.MasterKey = os.Getenv("IIC_MASTER_KEY")
	cfg.RootAccessKey = os.Getenv("IIC_ROOT_ACCESS_KEY")
	cfg.RootSecretKey = os.Getenv("IIC_ROOT_SECRET_KEY")
	cfg.LogOutput, cfg.LogLevel, cfg.Listen = io.Discard, "error", "127.0.0.1:0"
	ctx := context.Background()
	a, err := app.New(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "iic dev seed:", err)
		return 1
	}
	defer a.Close()
	storeID, err := seedInstance(ctx, a)
	if err != nil {
		fmt.Fprintln(stderr, "iic dev seed:", err)
		return 1
	}
	if _, err := a.Store.Users().Get(ctx, storeID, seedUserID(0)); err == nil {
		fmt.Fprintf(stderr, "iic dev seed: identity store %s is already seeded\n", storeID)
		return 1
	}
	start := time.Now()
	if err := seedRows(ctx, a, storeID, *users, *groups, *power); err != nil {
		fmt.Fprintln(stderr, "iic dev seed:", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded identity store %s: %d users, %d groups, %d memberships in %s\n",
		storeID, *users, *groups, *users+*power*49, time.Since(start).Round(time.Millisecond))
	return 0
}

// seedInstance returns the root account's identity store, enabling Identity
// Center (home region cn-north-4, or the first served region) if needed.
func seedInstance(ctx context.Context, a *app.App) (string, error) {
	acct := a.Root.AccountID
	list, err := a.Store.Instances().ListByAccount(ctx, acct, 0, 1)
	if err != nil {
		return "", err
	}
	if len(list) > 0 {
		return list[0].IdentityStoreID, nil
	}
	c := &center.Service{Store: a.Store, IDs: ids.Generator{}, Now: time.Now, Regions: a.Config.Regions}
	region := a.Config.Regions[0]
	for _, r := range a.Config.Regions {
		if r == "cn-north-4" {
			region = r
		}
	}
	if _, err := a.Store.Regions().Get(ctx, acct); err != nil {
		if err := c.RegisterRegion(ctx, acct, region); err != nil {
			return "", err
		}
	}
	in, err := c.Start(ctx, acct)
	return in.IdentityStoreID, err
}

// seedRows writes the rows exactly as the identity service would (the
// tables of sqlstore migrations 0002 and 0004), in batches of 10,000
// (sqlstore.BulkInsert), created_by / updated_by the root key's actor (the
// account id, authz.Principal.Actor).
func seedRows(ctx context.Context, a *app.App, storeID string, nUsers, nGroups, nPower int) error {
	now := time.Now().UTC().UnixMilli()
	actor := a.Root.AccountID
	const batch = 10_000
	userCols := []string{"identity_store_id", "id", "user_name", "user_name_key", "display_name", "email_key", "email",
		"external_ids", "enabled", "email_verified", "profile", "created_at", "created_by", "updated_at", "updated_by"}
	for start := 0; start < nUsers; start += batch {
		rows := make([][]any, 0, batch)
		for n := start; n < min(start+batch, nUsers); n++ {
			name := fmt.Sprintf("seed-user-%d", n)
			email := name + "@example.test"
			profile, _ := json.Marshal(map[string]any{
				"name":   map[string]string{"given_name": "Seed", "family_name": fmt.Sprint(n)},
				"emails": []map[string]any{{"value": email, "type": "work", "primary": true}},
			})
			rows = append(rows, []any{storeID, seedUserID(n), name, name, "Seed User " + fmt.Sprint(n), email, email,
				"[]", true, false, string(profile), now, actor, now, actor})
		}
		if err := a.DB.BulkInsert(ctx, "users", userCols, rows); err != nil {
			return fmt.Errorf("users: %w", err)
		}
	}
	groupCols := []string{"identity_store_id", "id", "display_name", "display_name_key", "description", "external_ids",
		"created_at", "created_by", "updated_at", "updated_by"}
	for start := 0; start < nGroups; start += batch {
		rows := make([][]any, 0, batch)
		for g := start; g < min(start+batch, nGroups); g++ {
			name := fmt.Sprintf("seed-group-%d", g)
			rows = append(rows, []any{storeID, seedGroupID(g), name, name, "", "[]", now, actor, now, actor})
		}
		if err := a.DB.BulkInsert(ctx, "groups", groupCols, rows); err != nil {
			return fmt.Errorf("groups: %w", err)
		}
	}
	// Power users are in groups 0..49; every other user n is in group
	// n mod nGroups (never one of 0..49 twice for the same user).
	memberCols := []string{"identity_store_id", "id", "group_id", "user_id", "created_at"}
	rows := make([][]any, 0, batch)
	flush := func() error {
		err := a.DB.BulkInsert(ctx, "group_memberships", memberCols, rows)
		rows = rows[:0]
		return err
	}
	for n := 0; n < nUsers; n++ {
		if n < nPower {
			for k := 0; k < 50; k++ {
				rows = append(rows, []any{storeID, seedMemberID(n, k), seedGroupID(k), seedUserID(n), now})
			}
		} else {
			rows = append(rows, []any{storeID, seedMemberID(n, 0), seedGroupID(n % nGroups), seedUserID(n), now})
		}
		if len(rows) >= batch {
			if err := flush(); err != nil {
				return fmt.Errorf("memberships: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("memberships: %w", err)
	}
	return nil
}
