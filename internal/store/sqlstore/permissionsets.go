package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/iic-project/iic/internal/store"
)

type permissionSets struct{ s *sqlStore }

func (s *sqlStore) PermissionSets() store.PermissionSets { return permissionSets{s} }

const permissionSetColumns = "seq, instance_id, id, name, description, relay_state, session_duration, policies, tags, version, created_at, updated_at"

// policiesJSON is the stored form of a store.PolicySet.
type policiesJSON struct {
	ManagedPolicies []string `json:"managed_policies"`
	ManagedRoles    []string `json:"managed_roles"`
	CustomPolicy    string   `json:"custom_policy"`
	CustomRole      string   `json:"custom_role"`
}

func encodePolicies(p store.PolicySet) (string, error) {
	b, err := json.Marshal(policiesJSON{ManagedPolicies: p.ManagedPolicies, ManagedRoles: p.ManagedRoles, CustomPolicy: p.CustomPolicy, CustomRole: p.CustomRole})
	return string(b), err
}

func decodePolicies(s string) (store.PolicySet, error) {
	var j policiesJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return store.PolicySet{}, err
	}
	return store.PolicySet{ManagedPolicies: j.ManagedPolicies, ManagedRoles: j.ManagedRoles, CustomPolicy: j.CustomPolicy, CustomRole: j.CustomRole}, nil
}

type tagJSON struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

func scanPermissionSet(row interface{ Scan(...any) error }) (store.PermissionSet, error) {
	var p store.PermissionSet
	var pol, tags string
	var created, updated int64
	err := row.Scan(&p.Seq, &p.InstanceID, &p.ID, &p.Name, &p.Description, &p.RelayState, &p.SessionDuration, &pol, &tags, &p.Version, &created, &updated)
	if err != nil {
		return p, mapErr(err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	if p.Policies, err = decodePolicies(pol); err != nil {
		return p, fmt.Errorf("permission set %s: policies: %w", p.ID, err)
	}
	var tj []tagJSON
	if err := json.Unmarshal([]byte(tags), &tj); err != nil {
		return p, fmt.Errorf("permission set %s: tags: %w", p.ID, err)
	}
	for _, t := range tj {
		p.Tags = append(p.Tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	return p, nil
}

// permissionSetArgs are the values of the columns after (instance_id, id).
func permissionSetArgs(p store.PermissionSet) ([]any, error) {
	pol, err := encodePolicies(p.Policies)
	if err != nil {
		return nil, err
	}
	tj := []tagJSON{}
	for _, t := range p.Tags {
		tj = append(tj, tagJSON{Key: t.Key, Value: t.Value})
	}
	tags, err := json.Marshal(tj)
	if err != nil {
		return nil, err
	}
	return []any{p.Name, p.Description, p.RelayState, p.SessionDuration, pol, string(tags), p.Version, ms(p.CreatedAt), ms(p.UpdatedAt)}, nil
}

func (t permissionSets) Create(ctx context.Context, p store.PermissionSet) error {
	args, err := permissionSetArgs(p)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO permission_sets (instance_id, id, name, description, relay_state, session_duration, policies, tags,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{p.InstanceID, p.ID}, args...)...)
	return err
}

func (t permissionSets) Get(ctx context.Context, instanceID, id string) (store.PermissionSet, error) {
	return scanPermissionSet(t.s.queryRow(ctx, "SELECT "+permissionSetColumns+" FROM permission_sets WHERE instance_id = ? AND id = ?", instanceID, id))
}

func (t permissionSets) Find(ctx context.Context, id string) (store.PermissionSet, error) {
	return scanPermissionSet(t.s.queryRow(ctx, "SELECT "+permissionSetColumns+" FROM permission_sets WHERE id = ?", id))
}

func (t permissionSets) Update(ctx context.Context, instanceID, id string, fn func(*store.PermissionSet) error) error {
	return t.s.update(ctx, func(tx *sqlStore) error {
		p, err := scanPermissionSet(tx.queryRow(ctx, "SELECT "+permissionSetColumns+" FROM permission_sets WHERE instance_id = ? AND id = ?"+tx.forUpdate(), instanceID, id))
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		args, err := permissionSetArgs(p)
		if err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE permission_sets SET name = ?, description = ?, relay_state = ?, session_duration = ?, policies = ?, tags = ?,
			version = ?, created_at = ?, updated_at = ? WHERE instance_id = ? AND id = ?`, append(args, instanceID, id)...)
	})
}

func (t permissionSets) Delete(ctx context.Context, instanceID, id string) error {
	return t.s.execOne(ctx, "DELETE FROM permission_sets WHERE instance_id = ? AND id = ?", instanceID, id)
}

func (t permissionSets) List(ctx context.Context, instanceID string, f store.PermissionSetFilter, after int64, limit int) ([]store.PermissionSet, error) {
	q := "SELECT " + permissionSetColumns + " FROM permission_sets WHERE instance_id = ? AND seq > ?"
	args := []any{instanceID, after}
	if f.ID != "" {
		q += " AND id = ?"
		args = append(args, f.ID)
	}
	if f.Name != "" {
		q += " AND name = ?"
		args = append(args, f.Name)
	}
	rows, err := t.s.query(ctx, q+" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPermissionSet)
}

func (t permissionSets) Count(ctx context.Context, instanceID string) (int, error) {
	var n int
	err := t.s.queryRow(ctx, "SELECT COUNT(*) FROM permission_sets WHERE instance_id = ?", instanceID).Scan(&n)
	return n, mapErr(err)
}
