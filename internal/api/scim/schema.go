package scim

import "strings"

// Schema URNs (RFC 7643 §8.7.1, RFC 7644 §3).
const (
	URNUser          = "urn:ietf:params:scim:schemas:core:2.0:User"
	URNEnterprise    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	URNGroup         = "urn:ietf:params:scim:schemas:core:2.0:Group"
	URNListResponse  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	URNError         = "urn:ietf:params:scim:api:messages:2.0:Error"
	URNPatchOp       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	URNSearchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	URNBulkRequest   = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	URNBulkResponse  = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	URNSPConfig      = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	URNResourceType  = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	URNSchema        = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Attribute is one attribute definition (RFC 7643 §7): the single source of
// the /Schemas documents, attribute-name resolution, filter comparison
// (type, caseExact), PATCH mutability and attributes projection.
type Attribute struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"` // string boolean decimal integer dateTime reference complex
	MultiValued bool        `json:"multiValued"`
	Description string      `json:"description"`
	Required    bool        `json:"required"`
	CaseExact   bool        `json:"caseExact"`
	Mutability  string      `json:"mutability"` // readOnly readWrite immutable writeOnly
	Returned    string      `json:"returned"`   // always never default request
	Uniqueness  string      `json:"uniqueness"` // none server global
	Canonical   []string    `json:"canonicalValues,omitempty"`
	RefTypes    []string    `json:"referenceTypes,omitempty"`
	Sub         []Attribute `json:"subAttributes,omitempty"`
}

// Schema is a schema definition (RFC 7643 §7).
type Schema struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Attributes  []Attribute `json:"attributes"`
}

// attr builds a read-write, default-returned, non-unique attribute.
func attr(name, typ, desc string) Attribute {
	return Attribute{Name: name, Type: typ, Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

func (a Attribute) multi() Attribute                { a.MultiValued = true; return a }
func (a Attribute) required() Attribute             { a.Required = true; return a }
func (a Attribute) exact() Attribute                { a.CaseExact = true; return a }
func (a Attribute) mut(m string) Attribute          { a.Mutability = m; return a }
func (a Attribute) ret(r string) Attribute          { a.Returned = r; return a }
func (a Attribute) unique(u string) Attribute       { a.Uniqueness = u; return a }
func (a Attribute) canon(v ...string) Attribute     { a.Canonical = v; return a }
func (a Attribute) refs(v ...string) Attribute      { a.RefTypes = v; return a }
func (a Attribute) sub(subs ...Attribute) Attribute { a.Sub = subs; return a }

// multiValuedComplex is the value/display/type/primary shape of emails,
// phoneNumbers and the like.
func multiValuedComplex(name, desc string, types ...string) Attribute {
	return attr(name, "complex", desc).multi().sub(
		attr("value", "string", "The value."),
		attr("display", "string", "A human-readable name, primarily used for display purposes.").mut("readOnly"),
		attr("type", "string", "A label indicating the attribute's function.").canon(types...),
		attr("primary", "boolean", "Indicates the primary value (at most one)."),
	)
}

// commonAttributes are id, externalId and meta (RFC 7643 §3.1).
var commonAttributes = []Attribute{
	attr("id", "string", "A unique identifier for the resource, assigned by the service provider.").exact().mut("readOnly").ret("always").unique("server"),
	attr("externalId", "string", "An identifier for the resource as defined by the provisioning client.").exact(),
	attr("meta", "complex", "Resource metadata.").mut("readOnly").sub(
		attr("resourceType", "string", "The name of the resource type of the resource.").exact().mut("readOnly"),
		attr("created", "dateTime", "When the resource was added.").mut("readOnly"),
		attr("lastModified", "dateTime", "When the resource was last modified.").mut("readOnly"),
		attr("location", "reference", "The URI of the resource.").exact().mut("readOnly").refs("uri"),
		attr("version", "string", "The version (weak entity tag) of the resource.").exact().mut("readOnly"),
	),
}

var userSchema = Schema{ID: URNUser, Name: "User", Description: "User Account", Attributes: []Attribute{
	attr("userName", "string", "Unique identifier for the user, used to sign in.").required().unique("server"),
	attr("name", "complex", "The components of the user's real name.").sub(
		attr("formatted", "string", "The full name."),
		attr("familyName", "string", "The family name."),
		attr("givenName", "string", "The given name."),
		attr("middleName", "string", "The middle name(s)."),
		attr("honorificPrefix", "string", "The honorific prefix(es)."),
		attr("honorificSuffix", "string", "The honorific suffix(es)."),
	),
	attr("displayName", "string", "The name of the user, suitable for display."),
	attr("nickName", "string", "The casual way to address the user."),
	attr("profileUrl", "reference", "A URI of the user's online profile.").refs("external"),
	attr("title", "string", "The user's title."),
	attr("userType", "string", "The relationship between the organization and the user."),
	attr("preferredLanguage", "string", "The user's preferred written or spoken language."),
	attr("locale", "string", "The user's default location."),
	attr("timezone", "string", "The user's time zone in IANA Time Zone database format."),
	attr("active", "boolean", "Whether the user may sign in."),
	attr("password", "string", "The user's password (not settable here).").mut("writeOnly").ret("never"),
	multiValuedComplex("emails", "E-mail addresses (one, primary, in this service).", "work", "home", "other"),
	multiValuedComplex("phoneNumbers", "Phone numbers (at most one in this service).", "work", "home", "mobile", "fax", "pager", "other"),
	attr("addresses", "complex", "Physical mailing addresses (at most one in this service).").multi().sub(
		attr("formatted", "string", "The full mailing address."),
		attr("streetAddress", "string", "The street address."),
		attr("locality", "string", "The city or locality."),
		attr("region", "string", "The state or region."),
		attr("postalCode", "string", "The zip or postal code."),
		attr("country", "string", "The country name (ISO 3166-1 alpha-2)."),
		attr("type", "string", "A label indicating the address's function.").canon("work", "home", "other"),
		attr("primary", "boolean", "Indicates the primary address."),
	),
	attr("groups", "complex", "The groups the user belongs to (read-only; change memberships through Groups).").multi().mut("readOnly").sub(
		attr("value", "string", "The id of the group.").mut("readOnly"),
		attr("$ref", "reference", "The URI of the group.").mut("readOnly").refs("Group"),
		attr("display", "string", "The group's display name.").mut("readOnly"),
		attr("type", "string", "direct").mut("readOnly").canon("direct", "indirect"),
	).ret("request"),
}}

var enterpriseSchema = Schema{ID: URNEnterprise, Name: "EnterpriseUser", Description: "Enterprise User", Attributes: []Attribute{
	attr("employeeNumber", "string", "A string identifier, typically numeric or alphanumeric, assigned to a person."),
	attr("costCenter", "string", "Identifies the name of a cost center."),
	attr("organization", "string", "Identifies the name of an organization."),
	attr("division", "string", "Identifies the name of a division."),
	attr("department", "string", "Identifies the name of a department."),
	attr("manager", "complex", "The user's manager.").sub(
		attr("value", "string", "The id of the SCIM resource representing the user's manager."),
		attr("$ref", "reference", "The URI of the manager's resource.").refs("User"),
		attr("displayName", "string", "The displayName of the user's manager.").mut("readOnly"),
	),
}}

var groupSchema = Schema{ID: URNGroup, Name: "Group", Description: "Group", Attributes: []Attribute{
	attr("displayName", "string", "A human-readable name for the group.").required().unique("server"),
	attr("members", "complex", "A list of members of the group.").multi().sub(
		attr("value", "string", "Identifier of the member (a user id).").mut("immutable").exact(),
		attr("$ref", "reference", "The URI of the member.").mut("immutable").refs("User"),
		attr("display", "string", "The member's display name.").mut("readOnly"),
		attr("type", "string", "The type of the member.").mut("immutable").canon("User"),
	),
}}

// resourceType is a served resource type with its schemas.
type resourceType struct {
	Name       string
	Endpoint   string
	Schema     Schema
	Extensions []Schema
}

var (
	userType  = &resourceType{Name: "User", Endpoint: "/Users", Schema: userSchema, Extensions: []Schema{enterpriseSchema}}
	groupType = &resourceType{Name: "Group", Endpoint: "/Groups", Schema: groupSchema}
)

// resolved is an attribute a Path named: its schema (the URN the resource
// keys it under, "" for the core schema), its definition and, for a
// sub-attribute, the sub-attribute's.
type resolved struct {
	ext  string // extension URN, or "" for core attributes
	attr Attribute
	sub  *Attribute
}

// resolve finds p's attribute in rt, case-insensitively: common attributes,
// the core schema, then extensions (a URN prefix restricts the search to
// that schema). ok is false for an unknown attribute or sub-attribute.
func (rt *resourceType) resolve(p Path) (resolved, bool) {
	var out resolved
	found := false
	search := func(ext string, attrs []Attribute) {
		for _, a := range attrs {
			if !found && strings.EqualFold(a.Name, p.Attr) {
				out, found = resolved{ext: ext, attr: a}, true
			}
		}
	}
	switch {
	case p.URN == "":
		search("", commonAttributes)
		search("", rt.Schema.Attributes)
		for _, e := range rt.Extensions {
			search(e.ID, e.Attributes)
		}
	case strings.EqualFold(p.URN, rt.Schema.ID):
		search("", commonAttributes)
		search("", rt.Schema.Attributes)
	default:
		for _, e := range rt.Extensions {
			if strings.EqualFold(p.URN, e.ID) {
				search(e.ID, e.Attributes)
			}
		}
	}
	if !found {
		return out, false
	}
	if p.Sub != "" {
		for i := range out.attr.Sub {
			if strings.EqualFold(out.attr.Sub[i].Name, p.Sub) {
				s := out.attr.Sub[i]
				out.sub = &s
				return out, true
			}
		}
		return out, false
	}
	return out, true
}

// leaf is the attribute a comparison reads: the sub-attribute, or for a
// complex attribute without one its "value" sub-attribute (RFC 7644
// §3.4.2.2), or the attribute itself.
func (r resolved) leaf() Attribute {
	if r.sub != nil {
		return *r.sub
	}
	if r.attr.Type == "complex" {
		for _, s := range r.attr.Sub {
			if s.Name == "value" {
				return s
			}
		}
	}
	return r.attr
}
