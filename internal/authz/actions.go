package authz

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/iic-project/iic/internal/policy"
)

// Action names are "service:resource:verb", matched case-insensitively.
// Every mounted operation's authorization metadata is one row of
// actions.tsv (embedded): its documented action as Huawei's API pages give
// it ("IdentityCenter:user:create"; the product has one service prefix,
// IdentityCenter, for the identity store too), the alternates accepted where
// pages disagree, the access level, the resource type, the condition keys,
// the dependencies, the name iic used before the rename (LegacyAction) and
// the source page. iic's own operations (custom policies, the managed-policy
// catalog, scoped keys, the simulator, region deregistration) are actions
// under the prefix "iic:"; the IAM discovery look-ups keep "iam:".

// Access levels as the action tables give them.
const (
	AccessList       = "List"
	AccessRead       = "Read"
	AccessWrite      = "Write"
	AccessPermission = "Permission management"
	AccessTagging    = "Tagging"
)

// Sources of a table row.
const (
	SourcePage     = "page"     // read on the operation's own page
	SourceTable    = "table"    // read in the full action table
	SourceGathered = "gathered" // gathered from the page before, not re-read
	SourceInferred = "inferred" // no page found: the pattern of its siblings
	SourceIIC      = "iic"      // an iic extension, no Huawei page
)

// Operation is one row of the action table. Its fields must not be
// modified; slices are shared with every request.
type Operation struct {
	Name          string // SDK operation name, e.g. "CreateUser"
	Pattern       string // route, "METHOD /path"
	Action        string // documented action, e.g. "IdentityCenter:user:create"
	Alternates    []string
	Access        string
	ResourceType  string // "" when the product has no resource-level permission ("-")
	ConditionKeys []string
	Dependencies  []string
	LegacyAction  string // the pre-rename name, e.g. "identitystore:user:create"
	Source        string
	URL           string
	Note          string
}

// IsRead reports whether the operation's documented access level is List
// or Read (what IdentityCenter ReadOnlyAccess allows).
func (o *Operation) IsRead() bool { return o.Access == AccessList || o.Access == AccessRead }

// Names returns the action and its alternates.
func (o *Operation) Names() []string { return append([]string{o.Action}, o.Alternates...) }

//go:embed actions.tsv
var actionsTSV string

var (
	operations []*Operation
	opByName   = map[string]*Operation{}
	opByAction = map[string]*Operation{} // lower-cased action, alternate or legacy name
)

func init() {
	ops, err := parseTable(actionsTSV)
	if err != nil {
		panic("authz: actions.tsv: " + err.Error())
	}
	operations = ops
	for _, o := range ops {
		opByName[o.Name] = o
		for _, n := range append(o.Names(), o.LegacyAction) {
			if _, dup := opByAction[strings.ToLower(n)]; !dup {
				opByAction[strings.ToLower(n)] = o
			}
		}
	}
}

func parseTable(text string) ([]*Operation, error) {
	var out []*Operation
	names, actions := map[string]bool{}, map[string]bool{}
	list := func(s string) []string {
		if s == "-" || s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	for i, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 12 {
			return nil, fmt.Errorf("line %d: %d columns, want 12", i+1, len(f))
		}
		o := &Operation{Name: f[0], Pattern: f[1], Action: f[2], Alternates: list(f[3]), Access: f[4], ResourceType: f[5],
			ConditionKeys: list(f[6]), Dependencies: list(f[7]), LegacyAction: f[8], Source: f[9], URL: f[10], Note: f[11]}
		if o.ResourceType == "-" {
			o.ResourceType = ""
		}
		if o.URL == "-" {
			o.URL = ""
		}
		if o.Note == "-" {
			o.Note = ""
		}
		switch o.Access {
		case AccessList, AccessRead, AccessWrite, AccessPermission, AccessTagging:
		default:
			return nil, fmt.Errorf("line %d (%s): access level %q", i+1, o.Name, o.Access)
		}
		switch o.Source {
		case SourcePage, SourceTable, SourceGathered, SourceInferred:
			if o.URL == "" {
				return nil, fmt.Errorf("line %d (%s): no source page", i+1, o.Name)
			}
		case SourceIIC:
		default:
			return nil, fmt.Errorf("line %d (%s): source %q", i+1, o.Name, o.Source)
		}
		for _, a := range append(o.Names(), o.LegacyAction) {
			if _, _, _, ok := SplitAction(a); !ok {
				return nil, fmt.Errorf("line %d (%s): %q is not service:resource:verb", i+1, o.Name, a)
			}
		}
		if names[o.Name] || actions[strings.ToLower(o.Action)] {
			return nil, fmt.Errorf("line %d: duplicate operation %s or action %s", i+1, o.Name, o.Action)
		}
		names[o.Name], actions[strings.ToLower(o.Action)] = true, true
		out = append(out, o)
	}
	return out, nil
}

// Operations returns the action table in its order. Callers must not
// modify it.
func Operations() []*Operation { return operations }

// OperationByName returns the row of an operation, or nil.
func OperationByName(name string) *Operation { return opByName[name] }

// LookupAction returns the operation whose action, alternate or legacy name
// is action (case-insensitively), or nil. Where a name belongs to several
// operations (an alternate that is another operation's action), the
// operation whose action it is wins.
func LookupAction(action string) *Operation {
	if o := opByAction[strings.ToLower(action)]; o != nil {
		for _, p := range operations {
			if strings.EqualFold(p.Action, action) {
				return p
			}
		}
		return o
	}
	return nil
}

// SplitAction splits a well-formed action into its three parts: a service
// of letters (e.g. "IdentityCenter", "iic", "iam"), then a resource type and
// a verb that start with a lowercase letter and go on with letters and
// digits ("groupMembership", "getIdentityCenterStatus"); the resource type
// may be empty, as in IAM 5.0's service-level actions
// ("sts::getCallerIdentity"). ok is false for anything else.
func SplitAction(a string) (service, resource, verb string, ok bool) {
	parts := strings.Split(a, ":")
	if len(parts) != 3 || !isWord(parts[0], true, true) || (parts[1] != "" && !isWord(parts[1], false, true)) || !isWord(parts[2], false, true) {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// isWord: a letter (lower case unless upperFirst), then letters and digits
// (upper case only when camel is set).
func isWord(s string, upperFirst, camel bool) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || upperFirst && 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || camel && 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// ReadVerbPrefixes is the verb convention Huawei's generic read-only
// system policies (ReadOnlyAccess, Tenant Guest) are written with:
// "*:*:list*", "*:*:get*", ... They keep that form; iic's own
// IdentityCenter ReadOnlyAccess is instead the documented List and Read
// actions of the table.
var ReadVerbPrefixes = []string{"list", "get", "describe", "show", "check", "is", "head", "search", "count"}

// IsReadVerb reports whether verb starts, case-insensitively, with one of
// ReadVerbPrefixes.
func IsReadVerb(verb string) bool {
	for _, p := range ReadVerbPrefixes {
		if len(verb) >= len(p) && strings.EqualFold(verb[:len(p)], p) {
			return true
		}
	}
	return false
}

// IsReadAction reports whether action's verb is a read by that convention.
func IsReadAction(action string) bool {
	if i := strings.LastIndexByte(action, ':'); i >= 0 {
		return IsReadVerb(action[i+1:])
	}
	return false
}

// Discovery actions are allowed for every authenticated principal, whatever
// its policies: they only reveal the caller's own account (domain) and
// project ids, and the Huawei SDK calls them while building a client, so a
// scoped key without them could not even construct one. STS's
// GetCallerIdentity only tells callers who they are: a policy cannot deny it
// (it would only hide from a caller what its own credentials already say).
const (
	ActionListDomains       = "iam:domains:list"
	ActionListProjects      = "iam:projects:list"
	ActionGetCallerIdentity = "sts::getCallerIdentity"
	// ActionValidateToken (GET /v3/auth/tokens) only shows the token
	// whose value the caller sends in X-Subject-Token: holding the value
	// already gives everything it shows.
	ActionValidateToken = "iam:tokens:validate"
	// The domains and projects a token's user may scope a token to (its
	// own account and projects), like the look-ups above.
	ActionListFederationDomains  = "iam:federationDomains:list"
	ActionListFederationProjects = "iam:federationProjects:list"
)

// OpCreateAgencyToken is the action table's row for obtaining an agency
// token (KeystoneCreateAgencyToken: POST /v3/auth/tokens, method
// assume_role). Its action, iam:tokens:assume, is the one the system role
// Agent Operator holds (Security Administrator's iam:*:* implies it); its
// alternate iam:agencies:assume is the name Huawei's custom policies for one
// agency use, with the Resource {"uri": [AgencyURI(<agency id>)]}. The route
// is not a signed operation of the Guard (its password method carries its
// own proof), so the surface asks the authorizer with this row itself,
// ResourceURI set to the agency's AgencyURI.
const OpCreateAgencyToken = "KeystoneCreateAgencyToken"

// AgencyURI is the URI a 1.x policy's Resource {"uri": [...]} names an
// agency by, "/iam/agencies/<agency id>" as Huawei documents it; iic's
// agency id is its URN (iam::<account>:agency:<name>), what the agency's
// token shows as user.id and the portal API as agency_urn.
func AgencyURI(agencyID string) string { return policy.AgencyURIPrefix + agencyID }

// AlwaysAllowed reports whether action is a discovery action.
func AlwaysAllowed(action string) bool {
	return action == ActionListDomains || action == ActionListProjects || action == ActionGetCallerIdentity || action == ActionValidateToken ||
		action == ActionListFederationDomains || action == ActionListFederationProjects
}

// ResourceURN is a resource name in the documented form
// <service>:<region>:<account-id>:<type>:<path> (region "" for a global
// service), e.g. ResourceURN("IdentityCenter", "", acct, "permissionSet",
// "ins-…/ps-…").
func ResourceURN(service, region, account, typ, path string) string {
	return service + ":" + region + ":" + account + ":" + typ + ":" + path
}
