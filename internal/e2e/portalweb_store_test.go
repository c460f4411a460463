package e2e

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/testenv"
)

// passwordUser creates, through the identity service, a user of storeID
// whose password is password (not one-time) and returns its id.
func passwordUser(t *testing.T, srv *testenv.Server, storeID, name, password string) string {
	t.Helper()
	ctx := context.Background()
	id, _, err := srv.App.Identity.CreateUser(ctx, identity.Caller{Actor: "test"}, storeID, identity.NewUser{UserName: name, DisplayName: name,
		PasswordMode: identity.PasswordModeNone, Profile: identity.Profile{Name: identity.Name{GivenName: "G", FamilyName: "F"},
			Emails: []identity.Email{{Value: name + "@example.com", Type: "work", Primary: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.App.Identity.SetPassword(ctx, storeID, id, password); err != nil {
		t.Fatal(err)
	}
	return id
}

// The identity store of /start/<id> is remembered: when the session
// ends, /start (where the portal sends the browser) shows that store's
// sign-in, not the default one's. A cookie naming no store is dropped;
// /start?default=1 and a sign-in to the default store forget it.
func TestPortalWebRemembersIdentityStore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		_, defaultStore := srv.EnableIdentityCenter(t)
		other := otherInstance(t, srv, 1).IdentityStoreID
		const password = "Store-Passw0rd-2026!"
		passwordUser(t, srv, other, "olga", password)
		passwordUser(t, srv, defaultStore, "dana", password)

		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start/" + other)
		wantHTML(t, resp, page, 200, `name="store" value="`+other+`"`, `href="/start?default=1"`)
		resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "store": {other}, "username": {"olga"}, "password": {password}})
		wantRedirect(t, resp, page, "/start")
		if b.cookie("iic_store") != other {
			t.Fatalf("remembered store %q, want %q", b.cookie("iic_store"), other)
		}

		// The session ends (idle for over an hour): back to olga's store.
		clk.advance(2 * time.Hour)
		resp, page = b.get("/start/mfa")
		wantRedirect(t, resp, page, "/start?next=%2Fstart%2Fmfa")
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, `name="store" value="`+other+`"`, `name="next" value="/start/mfa"`)
		if resp.Request.URL.Path != "/start/"+other {
			t.Fatalf("landed on %s", resp.Request.URL)
		}
		resp, page = b.post("/start/signout", url.Values{"csrf": {csrf(t, page)}})
		wantRedirect(t, resp, page, "/start?expired=1")
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, `name="store" value="`+other+`"`, "IIC.1717")

		// ?default=1 shows the default store's sign-in.
		resp, page = b.get("/start?default=1")
		wantHTML(t, resp, page, 200, `name="store" value=""`)

		// A cookie naming no store (or not a store id) is dropped.
		for _, bad := range []string{"d-0000000000", "../../x", "https://evil.example"} {
			c := newBrowser(t, srv.URL)
			c.setCookie("iic_store", bad)
			resp, page = c.get("/start")
			wantHTML(t, resp, page, 200, `name="store" value=""`)
			if c.cookie("iic_store") != "" {
				t.Fatalf("cookie %q kept", bad)
			}
		}

		// A sign-in to the default store forgets the other one.
		resp, page = b.get("/start?default=1")
		resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"dana"}, "password": {password}})
		wantRedirect(t, resp, page, "/start")
		if b.cookie("iic_store") != "" {
			t.Fatalf("remembered store %q after a default sign-in", b.cookie("iic_store"))
		}
		clk.advance(2 * time.Hour)
		resp, page = b.get("/start")
		wantHTML(t, resp, page, 200, `name="store" value=""`)
	})
}
