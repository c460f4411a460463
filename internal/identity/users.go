package identity

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/store"
)

// Caller says who acts: the actor recorded in created_by / updated_by.
type Caller struct {
	Actor string
}

// NewUser is the input of CreateUser.
type NewUser struct {
	UserName     string
	DisplayName  string
	PasswordMode string // PasswordModeOTP, PasswordModeEmail or PasswordModeNone
	Profile      Profile
}

// Password modes of CreateUser and ResetPassword.
const (
	PasswordModeOTP   = "OTP"
	PasswordModeEmail = "EMAIL"
	// PasswordModeNone creates a user without a password: it signs in
	// through the external IdP that provisioned it (SCIM), or gets one by a
	// reset later. Only CreateUser takes it.
	PasswordModeNone = "NONE"
)

func badRequest(format string, args ...any) error {
	return apierr.IIC400_400.New(fmt.Sprintf(format, args...))
}

func checkLen(field, v string, min, max int) error {
	// PostgreSQL text cannot hold NUL (JSON "\u0000"): refuse it here
	// rather than fail in the database with a 500.
	if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
		return badRequest("%s must be UTF-8 text without NUL characters", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min || n > max {
		if min > 0 && n == 0 {
			return badRequest("%s is required", field)
		}
		return badRequest("%s must be %d to %d characters", field, min, max)
	}
	return nil
}

// validateProfile drops the entries without a value (dropEmptyEntries),
// checks the attributes and returns the primary email.
func validateProfile(p *Profile) (string, error) {
	dropEmptyEntries(p)
	if err := checkLen("name.given_name", p.Name.GivenName, 1, 64); err != nil {
		return "", err
	}
	if err := checkLen("name.family_name", p.Name.FamilyName, 1, 64); err != nil {
		return "", err
	}
	for field, v := range map[string]string{
		"name.formatted": p.Name.Formatted, "name.middle_name": p.Name.MiddleName,
		"name.honorific_prefix": p.Name.HonorificPrefix, "name.honorific_suffix": p.Name.HonorificSuffix,
		"nickname": p.Nickname, "title": p.Title, "locale": p.Locale, "timezone": p.Timezone,
		"preferred_language": p.PreferredLanguage, "profile_url": p.ProfileURL, "user_type": p.UserType,
	} {
		if err := checkLen(field, v, 0, 1024); err != nil {
			return "", err
		}
	}
	if e := p.Enterprise; e != nil {
		fields := map[string]string{"enterprise.cost_center": e.CostCenter, "enterprise.department": e.Department, "enterprise.division": e.Division,
			"enterprise.employee_number": e.EmployeeNumber, "enterprise.organization": e.Organization}
		if e.Manager != nil {
			fields["enterprise.manager.value"] = e.Manager.Value
		}
		for field, v := range fields {
			if err := checkLen(field, v, 0, 1024); err != nil {
				return "", err
			}
		}
	}
	if len(p.Emails) > 1 {
		return "", badRequest("emails may hold at most one address")
	}
	primary := ""
	for i, e := range p.Emails {
		// Only a bare address: net/mail also takes comments, quotes and
		// white space ("a@b(c)", `"a"@b`), other spellings of a mailbox
		// that would get past the uniqueness of e-mail addresses.
		if a, err := mail.ParseAddress(e.Value); err != nil || a.Address != e.Value || strings.ContainsAny(e.Value, "<> \"\x00") || len(e.Value) > 254 {
			return "", badRequest("emails[%d].value %q is not a valid e-mail address", i, e.Value)
		}
		if err := checkLen(fmt.Sprintf("emails[%d].type", i), e.Type, 0, 64); err != nil {
			return "", err
		}
		switch e.VerificationStatus {
		case "", "NOT_VERIFIED", "VERIFIED":
		default:
			return "", badRequest("emails[%d].verification_status must be NOT_VERIFIED or VERIFIED", i)
		}
		if e.Primary {
			primary = e.Value
		}
	}
	if len(p.Emails) > 0 && primary == "" {
		return "", badRequest("the e-mail address must be marked primary")
	}
	if len(p.Addresses) > 1 || len(p.PhoneNumbers) > 1 {
		return "", badRequest("addresses and phone_numbers may hold at most one entry each")
	}
	for i, a := range p.Addresses {
		fields := map[string]string{"country": a.Country, "formatted": a.Formatted, "locality": a.Locality,
			"postal_code": a.PostalCode, "region": a.Region, "street_address": a.StreetAddress}
		for field, v := range fields {
			if err := checkLen(fmt.Sprintf("addresses[%d].%s", i, field), v, 0, 1024); err != nil {
				return "", err
			}
		}
		if err := checkLen(fmt.Sprintf("addresses[%d].type", i), a.Type, 0, 64); err != nil {
			return "", err
		}
	}
	for i, ph := range p.PhoneNumbers {
		if err := checkLen(fmt.Sprintf("phone_numbers[%d].value", i), ph.Value, 0, 1024); err != nil {
			return "", err
		}
		if err := checkLen(fmt.Sprintf("phone_numbers[%d].type", i), ph.Type, 0, 64); err != nil {
			return "", err
		}
	}
	return primary, nil
}

// validUserName: 2 to 128 characters (the product's documented range), none
// of them white space (any Unicode space, e.g. U+00A0), a control character
// or an invisible format character (U+200B zero-width space, U+2060, bidi
// marks...), so that two user names that look alike on screen differ
// visibly or not at all.
func validUserName(name string) error {
	if err := checkLen("user_name", name, 2, 128); err != nil {
		return err
	}
	for _, r := range name {
		if !visibleRune(r) {
			return badRequest("user_name must not contain spaces, control or invisible characters")
		}
	}
	return nil
}

// visibleRune reports whether r prints as something: not a space, a control
// or a format character.
func visibleRune(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) && r != utf8.RuneError
}

// userConflict maps a store conflict of a user write to the table's error,
// from the key the store names: a taken e-mail address is IIC.1321, a taken
// user name (or external id, or id) IIC.1310. err is returned unchanged
// when it is not a conflict.
func userConflict(err error, userName, email string) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	switch key := store.ConflictKey(err); key {
	case store.KeyEmail:
		return apierr.IIC1321.New().WithKey(key).About("user", email)
	default:
		return apierr.IIC1310.New().WithKey(key).About("user", userName)
	}
}

// CreateUser creates a user and gives it a first password per
// PasswordMode; it returns the user id and, for OTP, the one-time password.
func (s *Service) CreateUser(ctx context.Context, c Caller, storeID string, in NewUser) (string, string, error) {
	return s.createUser(ctx, c, storeID, in, nil)
}

// createUser is CreateUser; set, if not nil, adjusts the row before it is
// written.
func (s *Service) createUser(ctx context.Context, c Caller, storeID string, in NewUser, set func(*store.User)) (string, string, error) {
	name, err := canonicalUserName(in.UserName)
	if err != nil {
		return "", "", err
	}
	in.UserName = name
	if err := checkLen("display_name", in.DisplayName, 1, 1024); err != nil {
		return "", "", err
	}
	switch in.PasswordMode {
	case PasswordModeOTP, PasswordModeEmail, PasswordModeNone:
	default:
		return "", "", badRequest("password_mode must be OTP or EMAIL")
	}
	if err := s.checkMailer(in.PasswordMode); err != nil {
		return "", "", err
	}
	if len(in.Profile.Emails) == 0 {
		return "", "", badRequest("emails is required")
	}
	email, err := validateProfile(&in.Profile)
	if err != nil {
		return "", "", err
	}
	setVerification(&in.Profile, email, false)
	profile, err := encodeProfile(in.Profile)
	if err != nil {
		return "", "", err
	}
	now := s.Now().UTC()
	u := store.User{
		IdentityStoreID: storeID, ID: s.IDs.UUID(), UserName: in.UserName, DisplayName: in.DisplayName, Email: email,
		Enabled: true, Profile: profile, CreatedAt: now, CreatedBy: c.Actor, UpdatedAt: now, UpdatedBy: c.Actor,
	}
	if set != nil {
		set(&u)
	}
	var password string
	var invitation *outMail
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		// The unique keys decide a taken name or address and the store's
		// counter the quota, both race-free and without a look-up first.
		if err := tx.Users().CreateWithin(ctx, u, s.quotas().Users); err != nil {
			return err
		}
		if in.PasswordMode == PasswordModeNone {
			return nil
		}
		var err error
		password, invitation, err = s.initialPassword(ctx, tx, &u, in.PasswordMode)
		return err
	})
	if errors.Is(err, store.ErrLimit) {
		return "", "", apierr.IIC1311.New()
	}
	if err != nil {
		return "", "", userConflict(err, u.UserName, email)
	}
	if err := s.deliver(ctx, invitation); err != nil {
		// A user whose invitation never left cannot sign in: undo the create.
		// Should that fail too, the user stays (listable, resettable) and
		// the log says so.
		if derr := s.Store.Users().Delete(context.WithoutCancel(ctx), storeID, u.ID); derr != nil {
			err = fmt.Errorf("%w; undoing the create of user %s failed: %w", err, u.ID, derr)
		}
		return "", "", err
	}
	return u.ID, password, nil
}

func (s *Service) quotas() Quotas {
	q := s.Quotas
	if q.Users <= 0 {
		q.Users = DefaultQuotas.Users
	}
	if q.Groups <= 0 {
		q.Groups = DefaultQuotas.Groups
	}
	return q
}

func decodeUser(u store.User) (User, error) {
	out := User{User: u}
	if len(u.Profile) > 0 {
		p, err := decodeProfile(u.Profile)
		if err != nil {
			return out, fmt.Errorf("user %s: %w", u.ID, err)
		}
		out.Profile = p
		dropEmptyEntries(&out.Profile) // rows written before the rule
	}
	return out, nil
}

// GetUser returns one user; 404 IIC.1312 if it does not exist.
func (s *Service) GetUser(ctx context.Context, storeID, userID string) (User, error) {
	u, err := s.Store.Users().Get(ctx, storeID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, apierr.IIC1312.New()
	}
	if err != nil {
		return User{}, err
	}
	return decodeUser(u)
}

// DescribeUsers returns the users among ids that exist, in the order asked.
func (s *Service) DescribeUsers(ctx context.Context, storeID string, ids []string) ([]User, error) {
	if len(ids) == 0 || len(ids) > 100 {
		return nil, badRequest("user_ids must hold 1 to 100 ids")
	}
	rows, err := s.Store.Users().GetMany(ctx, storeID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.User, len(rows))
	for _, u := range rows {
		byID[u.ID] = u
	}
	out := make([]User, 0, len(rows))
	for _, id := range ids {
		u, ok := byID[id]
		if !ok {
			continue
		}
		delete(byID, id) // each user once, where first asked
		du, err := decodeUser(u)
		if err != nil {
			return nil, err
		}
		out = append(out, du)
	}
	return out, nil
}

// UserPage is one page of ListUsers.
type UserPage struct {
	Users      []User
	NextMarker string
}

// ListUsers lists users in creation order, optionally only the one named
// userName (case-insensitive).
func (s *Service) ListUsers(ctx context.Context, storeID, userName string, limit int, marker string) (UserPage, error) {
	if userName != "" {
		userName = lookupUserName(userName)
	}
	scope := "users:" + storeID + ":" + strings.ToLower(userName)
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return UserPage{}, err
	}
	rows, err := s.Store.Users().List(ctx, storeID, store.UserFilter{UserName: userName}, after, limit+1)
	if err != nil {
		return UserPage{}, err
	}
	rows, next := paging.Trim(s.Paging, scope, rows, limit, func(u store.User) int64 { return u.Seq })
	page := UserPage{NextMarker: next, Users: make([]User, 0, len(rows))}
	for _, r := range rows {
		u, err := decodeUser(r)
		if err != nil {
			return UserPage{}, err
		}
		page.Users = append(page.Users, u)
	}
	return page, nil
}

// DeleteUser deletes a user with its memberships, credentials and sessions;
// SignInsEnded hears of its ended sign-ins.
func (s *Service) DeleteUser(ctx context.Context, storeID, userID string) error {
	var ended EndedSignIns
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		if s.PrincipalInUse != nil {
			if err := s.PrincipalInUse(ctx, tx, storeID, store.PrincipalUser, userID); err != nil {
				return err
			}
		}
		// Its sessions and tokens would go by cascade; ended here, they
		// are named to SignInsEnded, for the temporary credentials issued
		// in them (which reference no user row) to end too.
		var err error
		if ended, err = endSignIns(ctx, tx, storeID, userID); err != nil {
			return err
		}
		return tx.Users().Delete(ctx, storeID, userID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1312.New()
	}
	if err == nil {
		s.signInsEnded(ctx, ended)
	}
	return err
}

// SetUserEnabled enables or disables a user; doing it twice is IIC.1318
// (already enabled) or IIC.1317 (already disabled). Disabling ends the
// user's portal sessions and OIDC tokens, and SignInsEnded hears of them.
func (s *Service) SetUserEnabled(ctx context.Context, c Caller, storeID, userID string, enabled bool) error {
	// Disabling signs the user out: its sign-ins end in the same
	// transaction.
	var ended EndedSignIns
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		err := tx.Users().Update(ctx, storeID, userID, func(u *store.User) error {
			switch {
			case u.Enabled && enabled:
				return apierr.IIC1318.New()
			case !u.Enabled && !enabled:
				return apierr.IIC1317.New()
			}
			u.Enabled = enabled
			u.UpdatedAt, u.UpdatedBy = s.Now().UTC(), c.Actor
			return nil
		})
		if err != nil || enabled {
			return err
		}
		ended, err = endSignIns(ctx, tx, storeID, userID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return apierr.IIC1312.New()
	}
	if err == nil {
		s.signInsEnded(ctx, ended)
	}
	return err
}

// keyKind is which unique attribute a UserKey or GroupKey names.
type keyKind int

const (
	byName keyKind = iota + 1 // user name or group display name
	byEmail
	byExternalID
)

// UserKey names a user by one of its unique attributes: make it with
// UserByName, UserByEmail or UserByExternalID.
type UserKey struct {
	kind  keyKind
	value string
	ext   store.ExternalID
}

// UserByName names the user with this user name (canonicalized as on
// create; case-insensitive).
func UserByName(name string) UserKey { return UserKey{kind: byName, value: name} }

// UserByEmail names the user with this primary e-mail (case-insensitive).
func UserByEmail(email string) UserKey { return UserKey{kind: byEmail, value: email} }

// UserByExternalID names the user with this external id.
func UserByExternalID(e store.ExternalID) UserKey { return UserKey{kind: byExternalID, ext: e} }

// GetUserID finds the user k names; none (an empty name or e-mail
// included) is 404 IIC.1316.
func (s *Service) GetUserID(ctx context.Context, storeID string, k UserKey) (string, error) {
	u, err := s.findUser(ctx, storeID, k)
	return u.ID, err
}

// FindUser is GetUserID returning the whole user, read by the same one
// statement.
func (s *Service) FindUser(ctx context.Context, storeID string, k UserKey) (User, error) {
	u, err := s.findUser(ctx, storeID, k)
	if err != nil {
		return User{}, err
	}
	return decodeUser(u)
}

// UserRecord is GetUserID returning the stored user, read by the same one
// statement (the sign-in service reads nothing more of the user).
func (s *Service) UserRecord(ctx context.Context, storeID string, k UserKey) (store.User, error) {
	return s.findUser(ctx, storeID, k)
}

func (s *Service) findUser(ctx context.Context, storeID string, k UserKey) (store.User, error) {
	var (
		u   store.User
		err error
	)
	switch {
	case k.kind == byExternalID:
		u, err = s.Store.Users().GetByExternalID(ctx, storeID, k.ext)
	case k.value == "":
		err = store.ErrNotFound
	case k.kind == byName:
		var list []store.User
		list, err = s.Store.Users().List(ctx, storeID, store.UserFilter{UserName: lookupUserName(k.value)}, 0, 1)
		if err == nil && len(list) == 0 {
			err = store.ErrNotFound
		} else if err == nil {
			u = list[0]
		}
	case k.kind == byEmail:
		u, err = s.Store.Users().GetByEmail(ctx, storeID, k.value)
	default:
		return store.User{}, errors.New("identity: GetUserID with a zero UserKey")
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, apierr.IIC1316.New()
	}
	return u, err
}
