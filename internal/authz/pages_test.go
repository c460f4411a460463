package authz_test

import (
	"context"
	"testing"

	"github.com/iic-project/iic/internal/authz"
)

// Rows not read on their page say why; the names read on the pages are the
// actions, and the names guessed before them stay the legacy names, so a
// policy stored with a guess still resolves to the same operation.
func TestActionTablePageNames(t *testing.T) {
	for _, o := range authz.Operations() {
		if (o.Source == authz.SourceInferred || o.Source == authz.SourceGathered) && o.Note == "" {
			t.Errorf("%s: source %s without a note saying why the page was not read", o.Name, o.Source)
		}
	}
	for op, names := range map[string][2]string{
		"GetSsoConfiguration":                     {"IdentityCenter:ssoConfiguration:describe", "identitycenter:instances:getSsoConfiguration"},
		"GetHaConfiguration":                      {"IdentityCenter:instance:getDisasterRecoveryConfiguration", "identitycenter:instances:getHaConfiguration"},
		"GetPermissionSetSummary":                 {"IdentityCenter:permissionSet:summary", "IdentityCenter:permissionSet:getSummary"},
		"ListAccountsForProvisionedPermissionSet": {"IdentityCenter:permissionSet:listAccountsForProvisioned", "IdentityCenter:permissionSet:listAccounts"},
		"ListAccountAssignmentsForPrincipal":      {"IdentityCenter:accountAssignmentForPrincipals:list", "IdentityCenter:accountAssignment:listForPrincipal"},
	} {
		for _, n := range names {
			if got := authz.LookupAction(n); got == nil || got.Name != op {
				t.Errorf("LookupAction(%s) = %v, want %s", n, got, op)
			}
		}
	}
	if o := authz.OperationByName("ListAccountAssignmentsForPrincipal"); o.Access != authz.AccessRead || o.ResourceType != "" {
		t.Errorf("ListAccountAssignmentsForPrincipal: access %s, resource %q; the page says Read, -", o.Access, o.ResourceType)
	}
}

// The managed-role pages name the custom-role actions: a policy allowing
// attachCustomRole allows attaching a managed role too, and its own
// operation still resolves to PutCustomRoleToPermissionSet.
func TestManagedRoleAcceptsThePageName(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	az := authz.NewPolicies(st)
	mustPolicy(t, st, acct, "custom-role", `{"Version":"5.0","Statement":[{"Effect":"Allow","Action":["IdentityCenter:permissionSet:attachCustomRole"]}]}`)
	p := &authz.Principal{Kind: authz.KindScoped, AccountID: acct, AccessKey: "AK", PolicyIDs: []string{"custom-role"}}
	if err := az.Authorize(ctx, p, reqFor("AttachManagedRoleToPermissionSet")); err != nil {
		t.Errorf("AttachManagedRoleToPermissionSet through its page's name: %v", err)
	}
	if err := az.Authorize(ctx, p, reqFor("DetachManagedRoleFromPermissionSet")); err == nil {
		t.Error("DetachManagedRoleFromPermissionSet allowed by attachCustomRole")
	}
	if o := authz.LookupAction("IdentityCenter:permissionSet:attachCustomRole"); o == nil || o.Name != "PutCustomRoleToPermissionSet" {
		t.Errorf("LookupAction(attachCustomRole) = %v", o)
	}
}
