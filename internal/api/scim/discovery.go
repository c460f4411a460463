package scim

import (
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
)

// Limits the surface advertises and enforces.
const (
	maxResults       = 1000 // a list or search page
	defaultCount     = 100  // a page when count is not given
	maxBulkOps       = 1000 // operations of one /Bulk request
	maxFilterScanned = 100_000
	// maxSubstringCandidates bounds the resources an indexed co/sw/ew term
	// may narrow a filter to (each is read and evaluated).
	maxSubstringCandidates = 10_000
)

// serviceProviderConfig (RFC 7643 §5) says what is served, truthfully.
func (a *API) serviceProviderConfig(w http.ResponseWriter, r *http.Request, t tenant) error {
	type supported struct {
		Supported bool `json:"supported"`
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{URNSPConfig},
		"documentationUri": "https://github.com/iic-project/iic#scim",
		"patch":            supported{true},
		"bulk":             map[string]any{"supported": true, "maxOperations": maxBulkOps, "maxPayloadSize": httpx.MaxBody},
		"filter":           map[string]any{"supported": true, "maxResults": maxResults},
		"changePassword":   supported{false},
		"sort":             supported{true},
		"etag":             supported{true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A bearer token of the provisioning tenant (CreateBearerToken), in the Authorization header.",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": a.baseURL(t) + "/ServiceProviderConfig"},
	})
	return nil
}

func (a *API) resourceTypeDoc(t tenant, rt *resourceType) map[string]any {
	exts := []map[string]any{}
	for _, e := range rt.Extensions {
		exts = append(exts, map[string]any{"schema": e.ID, "required": false})
	}
	return map[string]any{
		"schemas": []string{URNResourceType}, "id": rt.Name, "name": rt.Name, "endpoint": rt.Endpoint,
		"description": rt.Schema.Description, "schema": rt.Schema.ID, "schemaExtensions": exts,
		"meta": map[string]any{"resourceType": "ResourceType", "location": a.baseURL(t) + "/ResourceTypes/" + rt.Name},
	}
}

func listOf(items []any) map[string]any {
	return map[string]any{"schemas": []string{URNListResponse}, "totalResults": len(items), "itemsPerPage": len(items), "startIndex": 1, "Resources": items}
}

func (a *API) resourceTypes(w http.ResponseWriter, r *http.Request, t tenant) error {
	writeJSON(w, http.StatusOK, listOf([]any{a.resourceTypeDoc(t, userType), a.resourceTypeDoc(t, groupType)}))
	return nil
}

func (a *API) resourceTypeByName(w http.ResponseWriter, r *http.Request, t tenant) error {
	for _, rt := range []*resourceType{userType, groupType} {
		if strings.EqualFold(r.PathValue("name"), rt.Name) {
			writeJSON(w, http.StatusOK, a.resourceTypeDoc(t, rt))
			return nil
		}
	}
	return &Error{Status: http.StatusNotFound, Detail: "Not Found: no resource type " + r.PathValue("name")}
}

// schemaDocs are the served schemas: the resource types' and their
// extensions.
var schemaDocs = []Schema{userSchema, enterpriseSchema, groupSchema}

func (a *API) schemaDoc(t tenant, s Schema) map[string]any {
	attrs := append(append([]Attribute{}, commonAttributes[1:]...), s.Attributes...) // id is implied
	if s.ID == URNEnterprise {
		attrs = s.Attributes
	}
	return map[string]any{
		"schemas": []string{URNSchema}, "id": s.ID, "name": s.Name, "description": s.Description, "attributes": attrs,
		"meta": map[string]any{"resourceType": "Schema", "location": a.baseURL(t) + "/Schemas/" + s.ID},
	}
}

func (a *API) schemas(w http.ResponseWriter, r *http.Request, t tenant) error {
	items := make([]any, 0, len(schemaDocs))
	for _, s := range schemaDocs {
		items = append(items, a.schemaDoc(t, s))
	}
	writeJSON(w, http.StatusOK, listOf(items))
	return nil
}

func (a *API) schemaByID(w http.ResponseWriter, r *http.Request, t tenant) error {
	for _, s := range schemaDocs {
		if strings.EqualFold(r.PathValue("id"), s.ID) {
			writeJSON(w, http.StatusOK, a.schemaDoc(t, s))
			return nil
		}
	}
	return &Error{Status: http.StatusNotFound, Detail: "Not Found: no schema " + r.PathValue("id")}
}
