package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// userStore is identityStore with options (quota, SMTP).
func userStore(t *testing.T, opt testenv.Options) (*testenv.Server, *ics.IdentityCenterStoreClient, string) {
	t.Helper()
	srv := testenv.Start(t, opt)
	_, storeID := srv.EnableIdentityCenter(t)
	return srv, srv.IdentityStore(t), storeID
}

func newUserBody(name string, mode model.CreateUserReqBodyPasswordMode) *model.CreateUserReqBody {
	return &model.CreateUserReqBody{
		UserName: name, DisplayName: "Display " + name, PasswordMode: mode,
		Name:   &model.NameDto{GivenName: "Given", FamilyName: "Family", MiddleName: ptr("M")},
		Emails: []model.EmailDto{{Value: name + "@example.com", Type: "work", Primary: true}},
		Title:  ptr("Engineer"), Nickname: ptr("nick"), Locale: ptr("en-US"),
		PhoneNumbers: &[]model.PhoneNumberDto{{Value: ptr("+1 555 0100"), Type: ptr("work"), Primary: ptr(true)}},
		Enterprise:   &model.EnterpriseDto{Department: ptr("R&D"), Manager: &model.ManagerDto{Value: ptr("boss")}},
	}
}

var otpMode = model.GetCreateUserReqBodyPasswordModeEnum().OTP
var emailMode = model.GetCreateUserReqBodyPasswordModeEnum().EMAIL

func createUser(t *testing.T, c *ics.IdentityCenterStoreClient, storeID, name string) (string, string) {
	t.Helper()
	resp, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: storeID, Body: newUserBody(name, otpMode)})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	if resp.HttpStatusCode != 201 || resp.UserId == nil || *resp.IdentityStoreId != storeID || resp.Password == nil {
		t.Fatalf("CreateUser = %d %+v", resp.HttpStatusCode, resp)
	}
	return *resp.UserId, *resp.Password
}

func update(c *ics.IdentityCenterStoreClient, storeID, userID string, kv ...*string) error {
	var ops []model.AttributeOperationDto
	for i := 0; i+1 < len(kv); i += 2 {
		ops = append(ops, model.AttributeOperationDto{AttributePath: *kv[i], AttributeValue: kv[i+1]})
	}
	_, err := c.UpdateUser(&model.UpdateUserRequest{IdentityStoreId: storeID, UserId: userID, Body: &model.UpdateUserReqBody{Operations: ops}})
	return err
}

func TestUserCRUDThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, sid := userStore(t, testenv.Options{Dialect: dialect})
		id, otp := createUser(t, c, sid, "alice")
		if err := identity.DefaultPasswordPolicy.CheckComplexity(otp); err != nil {
			t.Fatalf("one-time password %q: %v", otp, err)
		}
		bob, _ := createUser(t, c, sid, "bob")

		d, err := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id})
		if err != nil {
			t.Fatal(err)
		}
		if *d.UserId != id || *d.UserName != "alice" || *d.DisplayName != "Display alice" || d.Name.GivenName != "Given" || *d.Name.MiddleName != "M" ||
			len(*d.Emails) != 1 || (*d.Emails)[0].Value != "alice@example.com" || !(*d.Emails)[0].Primary || *d.Title != "Engineer" ||
			!*d.Enabled || *d.EmailVerified || *d.Enterprise.Department != "R&D" || *d.Enterprise.Manager.Value != "boss" ||
			*(*d.PhoneNumbers)[0].Value != "+1 555 0100" || *d.CreatedAt < time.Now().Add(-time.Minute).UnixMilli() || *d.CreatedBy == "" {
			t.Fatalf("DescribeUser = %+v", d)
		}
		if (*d.Emails)[0].VerificationStatus.Value() != "NOT_VERIFIED" {
			t.Fatalf("verification_status = %v", (*d.Emails)[0].VerificationStatus)
		}
		_, err = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: "missing"})
		testenv.WantError(t, err, 404, "IIC.1312")
		_, err = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: "d-ffffffffff", UserId: id})
		testenv.WantError(t, err, 404, "IIC.1259")

		// Uniqueness on create: user name (any case) and e-mail.
		dup := newUserBody("ALICE", otpMode)
		dup.Emails[0].Value = "other@example.com"
		_, err = c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: dup})
		testenv.WantError(t, err, 400, "IIC.1310")
		dup = newUserBody("carol", otpMode)
		dup.Emails[0].Value = "Alice@Example.com"
		_, err = c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: dup})
		testenv.WantError(t, err, 400, "IIC.1321")
		bad := newUserBody("carol", otpMode)
		bad.Emails = []model.EmailDto{}
		_, err = c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: bad})
		testenv.WantError(t, err, 400, "IIC.400")
		// EMAIL mode without SMTP configured is refused, and nothing is created.
		_, err = c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("dave", emailMode)})
		if se := testenv.WantError(t, err, 400, "IIC.400"); !strings.Contains(se.ErrorMessage, "e-mail is not configured") {
			t.Fatalf("message %q", se.ErrorMessage)
		}

		// ListUsers, with the user_name filter (case-insensitive).
		l, err := c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid})
		if err != nil || len(*l.Users) != 2 || (*l.Users)[0].UserId != id || (*l.Users)[1].UserId != bob || l.PageInfo.NextMarker != "" || *l.PageInfo.CurrentCount != 2 {
			t.Fatalf("ListUsers = %+v, %v", l, err)
		}
		l, err = c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid, UserName: ptr("BOB")})
		if err != nil || len(*l.Users) != 1 || (*l.Users)[0].UserId != bob {
			t.Fatalf("ListUsers(user_name=BOB) = %+v, %v", l, err)
		}

		// DescribeUsers: existing ids in the order asked, unknown ids skipped.
		b, err := c.DescribeUsers(&model.DescribeUsersRequest{IdentityStoreId: sid, Body: &model.DescribeUsersRequestBody{UserIds: []string{bob, "missing", id}}})
		if err != nil || len(*b.Users) != 2 || (*b.Users)[0].UserId != bob || (*b.Users)[1].UserId != id || (*b.Users)[1].Name.FamilyName != "Family" {
			t.Fatalf("DescribeUsers = %+v, %v", b, err)
		}
		_, err = c.DescribeUsers(&model.DescribeUsersRequest{IdentityStoreId: sid, Body: &model.DescribeUsersRequestBody{UserIds: []string{}}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.DescribeUsers(&model.DescribeUsersRequest{IdentityStoreId: sid, Body: &model.DescribeUsersRequestBody{UserIds: make([]string, 101)}})
		testenv.WantError(t, err, 400, "IIC.400")

		// UpdateUser: several attributes at once.
		err = update(c, sid, id, ptr("display_name"), ptr("Alice A."), ptr("name.given_name"), ptr("Alicia"), ptr("nickname"), nil,
			ptr("title"), ptr("Lead"), ptr("user_name"), ptr("alice2"), ptr("addresses"), ptr(`[{"country":"DE","locality":"Berlin","primary":true}]`),
			ptr("enterprise.department"), ptr("Ops"), ptr("name.middleName"), nil)
		if err != nil {
			t.Fatal(err)
		}
		d, _ = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id})
		if *d.DisplayName != "Alice A." || d.Name.GivenName != "Alicia" || d.Nickname != nil || *d.Title != "Lead" || *d.UserName != "alice2" ||
			d.Name.MiddleName != nil || *(*d.Addresses)[0].Locality != "Berlin" || *d.Enterprise.Department != "Ops" || *d.Enterprise.Manager.Value != "boss" ||
			*d.UpdatedAt < *d.CreatedAt {
			t.Fatalf("after UpdateUser = %+v", d)
		}
		err = update(c, sid, id, ptr("emails"), ptr(`[{"value":"alice2@example.com","type":"work","primary":true}]`))
		if err != nil {
			t.Fatal(err)
		}
		// Update error paths; none of them changes anything.
		testenv.WantError(t, update(c, sid, bob, ptr("user_name"), ptr("Alice2")), 400, "IIC.1310")
		testenv.WantError(t, update(c, sid, bob, ptr("emails.value"), ptr("ALICE2@example.com")), 400, "IIC.1321")
		testenv.WantError(t, update(c, sid, bob, ptr("title"), ptr("x"), ptr("title"), ptr("y")), 404, "IIC.1349")
		se := testenv.WantError(t, update(c, sid, bob, ptr("title"), ptr("x"), ptr("password"), ptr("y")), 400, "IIC.400")
		if !strings.Contains(se.ErrorMessage, `"password" cannot be updated`) {
			t.Fatalf("invalid path message %q", se.ErrorMessage)
		}
		testenv.WantError(t, update(c, sid, bob, ptr("display_name"), nil), 400, "IIC.400")
		testenv.WantError(t, update(c, sid, bob, ptr("name"), ptr("not json")), 400, "IIC.400")
		testenv.WantError(t, update(c, sid, bob, ptr("emails.value"), ptr("not-an-address")), 400, "IIC.400")
		testenv.WantError(t, update(c, sid, bob), 400, "IIC.400")
		var many []*string
		for i := 0; i < 101; i++ {
			many = append(many, ptr(fmt.Sprintf("title%d", i)), ptr("x"))
		}
		testenv.WantError(t, update(c, sid, bob, many...), 400, "IIC.400")
		testenv.WantError(t, update(c, sid, "missing", ptr("title"), ptr("x")), 404, "IIC.1312")
		d, _ = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: bob})
		if *d.Title != "Engineer" || *d.UserName != "bob" || (*d.Emails)[0].Value != "bob@example.com" {
			t.Fatalf("a refused update changed bob: %+v", d)
		}

		// GetUserId by user name, by e-mail, and its errors.
		getID := func(alt *model.AlternateIdentifierDto) (string, error) {
			r, err := c.GetUserId(&model.GetUserIdRequest{IdentityStoreId: sid, Body: &model.GetUserIdReqBody{AlternateIdentifier: alt}})
			if err != nil {
				return "", err
			}
			return *r.UserId, nil
		}
		if got, err := getID(&model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "user_name", AttributeValue: "ALICE2"}}); err != nil || got != id {
			t.Fatalf("GetUserId(user_name) = %q, %v", got, err)
		}
		if got, err := getID(&model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "emails.value", AttributeValue: "bob@example.com"}}); err != nil || got != bob {
			t.Fatalf("GetUserId(emails.value) = %q, %v", got, err)
		}
		_, err = getID(&model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "user_name", AttributeValue: "nobody"}})
		testenv.WantError(t, err, 404, "IIC.1316")
		_, err = getID(&model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "x"}})
		testenv.WantError(t, err, 404, "IIC.1316")
		// External ids come from SCIM or an IdP; set one through the store.
		if err := srv.App.Store.Users().Update(context.Background(), sid, bob, func(u *store.User) error {
			u.ExternalIDs = []store.ExternalID{{Issuer: "scim", ID: "ext-bob"}}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := getID(&model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "ext-bob"}}); err != nil || got != bob {
			t.Fatalf("GetUserId(external_id) = %q, %v", got, err)
		}
		if d, _ := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: bob}); *d.ExternalId != "ext-bob" || (*d.ExternalIds)[0].Issuer != "scim" {
			t.Fatalf("external ids of bob: %+v", d)
		}
		_, err = getID(&model.AlternateIdentifierDto{ExternalId: &model.ExternalIdDto{Issuer: "scim", Id: "x"},
			UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "user_name", AttributeValue: "bob"}})
		testenv.WantError(t, err, 400, "IIC.1344")
		_, err = getID(&model.AlternateIdentifierDto{})
		testenv.WantError(t, err, 400, "IIC.1348")
		_, err = getID(&model.AlternateIdentifierDto{UniqueAttribute: &model.UniqueAttributeDto{AttributePath: "title", AttributeValue: "Lead"}})
		testenv.WantError(t, err, 400, "IIC.400")

		// Enable / disable, each twice.
		_, err = c.EnableUser(&model.EnableUserRequest{IdentityStoreId: sid, UserId: id})
		testenv.WantError(t, err, 400, "IIC.1318")
		if _, err := c.DisableUser(&model.DisableUserRequest{IdentityStoreId: sid, UserId: id}); err != nil {
			t.Fatal(err)
		}
		if d, _ := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id}); *d.Enabled {
			t.Fatal("still enabled after DisableUser")
		}
		_, err = c.DisableUser(&model.DisableUserRequest{IdentityStoreId: sid, UserId: id})
		testenv.WantError(t, err, 400, "IIC.1317")
		if _, err := c.EnableUser(&model.EnableUserRequest{IdentityStoreId: sid, UserId: id}); err != nil {
			t.Fatal(err)
		}
		if d, _ := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id}); !*d.Enabled {
			t.Fatal("still disabled after EnableUser")
		}
		_, err = c.EnableUser(&model.EnableUserRequest{IdentityStoreId: sid, UserId: "missing"})
		testenv.WantError(t, err, 404, "IIC.1312")

		// DeleteUser frees the name and e-mail.
		if r, err := c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: id}); err != nil || r.HttpStatusCode != 200 {
			t.Fatalf("DeleteUser = %+v, %v", r, err)
		}
		_, err = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id})
		testenv.WantError(t, err, 404, "IIC.1312")
		_, err = c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: id})
		testenv.WantError(t, err, 404, "IIC.1312")
		body := newUserBody("alice2", otpMode)
		body.Emails[0].Value = "alice2@example.com"
		if _, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: body}); err != nil {
			t.Fatalf("re-create with a deleted user's name and e-mail: %v", err)
		}
	})
}

func TestUserQuotaThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		_, c, sid := userStore(t, testenv.Options{Dialect: dialect, MaxUsersPerStore: 2})
		a, _ := createUser(t, c, sid, "u1")
		createUser(t, c, sid, "u2")
		_, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("u3", otpMode)})
		testenv.WantError(t, err, 400, "IIC.1311")
		if _, err := c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: a}); err != nil {
			t.Fatal(err)
		}
		createUser(t, c, sid, "u3")
	})
}

func storedPassword(t *testing.T, srv *testenv.Server, sid, userID string) store.Password {
	t.Helper()
	p, err := srv.App.Store.UserSecrets().GetPassword(context.Background(), sid, userID)
	if err != nil {
		t.Fatalf("stored password of %s: %v", userID, err)
	}
	return p
}

func TestPasswordPolicyAndResetThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, sid := userStore(t, testenv.Options{Dialect: dialect})
		p, err := c.DescribePasswordPolicy(&model.DescribePasswordPolicyRequest{IdentityStoreId: sid})
		if err != nil {
			t.Fatal(err)
		}
		pp := p.PasswordPolicy
		if *pp.MinimumPasswordLength != 8 || !*pp.RequireLowercaseCharacters || !*pp.RequireUppercaseCharacters || !*pp.RequireNumbers ||
			!*pp.RequireSymbols || *pp.MaxPasswordAge != 0 || *pp.PasswordReusePrevention != 1 {
			t.Fatalf("default policy = %+v", pp)
		}
		_, err = c.UpdatePasswordPolicy(&model.UpdatePasswordPolicyRequest{IdentityStoreId: sid, Body: &model.UpdatePasswordPolicyReqBody{
			PasswordPolicy: &model.PasswordPolicyDto{MinimumPasswordLength: ptr(int32(24)), RequireSymbols: ptr(false), MaxPasswordAge: ptr(int32(90))}}})
		if err != nil {
			t.Fatal(err)
		}
		p, _ = c.DescribePasswordPolicy(&model.DescribePasswordPolicyRequest{IdentityStoreId: sid})
		pp = p.PasswordPolicy
		if *pp.MinimumPasswordLength != 24 || *pp.RequireSymbols || !*pp.RequireNumbers || *pp.MaxPasswordAge != 90 || *pp.PasswordReusePrevention != 1 {
			t.Fatalf("updated policy = %+v (fields not sent must keep their values)", pp)
		}
		for _, bad := range []model.PasswordPolicyDto{{MinimumPasswordLength: ptr(int32(7))}, {MinimumPasswordLength: ptr(int32(65))},
			{MaxPasswordAge: ptr(int32(-1))}, {PasswordReusePrevention: ptr(int32(25))}} {
			_, err = c.UpdatePasswordPolicy(&model.UpdatePasswordPolicyRequest{IdentityStoreId: sid, Body: &model.UpdatePasswordPolicyReqBody{PasswordPolicy: &bad}})
			testenv.WantError(t, err, 400, "IIC.400")
		}
		_, err = c.DescribePasswordPolicy(&model.DescribePasswordPolicyRequest{IdentityStoreId: "d-ffffffffff"})
		testenv.WantError(t, err, 404, "IIC.1259")

		// A new one-time password follows the policy and is stored hashed.
		id, otp := createUser(t, c, sid, "erin")
		if len(otp) < 24 {
			t.Fatalf("one-time password %q shorter than the policy's 24", otp)
		}
		sp := storedPassword(t, srv, sid, id)
		if !sp.OneTime || !strings.HasPrefix(sp.Hash, "$sha256$") || strings.Contains(sp.Hash, otp) || !identity.CheckPasswordHash(sp.Hash, otp) {
			t.Fatalf("stored password = %+v", sp)
		}
		r, err := c.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: sid, UserId: id, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().OTP}})
		if err != nil || r.Password == nil || *r.Password == otp || len(*r.Password) < 24 {
			t.Fatalf("ResetPwdMode(OTP) = %+v, %v", r, err)
		}
		sp = storedPassword(t, srv, sid, id)
		if !identity.CheckPasswordHash(sp.Hash, *r.Password) || identity.CheckPasswordHash(sp.Hash, otp) {
			t.Fatal("the reset did not replace the password")
		}
		_, err = c.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: sid, UserId: id, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().EMAIL}})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: sid, UserId: "missing", Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().OTP}})
		testenv.WantError(t, err, 404, "IIC.1312")
		resp, body := srv.Do(t, "POST", "/v1/identity-stores/"+sid+"/users/"+id+"/reset-password", []byte(`{"mode":"SMS"}`), nil, true)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "mode must be OTP or EMAIL") {
			t.Fatalf("mode SMS: %d %s", resp.StatusCode, body)
		}
		_, err = c.VerifyEmail(&model.VerifyEmailRequest{IdentityStoreId: sid, UserId: id})
		testenv.WantError(t, err, 400, "IIC.400")

		// Deleting the user removes its password.
		if _, err := c.DeleteUser(&model.DeleteUserRequest{IdentityStoreId: sid, UserId: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.Store.UserSecrets().GetPassword(context.Background(), sid, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("password after DeleteUser: %v", err)
		}
	})
}

var mailLink = regexp.MustCompile(`(/(?:portal|start)/[a-z-]+)\?token=(\S+)`)

func linkIn(t *testing.T, m testenv.Mail) (string, string) {
	t.Helper()
	l := mailLink.FindStringSubmatch(m.Data)
	if l == nil {
		t.Fatalf("no link in the e-mail:\n%s", m.Data)
	}
	tok, err := url.QueryUnescape(l[2])
	if err != nil {
		t.Fatal(err)
	}
	return l[1], tok
}

func TestUserEmailsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		smtpd := testenv.StartSMTP(t)
		srv, c, sid := userStore(t, testenv.Options{Dialect: dialect, SMTPURL: smtpd.URL()})
		// The portal will consume the tokens; here a service over the same store does.
		portal := &identity.Service{Store: srv.App.Store, IDs: ids.Generator{}, Now: time.Now}

		resp, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("frank", emailMode)})
		if err != nil || resp.Password != nil || resp.HttpStatusCode != 201 {
			t.Fatalf("CreateUser(EMAIL) = %+v, %v", resp, err)
		}
		id := *resp.UserId
		m, n := smtpd.WaitFor(t, "frank@example.com", 0)
		path, tok := linkIn(t, m)
		if path != identity.SetPasswordPath || !strings.Contains(m.Data, srv.App.Config.PublicURL+identity.SetPasswordPath) || !strings.Contains(m.Data, "Subject: Set up your account") {
			t.Fatalf("invitation:\n%s", m.Data)
		}
		if _, err := srv.App.Store.UserSecrets().GetPassword(context.Background(), sid, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an EMAIL user has a password before using the link: %v", err)
		}
		if _, err := portal.SetPasswordWithToken(context.Background(), tok, "frank"); err == nil {
			t.Fatal("user name accepted as password")
		}
		if _, err := portal.SetPasswordWithToken(context.Background(), tok, "Franks-Passw0rd"); err != nil {
			t.Fatal(err)
		}
		if st, err := portal.VerifyPassword(context.Background(), sid, id, "Franks-Passw0rd"); err != nil || st.OneTime {
			t.Fatalf("VerifyPassword = %+v, %v", st, err)
		}
		if d, _ := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id}); !*d.EmailVerified {
			t.Fatal("following the invitation did not verify the address")
		}

		// ResetPwdMode EMAIL mails a reset link; the old password works until it is used.
		r, err := c.ResetPwdMode(&model.ResetPwdModeRequest{IdentityStoreId: sid, UserId: id, Body: &model.UpdatePwdModeReqBody{Mode: model.GetUpdatePwdModeReqBodyModeEnum().EMAIL}})
		if err != nil || r.Password != nil {
			t.Fatalf("ResetPwdMode(EMAIL) = %+v, %v", r, err)
		}
		m, n = smtpd.WaitFor(t, "frank@example.com", n+1)
		_, tok = linkIn(t, m)
		if !strings.Contains(m.Data, "Subject: Reset your password") {
			t.Fatalf("reset mail:\n%s", m.Data)
		}
		if _, err := portal.SetPasswordWithToken(context.Background(), tok, "Franks-Passw0rd"); err == nil {
			t.Fatal("the current password was accepted again")
		}
		if _, err := portal.SetPasswordWithToken(context.Background(), tok, "Franks-N3w-Pass"); err != nil {
			t.Fatal(err)
		}
		if _, err := portal.VerifyPassword(context.Background(), sid, id, "Franks-N3w-Pass"); err != nil {
			t.Fatal(err)
		}

		// A changed address is unverified until VerifyEmail's link is followed.
		if err := update(c, sid, id, ptr("emails.value"), ptr("frank.new@example.com")); err != nil {
			t.Fatal(err)
		}
		d, _ := c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id})
		if *d.EmailVerified || (*d.Emails)[0].VerificationStatus.Value() != "NOT_VERIFIED" {
			t.Fatalf("changed address still verified: %+v", d)
		}
		if _, err := c.VerifyEmail(&model.VerifyEmailRequest{IdentityStoreId: sid, UserId: id}); err != nil {
			t.Fatal(err)
		}
		m, _ = smtpd.WaitFor(t, "frank.new@example.com", 0)
		path, tok = linkIn(t, m)
		if path != identity.VerifyEmailPath {
			t.Fatalf("verification link %s", path)
		}
		if _, err := portal.ConfirmEmail(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		d, _ = c.DescribeUser(&model.DescribeUserRequest{IdentityStoreId: sid, UserId: id})
		if !*d.EmailVerified || (*d.Emails)[0].VerificationStatus.Value() != "VERIFIED" {
			t.Fatalf("after confirming: %+v", d)
		}
		if _, err := portal.ConfirmEmail(context.Background(), tok); err == nil {
			t.Fatal("a verification link worked twice")
		}
		_, err = c.VerifyEmail(&model.VerifyEmailRequest{IdentityStoreId: sid, UserId: "missing"})
		testenv.WantError(t, err, 404, "IIC.1312")
		// The e-mails carry no password and no token hash; the database no raw token.
		for _, msg := range smtpd.Messages() {
			if strings.Contains(msg.Data, "Franks-") {
				t.Fatalf("an e-mail contains a password:\n%s", msg.Data)
			}
		}
	})
}

// 1,000 users listed 7 at a time through the SDK: each exactly once, in
// creation order; a marker of another list or a tampered one is refused.
func TestListUsersPagination(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv, c, sid := userStore(t, testenv.Options{Dialect: dialect})
		ctx := context.Background()
		const total = 1000
		want := make([]string, total)
		now := time.Now().UTC()
		err := srv.App.Store.WithTx(ctx, func(tx store.Store) error {
			for i := range want {
				want[i] = fmt.Sprintf("user-%04d", i)
				u := store.User{IdentityStoreID: sid, ID: want[i], UserName: want[i], DisplayName: want[i], Email: want[i] + "@example.com", Enabled: true,
					Profile:   []byte(`{"name":{"given_name":"G","family_name":"F"},"emails":[{"value":"` + want[i] + `@example.com","type":"work","primary":true}]}`),
					CreatedAt: now, UpdatedAt: now}
				if err := tx.Users().Create(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		seen := map[string]bool{}
		marker, pages := "", 0
		for {
			req := &model.ListUsersRequest{IdentityStoreId: sid, Limit: ptr(int32(7))}
			if marker != "" {
				req.Marker = &marker
			}
			l, err := c.ListUsers(req)
			if err != nil {
				t.Fatalf("page %d: %v", pages, err)
			}
			pages++
			if n := len(*l.Users); n != int(*l.PageInfo.CurrentCount) || n > 7 || (n < 7 && l.PageInfo.NextMarker != "") {
				t.Fatalf("page %d: %d users, current_count %d, next %q", pages, n, *l.PageInfo.CurrentCount, l.PageInfo.NextMarker)
			}
			for _, u := range *l.Users {
				if seen[u.UserId] {
					t.Fatalf("user %s listed twice", u.UserId)
				}
				seen[u.UserId] = true
				got = append(got, u.UserId)
			}
			if l.PageInfo.NextMarker == "" {
				break
			}
			if len(l.PageInfo.NextMarker) != 24 {
				t.Fatalf("marker %q is not 24 characters", l.PageInfo.NextMarker)
			}
			marker = l.PageInfo.NextMarker
			if pages > total {
				t.Fatal("pagination does not end")
			}
		}
		if len(got) != total || pages != (total+6)/7 {
			t.Fatalf("listed %d users in %d pages, want %d in %d", len(got), pages, total, (total+6)/7)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("position %d: %s, want %s", i, got[i], want[i])
			}
		}
		// The last marker belongs to the unfiltered list: not to a filtered one.
		_, err = c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid, Limit: ptr(int32(7)), Marker: &marker, UserName: ptr("user-0001")})
		testenv.WantError(t, err, 400, "IIC.400")
		tampered := "A" + marker[1:]
		if tampered == marker {
			tampered = "B" + marker[1:]
		}
		_, err = c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid, Marker: &tampered})
		testenv.WantError(t, err, 400, "IIC.400")
		for _, lim := range []int32{0, 101} {
			_, err = c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid, Limit: ptr(lim)})
			testenv.WantError(t, err, 400, "IIC.400")
		}
		// Default limit is 100.
		l, err := c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid})
		if err != nil || len(*l.Users) != 100 || l.PageInfo.NextMarker == "" {
			t.Fatalf("default page: %v", err)
		}
	})
}

// An SMTP server that does not answer: CreateUser(EMAIL) fails with 500
// IIC.1516 and leaves no user behind.
func TestUserEmailUndeliverableThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		_, c, sid := userStore(t, testenv.Options{Dialect: dialect, SMTPURL: "smtp://" + testenv.FreeAddr(t) + "?from=iic@example.com"})
		_, err := c.CreateUser(&model.CreateUserRequest{IdentityStoreId: sid, Body: newUserBody("ivan", emailMode)})
		testenv.WantError(t, err, 500, "IIC.1516")
		l, err := c.ListUsers(&model.ListUsersRequest{IdentityStoreId: sid})
		if err != nil || len(*l.Users) != 0 {
			t.Fatalf("users after a failed invitation: %+v, %v", l, err)
		}
		createUser(t, c, sid, "ivan")
	})
}
