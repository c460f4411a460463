package identity

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// UserFields are the attributes of a user that a surface may change with
// EditUser, as domain values (each surface translates its own wire format:
// SCIM PATCH and PUT, the portal's forms).
type UserFields struct {
	UserName    string
	DisplayName string
	Enabled     bool
	ExternalIDs []store.ExternalID
	Profile     Profile
}

// ValidateUserFields checks f with CreateUser's rules (the user name, the
// display name, the external ids, the profile: one primary e-mail, at most
// one address and phone number, the length of every attribute) and returns
// it in its stored form (the canonical user name, placeholder entries
// dropped) with its primary e-mail, or a 400 naming what is wrong. It is
// pure: surfaces that translate their own edits may call it to check them
// the way EditUser will. The input is not changed.
func ValidateUserFields(f UserFields) (UserFields, string, error) {
	f.ExternalIDs = slices.Clone(f.ExternalIDs)
	f.Profile = cloneProfile(f.Profile)
	var err error
	if f.UserName, err = canonicalUserName(f.UserName); err != nil {
		return UserFields{}, "", err
	}
	if err := checkLen("display_name", f.DisplayName, 1, 1024); err != nil {
		return UserFields{}, "", err
	}
	if err := validGroupExternalIDs(f.ExternalIDs); err != nil {
		return UserFields{}, "", err
	}
	if len(f.Profile.Emails) == 0 {
		return UserFields{}, "", badRequest("emails is required")
	}
	primary, err := validateProfile(&f.Profile)
	if err != nil {
		return UserFields{}, "", err
	}
	return f, primary, nil
}

// setVerification derives the e-mails' verification_status from whether
// the primary address is verified (clients cannot set it).
func setVerification(p *Profile, primary string, verified bool) {
	for i := range p.Emails {
		p.Emails[i].VerificationStatus = "NOT_VERIFIED"
		if verified && strings.EqualFold(p.Emails[i].Value, primary) {
			p.Emails[i].VerificationStatus = "VERIFIED"
		}
	}
}

// cloneProfile copies p deeply enough that changing the copy leaves p
// unchanged.
func cloneProfile(p Profile) Profile {
	p.Emails = slices.Clone(p.Emails)
	p.Addresses = slices.Clone(p.Addresses)
	p.PhoneNumbers = slices.Clone(p.PhoneNumbers)
	if p.Enterprise != nil {
		e := *p.Enterprise
		if e.Manager != nil {
			m := *e.Manager
			e.Manager = &m
		}
		p.Enterprise = &e
	}
	return p
}

// errUnchanged aborts a store update whose edit changed nothing.
var errUnchanged = errors.New("identity: unchanged")

// errVersion is an edit of a resource that is no longer at the version the
// caller read: a surface answers it as its precondition failure (SCIM 412).
func errVersion() error { return apierr.IIC1006.New().WithKey("version") }

// EditUser changes a user in one transaction. edit gets the user as stored
// and the fields to change; the result is validated with CreateUser's rules
// (the user name, the display name, the profile: one primary e-mail, at most
// one address and phone number) and written only if something changed
// (changed is false otherwise, and nothing is written, not even updated_at).
// ifVersion > 0 requires the user to be at that version (else 409 IIC.1006
// with key "version"). A changed primary e-mail becomes unverified and voids
// the links mailed to the old one; disabling ends the user's portal sessions
// and OIDC tokens (SignInsEnded hears of them).
// A taken user name is IIC.1310, a taken e-mail IIC.1321, an unknown user
// 404 IIC.1312; each names the user (About).
func (s *Service) EditUser(ctx context.Context, c Caller, storeID, userID string, ifVersion int64, edit func(old User, f *UserFields) error) (User, bool, error) {
	var out User
	var userName, email string
	var ended EndedSignIns
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		return tx.Users().Update(ctx, storeID, userID, func(su *store.User) error {
			if ifVersion > 0 && su.Version != ifVersion {
				return errVersion()
			}
			old, err := decodeUser(*su)
			if err != nil {
				return err
			}
			f := UserFields{UserName: old.UserName, DisplayName: old.DisplayName, Enabled: old.Enabled,
				ExternalIDs: slices.Clone(old.ExternalIDs), Profile: cloneProfile(old.Profile)}
			if err := edit(old, &f); err != nil {
				return err
			}
			f, primary, err := ValidateUserFields(f)
			if err != nil {
				return err
			}
			userName, email = f.UserName, primary
			verified := su.EmailVerified && strings.EqualFold(primary, su.Email)
			setVerification(&f.Profile, primary, verified)
			profile, err := encodeProfile(f.Profile)
			if err != nil {
				return err
			}
			if f.UserName == su.UserName && f.DisplayName == su.DisplayName && f.Enabled == su.Enabled && primary == su.Email &&
				slices.Equal(f.ExternalIDs, su.ExternalIDs) && bytes.Equal(profile, su.Profile) {
				out = old
				return errUnchanged
			}
			if !strings.EqualFold(primary, su.Email) {
				// Links mailed to the old address must not work any more.
				if _, err := tx.UserSecrets().DeleteTokens(ctx, storeID, userID, ""); err != nil {
					return err
				}
			}
			if su.Enabled && !f.Enabled {
				if ended, err = endSignIns(ctx, tx, storeID, userID); err != nil {
					return err
				}
			}
			su.UserName, su.DisplayName, su.Enabled, su.ExternalIDs = f.UserName, f.DisplayName, f.Enabled, f.ExternalIDs
			su.Email, su.EmailVerified, su.Profile = primary, verified, profile
			su.UpdatedAt, su.UpdatedBy = s.Now().UTC(), c.Actor
			su.Version++
			out = User{User: *su, Profile: f.Profile}
			return nil
		})
	})
	switch {
	case errors.Is(err, errUnchanged):
		return out, false, nil
	case errors.Is(err, store.ErrNotFound):
		return User{}, false, apierr.IIC1312.New().About("user", userID)
	case err != nil:
		return User{}, false, userConflict(err, userName, email)
	}
	s.signInsEnded(ctx, ended)
	return out, true, nil
}

// GroupFields are the attributes of a group a surface may change.
type GroupFields struct {
	DisplayName string
	Description string
	ExternalIDs []store.ExternalID
}

// ValidateGroupFields checks f with CreateGroup's rules (a display name
// that is not blank, IIC.1353; the lengths; at most 10 external ids with
// distinct issuers) and returns it in its stored form (the display name in
// NFC, see canonicalDisplayName). It is pure, like ValidateUserFields.
func ValidateGroupFields(f GroupFields) (GroupFields, error) {
	f.DisplayName = canonicalDisplayName(f.DisplayName)
	if err := validDisplayName(f.DisplayName); err != nil {
		return GroupFields{}, err
	}
	if err := checkLen("description", f.Description, 0, 1024); err != nil {
		return GroupFields{}, err
	}
	if err := validGroupExternalIDs(f.ExternalIDs); err != nil {
		return GroupFields{}, err
	}
	return f, nil
}

// MemberChange is how EditGroup changes a group's members: add and remove
// user ids, or (Replace) make the members exactly Set.
type MemberChange struct {
	Add, Remove []string
	Replace     bool
	Set         []string
}

func (m MemberChange) empty() bool { return !m.Replace && len(m.Add) == 0 && len(m.Remove) == 0 }

// MaxMembersPerEdit bounds the user ids one EditGroup names.
const MaxMembersPerEdit = 100_000

// EditGroup changes a group's attributes (edit may be nil) and members in
// one transaction: the members named are added or removed in a few
// statements per few hundred, whatever the group's size; Replace reads the
// current members once and writes only the difference. ifVersion > 0
// requires the group to be at that version (409 IIC.1006, key "version").
// A missing member is 404 IIC.1373 about "member"; a taken display name
// IIC.1341, a taken external id IIC.1342; an unknown group 404 IIC.1343.
// changed reports whether anything was written.
func (s *Service) EditGroup(ctx context.Context, c Caller, storeID, groupID string, ifVersion int64, edit func(old store.Group, f *GroupFields) error, members MemberChange) (bool, error) {
	if n := len(members.Add) + len(members.Remove) + len(members.Set); n > MaxMembersPerEdit {
		return false, badRequest("at most %d members may change at once", MaxMembersPerEdit)
	}
	for _, list := range [][]string{members.Add, members.Remove, members.Set} {
		for _, id := range list {
			if err := requireRefID("member id", id); err != nil {
				return false, err
			}
		}
	}
	changed := false
	var updated store.Group
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		// The group's row is locked first (Update reads it FOR UPDATE), so
		// that the version check and every write below are one step for
		// concurrent editors.
		err := tx.Groups().Update(ctx, storeID, groupID, func(sg *store.Group) error {
			if ifVersion > 0 && sg.Version != ifVersion {
				return errVersion()
			}
			updated = *sg
			if edit == nil {
				return errUnchanged
			}
			f := GroupFields{DisplayName: sg.DisplayName, Description: sg.Description, ExternalIDs: slices.Clone(sg.ExternalIDs)}
			if err := edit(*sg, &f); err != nil {
				return err
			}
			f, err := ValidateGroupFields(f)
			if err != nil {
				return err
			}
			if f.DisplayName == sg.DisplayName && f.Description == sg.Description && slices.Equal(f.ExternalIDs, sg.ExternalIDs) {
				return errUnchanged
			}
			sg.DisplayName, sg.Description, sg.ExternalIDs = f.DisplayName, f.Description, f.ExternalIDs
			sg.UpdatedAt, sg.UpdatedBy = s.Now().UTC(), c.Actor
			updated = *sg
			changed = true
			return nil
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return err
		}
		if members.empty() {
			return nil
		}
		add, remove := members.Add, members.Remove
		if members.Replace {
			current, err := tx.Memberships().MemberIDs(ctx, storeID, groupID)
			if err != nil {
				return err
			}
			add, remove = diffMembers(current, members.Set)
		}
		if len(remove) > 0 {
			removed, err := tx.Memberships().RemoveMembers(ctx, storeID, groupID, remove)
			if err != nil {
				return err
			}
			changed = changed || len(removed) > 0
		}
		if len(add) > 0 {
			now := s.Now().UTC()
			mids := make([]string, len(add))
			for i := range mids {
				mids[i] = s.IDs.UUID()
			}
			added, err := tx.Memberships().AddMembers(ctx, storeID, groupID, add, mids, now)
			if store.ConflictKey(err) == store.KeyReference {
				return apierr.IIC1373_404.New().About("member", "")
			}
			if err != nil {
				return err
			}
			changed = changed || len(added) > 0
		}
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, apierr.IIC1343.New().About("group", groupID)
	case err != nil:
		return false, groupConflict(err, updated)
	}
	return changed, nil
}

// diffMembers returns the ids of want missing from current (to add, in
// want's order, once each) and of current missing from want (to remove).
func diffMembers(current, want []string) (add, remove []string) {
	have := make(map[string]bool, len(current))
	for _, id := range current {
		have[id] = true
	}
	keep := make(map[string]bool, len(want))
	for _, id := range want {
		if !have[id] && !keep[id] {
			add = append(add, id)
		}
		keep[id] = true
	}
	for _, id := range current {
		if !keep[id] {
			remove = append(remove, id)
		}
	}
	return add, remove
}

// CreateProvisionedUser creates a user from fields, without a password
// (PasswordModeNone: it signs in through the IdP that provisioned it), with
// CreateUser's rules and errors, and returns its id. f.Enabled false
// creates a disabled user.
func (s *Service) CreateProvisionedUser(ctx context.Context, c Caller, storeID string, f UserFields) (string, error) {
	if err := validGroupExternalIDs(f.ExternalIDs); err != nil {
		return "", err
	}
	id, _, err := s.createUser(ctx, c, storeID, NewUser{UserName: f.UserName, DisplayName: f.DisplayName, PasswordMode: PasswordModeNone, Profile: f.Profile},
		func(u *store.User) { u.Enabled, u.ExternalIDs = f.Enabled, f.ExternalIDs })
	return id, err
}

// CreateProvisionedGroup creates a group from fields with its first members,
// in one transaction (an unknown member creates nothing: 404 IIC.1373
// about "member"), with CreateGroup's rules and errors; it returns the id.
func (s *Service) CreateProvisionedGroup(ctx context.Context, c Caller, storeID string, f GroupFields, members []string) (string, error) {
	f, err := ValidateGroupFields(f)
	if err != nil {
		return "", err
	}
	if len(members) > MaxMembersPerEdit {
		return "", badRequest("at most %d members may be added at once", MaxMembersPerEdit)
	}
	for _, id := range members {
		if err := requireRefID("member id", id); err != nil {
			return "", err
		}
	}
	now := s.Now().UTC()
	g := store.Group{IdentityStoreID: storeID, ID: s.IDs.UUID(), DisplayName: f.DisplayName, Description: f.Description,
		ExternalIDs: f.ExternalIDs, CreatedAt: now, CreatedBy: c.Actor, UpdatedAt: now, UpdatedBy: c.Actor}
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := tx.Groups().CreateWithin(ctx, g, s.quotas().Groups); err != nil {
			return err
		}
		if len(members) == 0 {
			return nil
		}
		mids := make([]string, len(members))
		for i := range mids {
			mids[i] = s.IDs.UUID()
		}
		_, err := tx.Memberships().AddMembers(ctx, storeID, g.ID, members, mids, now)
		if store.ConflictKey(err) == store.KeyReference {
			return apierr.IIC1373_404.New().About("member", "")
		}
		return err
	})
	switch {
	case errors.Is(err, store.ErrLimit):
		return "", apierr.IIC1351.New()
	case err != nil:
		return "", groupConflict(err, g)
	}
	return g.ID, nil
}

// GroupMemberIDs returns the user ids of a group's members, in no
// particular order; 404 IIC.1343 for an unknown group.
func (s *Service) GroupMemberIDs(ctx context.Context, storeID, groupID string) ([]string, error) {
	if _, err := s.Store.Groups().Get(ctx, storeID, groupID); errors.Is(err, store.ErrNotFound) {
		return nil, apierr.IIC1343.New().About("group", groupID)
	} else if err != nil {
		return nil, err
	}
	return s.Store.Memberships().MemberIDs(ctx, storeID, groupID)
}

// ScanUsers returns up to limit users after position after (their Seq), in
// creation order, for surfaces that filter or page by themselves.
func (s *Service) ScanUsers(ctx context.Context, storeID string, after int64, limit int) ([]User, error) {
	rows, err := s.Store.Users().List(ctx, storeID, store.UserFilter{}, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(rows))
	for _, r := range rows {
		u, err := decodeUser(r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// UsersContaining returns, in creation order, the store's users whose user
// name (store.UserTextUserName) or primary e-mail (store.UserTextEmail)
// contains sub, compared case-insensitively, from the store's trigram index:
// store.ErrLimit if more than max match, store.ErrTooShort if sub holds
// fewer than store.MinContaining characters.
func (s *Service) UsersContaining(ctx context.Context, storeID string, text store.UserText, sub string, max int) ([]User, error) {
	rows, err := s.Store.Users().Containing(ctx, storeID, text, sub, max)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(rows))
	for _, r := range rows {
		u, err := decodeUser(r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// ScanGroups returns up to limit groups after position after, in creation
// order.
func (s *Service) ScanGroups(ctx context.Context, storeID string, after int64, limit int) ([]store.Group, error) {
	return s.Store.Groups().List(ctx, storeID, store.GroupFilter{}, after, limit)
}

// CountUsers and CountGroups return how many users and groups the store
// holds (one row read: the store keeps counters).
func (s *Service) CountUsers(ctx context.Context, storeID string) (int, error) {
	return s.Store.Users().Count(ctx, storeID)
}

func (s *Service) CountGroups(ctx context.Context, storeID string) (int, error) {
	return s.Store.Groups().Count(ctx, storeID)
}
