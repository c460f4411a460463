package center

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// Limits of an access-control attribute configuration (the product's).
const (
	MaxAccessControlAttributes = 20
	MaxAttributeKeyLen         = 128
	MaxAttributeSourceLen      = 255
)

// ABACStatusEnabled is the status of an existing configuration. iic applies
// a configuration at once, so it never answers CREATION_IN_PROGRESS or
// CREATION_FAILED.
const ABACStatusEnabled = "ENABLED"

// userAttributePaths are the identity-store attributes a source may name,
// as ${path:<path>} (SCIM names, as the product's pages write them), each
// mapped to the identity service's attribute path of the same value.
var userAttributePaths = map[string]string{
	"userName":                            "user_name",
	"displayName":                         "display_name",
	"nickName":                            "nickname",
	"title":                               "title",
	"locale":                              "locale",
	"timezone":                            "timezone",
	"preferredLanguage":                   "preferred_language",
	"profileUrl":                          "profile_url",
	"userType":                            "user_type",
	"name.givenName":                      "name.given_name",
	"name.familyName":                     "name.family_name",
	"name.formatted":                      "name.formatted",
	"name.middleName":                     "name.middle_name",
	"name.honorificPrefix":                "name.honorific_prefix",
	"name.honorificSuffix":                "name.honorific_suffix",
	"emails[primary eq true].value":       "emails.value",
	"phoneNumbers[primary eq true].value": "phone_numbers.value",
	"addresses[primary eq true].streetAddress": "addresses.street_address",
	"addresses[primary eq true].locality":      "addresses.locality",
	"addresses[primary eq true].region":        "addresses.region",
	"addresses[primary eq true].postalCode":    "addresses.postal_code",
	"addresses[primary eq true].country":       "addresses.country",
	"addresses[primary eq true].formatted":     "addresses.formatted",
	"enterprise.employeeNumber":                "enterprise.employee_number",
	"enterprise.costCenter":                    "enterprise.cost_center",
	"enterprise.organization":                  "enterprise.organization",
	"enterprise.division":                      "enterprise.division",
	"enterprise.department":                    "enterprise.department",
	"enterprise.manager.value":                 "enterprise.manager.value",
}

// userShortNames are the ${user:<name>} forms (the Terraform provider's
// examples use ${user:email} and ${user:familyName}) and the path each
// stands for.
var userShortNames = map[string]string{
	"email":          "emails[primary eq true].value",
	"userName":       "userName",
	"displayName":    "displayName",
	"nickName":       "nickName",
	"givenName":      "name.givenName",
	"familyName":     "name.familyName",
	"middleName":     "name.middleName",
	"title":          "title",
	"locale":         "locale",
	"timezone":       "timezone",
	"userType":       "userType",
	"phoneNumber":    "phoneNumbers[primary eq true].value",
	"employeeNumber": "enterprise.employeeNumber",
	"costCenter":     "enterprise.costCenter",
	"organization":   "enterprise.organization",
	"division":       "enterprise.division",
	"department":     "enterprise.department",
}

// AccessControlAttribute is one attribute of a configuration: sign-in gives
// the user a principal tag Key whose value is the user's attribute Path.
type AccessControlAttribute struct {
	Key    string
	Source string // as configured, e.g. ${path:enterprise.department}
	Path   string // its SCIM path, e.g. enterprise.department
	// UserAttribute is the same attribute as the identity service names it
	// (an UpdateUser attribute_path, e.g. enterprise.department).
	UserAttribute string
}

// AccessControlConfiguration is an instance's attribute-based
// access-control configuration.
type AccessControlConfiguration struct {
	Status       string
	StatusReason string
	Attributes   []AccessControlAttribute
}

// AccessControlConfiguration answers
// DescribeInstanceAccessControlAttributeConfiguration; 404 IIC.404 when
// the instance has none.
func (s *Service) AccessControlConfiguration(ctx context.Context, inst store.Instance) (AccessControlConfiguration, error) {
	st, err := s.settings(ctx, inst)
	if err != nil {
		return AccessControlConfiguration{}, err
	}
	if st.ABACStatus == "" {
		return AccessControlConfiguration{}, errNoABAC()
	}
	out := AccessControlConfiguration{Status: st.ABACStatus, StatusReason: st.ABACStatusReason, Attributes: []AccessControlAttribute{}}
	for _, a := range st.ABACAttributes {
		attr := AccessControlAttribute{Key: a.Key}
		if len(a.Source) > 0 {
			attr.Source = a.Source[0]
			attr.Path, attr.UserAttribute, _ = resolveSource(attr.Source)
		}
		out.Attributes = append(out.Attributes, attr)
	}
	return out, nil
}

// CreateAccessControlConfiguration enables attribute-based access control
// with attrs (possibly none); 409 IIC.1257 when the instance has a
// configuration already.
func (s *Service) CreateAccessControlConfiguration(ctx context.Context, inst store.Instance, attrs []store.AccessControlAttribute) error {
	if err := validateAttributes(attrs); err != nil {
		return err
	}
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		if st.ABACStatus != "" {
			return apierr.IIC1257.New()
		}
		st.ABACStatus, st.ABACStatusReason, st.ABACAttributes = ABACStatusEnabled, "", cloneAttributes(attrs)
		return nil
	})
}

// UpdateAccessControlConfiguration replaces the attributes; 404 IIC.404
// when the instance has no configuration.
func (s *Service) UpdateAccessControlConfiguration(ctx context.Context, inst store.Instance, attrs []store.AccessControlAttribute) error {
	if err := validateAttributes(attrs); err != nil {
		return err
	}
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		if st.ABACStatus == "" {
			return errNoABAC()
		}
		st.ABACAttributes = cloneAttributes(attrs)
		return nil
	})
}

// DeleteAccessControlConfiguration disables attribute-based access control
// and drops the attributes; 404 IIC.404 when there is no configuration.
func (s *Service) DeleteAccessControlConfiguration(ctx context.Context, inst store.Instance) error {
	return s.updateSettings(ctx, inst, func(st *store.InstanceSettings) error {
		if st.ABACStatus == "" {
			return errNoABAC()
		}
		st.ABACStatus, st.ABACStatusReason, st.ABACAttributes = "", "", nil
		return nil
	})
}

func errNoABAC() error {
	return apierr.IIC404.New("the instance has no access control attribute configuration")
}

func cloneAttributes(attrs []store.AccessControlAttribute) []store.AccessControlAttribute {
	out := make([]store.AccessControlAttribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, store.AccessControlAttribute{Key: a.Key, Source: slices.Clone(a.Source)})
	}
	return out
}

// validateAttributes checks a whole configuration: at most 20 attributes,
// keys following the tag-key rules and distinct (case-insensitively, as
// principal tags are matched), each with exactly one source naming a known
// identity-store attribute.
func validateAttributes(attrs []store.AccessControlAttribute) error {
	bad := func(format string, args ...any) error { return apierr.IIC400_400.New(fmt.Sprintf(format, args...)) }
	if len(attrs) > MaxAccessControlAttributes {
		return bad("access_control_attributes holds at most %d attributes", MaxAccessControlAttributes)
	}
	seen := make(map[string]bool, len(attrs))
	for i, a := range attrs {
		field := fmt.Sprintf("access_control_attributes[%d]", i)
		if err := validateAttributeKey(a.Key); err != nil {
			return bad("%s.key %s", field, err)
		}
		if k := strings.ToLower(a.Key); seen[k] {
			return bad("%s.key %q is given twice", field, a.Key)
		} else {
			seen[k] = true
		}
		if len(a.Source) != 1 {
			return bad("%s.value.source must hold exactly one attribute path", field)
		}
		src := a.Source[0]
		if len(src) > MaxAttributeSourceLen {
			return bad("%s.value.source is longer than %d characters", field, MaxAttributeSourceLen)
		}
		if _, _, ok := resolveSource(src); !ok {
			return bad("%s.value.source must name an identity-store attribute as ${path:<attribute>} (e.g. ${path:enterprise.department}, ${path:emails[primary eq true].value}) or ${user:<name>} (e.g. ${user:email})", field)
		}
	}
	return nil
}

// validateAttributeKey applies the tag-key rules: 1 to 128 characters,
// letters, digits, spaces and _ . : / = + - @, no leading or trailing space,
// not starting with _sys_ (reserved).
func validateAttributeKey(k string) error {
	n := utf8.RuneCountInString(k)
	switch {
	case n == 0:
		return fmt.Errorf("is required")
	case n > MaxAttributeKeyLen:
		return fmt.Errorf("is longer than %d characters", MaxAttributeKeyLen)
	case !utf8.ValidString(k):
		return fmt.Errorf("is not valid UTF-8")
	case strings.TrimSpace(k) != k:
		return fmt.Errorf("must not start or end with a space")
	case strings.HasPrefix(strings.ToLower(k), "_sys_"):
		return fmt.Errorf("must not start with _sys_")
	}
	for _, r := range k {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && !strings.ContainsRune("_.:/=+-@", r) {
			return fmt.Errorf("may hold only letters, digits, spaces and _ . : / = + - @")
		}
	}
	return nil
}

// resolveSource maps a source to its SCIM path and the identity service's
// attribute path.
func resolveSource(src string) (path, userAttribute string, ok bool) {
	inner, found := strings.CutPrefix(src, "${")
	if !found {
		return "", "", false
	}
	inner, found = strings.CutSuffix(inner, "}")
	if !found {
		return "", "", false
	}
	switch kind, name, _ := strings.Cut(inner, ":"); kind {
	case "path":
		path = name
	case "user":
		if path, ok = userShortNames[name]; !ok {
			return "", "", false
		}
	default:
		return "", "", false
	}
	userAttribute, ok = userAttributePaths[path]
	return path, userAttribute, ok
}
