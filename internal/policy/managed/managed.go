package managed

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/iic-project/iic/internal/policy"
)

// Policy types.
const (
	TypeIdentityPolicy = "identity-policy" // Version 5.0 system identity policy
	TypeRole           = "role"            // Version 1.1 system-defined policy (role)
)

// ErrNotFound is wrapped by lookups of an unknown id or name.
var ErrNotFound = errors.New("system-defined policy not found")

// Policy is one system-defined policy. Its fields must not be modified.
type Policy struct {
	ID      string
	Name    string
	Type    string
	Service string
	// IIC marks a policy iic ships that is not one of Huawei's documented
	// system-defined policies.
	IIC         bool
	Description string
	// Document is the compact JSON text of the policy document.
	Document []byte
	// Compiled is the document ready for policy.Evaluate.
	Compiled *policy.Compiled
}

//go:embed catalog.json
var catalogJSON []byte

var (
	all    []*Policy
	byID   = map[string]*Policy{}
	byName = map[string]*Policy{}
)

func init() {
	ps, err := load(catalogJSON)
	if err != nil {
		panic("managed policy catalog: " + err.Error())
	}
	all = ps
	for _, p := range ps {
		byID[p.ID] = p
		byName[strings.ToLower(p.Name)] = p
	}
}

// load parses and checks a catalog.
func load(raw []byte) ([]*Policy, error) {
	var entries []struct {
		ID          string          `json:"id"`
		Name        string          `json:"name"`
		Type        string          `json:"type"`
		Service     string          `json:"service"`
		IIC         bool            `json:"iic"`
		Description string          `json:"description"`
		Document    json.RawMessage `json:"document"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		return nil, err
	}
	ids, names := map[string]bool{}, map[string]bool{}
	var out []*Policy
	for i, e := range entries {
		if !IsID(e.ID) {
			return nil, fmt.Errorf("entry %d (%s): id %q is not 32 lowercase hex characters", i, e.Name, e.ID)
		}
		if e.Name == "" || e.Description == "" || e.Service == "" {
			return nil, fmt.Errorf("entry %d (%s): name, description and service are required", i, e.ID)
		}
		if ids[e.ID] || names[strings.ToLower(e.Name)] {
			return nil, fmt.Errorf("entry %d: duplicate id %s or name %q", i, e.ID, e.Name)
		}
		ids[e.ID], names[strings.ToLower(e.Name)] = true, true
		var doc bytes.Buffer
		if err := json.Compact(&doc, e.Document); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		parsed, err := policy.Parse(doc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		want := map[string]string{TypeIdentityPolicy: policy.Version50, TypeRole: policy.Version11}[e.Type]
		if want == "" || parsed.Version != want {
			return nil, fmt.Errorf("%s: type %q with document version %q", e.Name, e.Type, parsed.Version)
		}
		c, err := policy.Compile(parsed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		out = append(out, &Policy{ID: e.ID, Name: e.Name, Type: e.Type, Service: e.Service, IIC: e.IIC, Description: e.Description,
			Document: doc.Bytes(), Compiled: c})
	}
	return out, nil
}

// IsID reports whether s has the shape of a system-defined policy id (32
// lowercase hexadecimal characters). It says nothing about existence.
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// All returns the catalog in its published order. The slice is shared:
// callers must not modify it.
func All() []*Policy { return all }

// ByID returns the policy with id, or an error wrapping ErrNotFound.
func ByID(id string) (*Policy, error) {
	if p := byID[id]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("%w: id %q", ErrNotFound, id)
}

// ByName returns the policy named name (case-insensitive), or an error
// wrapping ErrNotFound.
func ByName(name string) (*Policy, error) {
	if p := byName[strings.ToLower(name)]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("%w: name %q", ErrNotFound, name)
}

// Lookup returns the compiled policy with id, or nil; it is the allocation-
// free form of ByID for the per-request path.
func Lookup(id string) *Policy { return byID[id] }
