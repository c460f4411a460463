package permission

import (
	"context"
	"slices"
	"strconv"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
)

// Kinds of policy a permission set holds.
const (
	KindPolicy = "policy" // v5: system identity policies, the custom identity policy
	KindRole   = "role"   // v1.1: system roles, the custom role
)

// count is how many policies ps holds in all (the per-set quota).
func count(p store.PolicySet) int {
	n := len(p.ManagedPolicies) + len(p.ManagedRoles)
	if p.CustomPolicy != "" {
		n++
	}
	if p.CustomRole != "" {
		n++
	}
	return n
}

// lookupManaged finds a system-defined policy of kind by id: an identity
// policy (v5) for KindPolicy, unknown → 400 IIC.1246; a role (v1.1) for
// KindRole, unknown → 404 IIC.1211.
func lookupManaged(kind, id string) (*managed.Policy, error) {
	p := managed.Lookup(id)
	want := managed.TypeIdentityPolicy
	if kind == KindRole {
		want = managed.TypeRole
	}
	if p == nil || p.Type != want {
		if kind == KindRole {
			return nil, apierr.IIC1211.New()
		}
		return nil, apierr.IIC1246.New(boundID(id))
	}
	return p, nil
}

// boundID keeps an echoed id short.
func boundID(id string) string {
	if len(id) > 64 {
		return id[:64] + "..."
	}
	return id
}

func managedList(p *store.PolicySet, kind string) *[]string {
	if kind == KindRole {
		return &p.ManagedRoles
	}
	return &p.ManagedPolicies
}

// Attach adds a system-defined policy (KindPolicy) or role (KindRole) to a
// permission set: 409 IIC.1207 if attached already; the per-set quotas
// apply.
func (s *Service) Attach(ctx context.Context, inst store.Instance, id, kind, policyID string) error {
	if _, err := lookupManaged(kind, policyID); err != nil {
		return err
	}
	_, err := s.change(ctx, inst, id, func(ps *store.PermissionSet) error {
		list := managedList(&ps.Policies, kind)
		if slices.Contains(*list, policyID) {
			return apierr.IIC1207.New()
		}
		if kind == KindPolicy && len(ps.Policies.ManagedPolicies) >= s.Quotas.ManagedPolicies {
			return apierr.IIC400_400.New("a permission set holds at most " + strconv.Itoa(s.Quotas.ManagedPolicies) + " system-defined identity policies")
		}
		if count(ps.Policies) >= s.Quotas.PoliciesPerSet {
			return apierr.IIC400_400.New("a permission set holds at most " + strconv.Itoa(s.Quotas.PoliciesPerSet) + " policies")
		}
		*list = append(*list, policyID)
		return nil
	})
	return err
}

// Detach removes an attached system-defined policy or role (404 IIC.1211
// if it is not attached).
func (s *Service) Detach(ctx context.Context, inst store.Instance, id, kind, policyID string) error {
	_, err := s.change(ctx, inst, id, func(ps *store.PermissionSet) error {
		list := managedList(&ps.Policies, kind)
		i := slices.Index(*list, policyID)
		if i < 0 {
			return apierr.IIC1211.New()
		}
		*list = slices.Delete(*list, i, i+1)
		return nil
	})
	return err
}

// Attached is one system-defined policy or role of a permission set.
type Attached struct {
	ID, Name string
}

// AttachedPage is one page of ListManagedPolicies/RolesInPermissionSet.
type AttachedPage struct {
	Items      []Attached
	NextMarker string
}

// ListAttached lists a permission set's system-defined policies or roles in
// attach order.
func (s *Service) ListAttached(ctx context.Context, inst store.Instance, id, kind string, limit int, marker string) (AttachedPage, error) {
	scope := "attached:" + kind + ":" + inst.ID + ":" + id
	after, err := s.Paging.After(scope, marker)
	if err != nil {
		return AttachedPage{}, err
	}
	ps, err := s.Get(ctx, inst, id)
	if err != nil {
		return AttachedPage{}, err
	}
	type item struct {
		a   Attached
		pos int64
	}
	var rows []item
	for i, pid := range *managedList(&ps.Policies, kind) {
		pos := int64(i + 1)
		if pos <= after {
			continue
		}
		name := pid
		if p := managed.Lookup(pid); p != nil {
			name = p.Name
		}
		rows = append(rows, item{Attached{ID: pid, Name: name}, pos})
		if len(rows) > limit {
			break
		}
	}
	page, next := paging.Trim(s.Paging, scope, rows, limit, func(it item) int64 { return it.pos })
	out := AttachedPage{NextMarker: next, Items: []Attached{}}
	for _, it := range page {
		out.Items = append(out.Items, it.a)
	}
	return out, nil
}

// checkCustom validates a custom document of kind: a v5 identity policy for
// KindPolicy, a v1.1 policy for KindRole; over 6,144 characters → IIC.1293.
func checkCustom(kind, text string) error {
	field, want := "custom_policy", policy.Version50
	if kind == KindRole {
		field, want = "custom_role", policy.Version11
	}
	if text == "" {
		return apierr.IIC400_400.New(field + " is required")
	}
	doc, err := accesskeys.CheckDocument(field, []byte(text))
	if err != nil {
		return err
	}
	if doc.Version != want {
		return apierr.IIC400_400.New(field + ` must be a policy with "Version": "` + want + `"`)
	}
	if _, err := policy.Compile(doc); err != nil {
		return apierr.IIC400_400.New(field + ": " + err.Error())
	}
	return nil
}

// PutCustom sets (or replaces) the custom identity policy (KindPolicy) or
// custom role (KindRole) of a permission set.
func (s *Service) PutCustom(ctx context.Context, inst store.Instance, id, kind, text string) error {
	if err := checkCustom(kind, text); err != nil {
		return err
	}
	_, err := s.change(ctx, inst, id, func(ps *store.PermissionSet) error {
		cur := &ps.Policies.CustomPolicy
		if kind == KindRole {
			cur = &ps.Policies.CustomRole
		}
		if *cur == "" && count(ps.Policies) >= s.Quotas.PoliciesPerSet {
			return apierr.IIC400_400.New("a permission set holds at most " + strconv.Itoa(s.Quotas.PoliciesPerSet) + " policies")
		}
		*cur = text
		return nil
	})
	return err
}

// GetCustom returns the custom document of kind ("" when none is set).
func (s *Service) GetCustom(ctx context.Context, inst store.Instance, id, kind string) (string, error) {
	ps, err := s.Get(ctx, inst, id)
	if kind == KindRole {
		return ps.Policies.CustomRole, err
	}
	return ps.Policies.CustomPolicy, err
}

// DeleteCustom removes the custom document of kind (404 IIC.1211 when none
// is set).
func (s *Service) DeleteCustom(ctx context.Context, inst store.Instance, id, kind string) error {
	_, err := s.change(ctx, inst, id, func(ps *store.PermissionSet) error {
		cur := &ps.Policies.CustomPolicy
		if kind == KindRole {
			cur = &ps.Policies.CustomRole
		}
		if *cur == "" {
			return apierr.IIC1211.New()
		}
		*cur = ""
		return nil
	})
	return err
}
