// Package sim is the policy simulator behind "iic policy simulate" and
// POST /v1/iic/policies/simulate: it turns policy texts and a textual
// request context into a decision, the statement that decided it and the
// full policy.Explain trace. Both front ends use it, so they decide alike;
// both decide like the live authorizer because all three call
// policy.Evaluate on the same compiled policies.
package sim

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/policy"
)

// Input is one policy text to simulate, with a display name.
type Input struct {
	Name     string
	Document []byte
}

// Compile parses and compiles inputs. An error names the input and the JSON
// path of the problem; an oversized document wraps policy.ErrTooLarge.
func Compile(inputs []Input) ([]*policy.Compiled, []string, error) {
	var out []*policy.Compiled
	var names []string
	for i, in := range inputs {
		doc, err := policy.Parse(in.Document)
		if err != nil {
			name := in.Name
			if name == "" {
				name = "policy " + strconv.Itoa(i)
			}
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		c, err := policy.Compile(doc)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		out = append(out, c)
		names = append(names, in.Name)
	}
	return out, names, nil
}

// Result is the outcome of a simulation.
type Result struct {
	// Action is the action decided (the documented name when the caller
	// gave an alternate or an old one), Alternates the other names it is
	// known by and LegacyAction the name policies stored before the
	// documented names are matched against.
	Action       string   `json:"action"`
	Alternates   []string `json:"alternates,omitempty"`
	LegacyAction string   `json:"legacy_action,omitempty"`
	Allowed      bool     `json:"allowed"`
	// Effect is Allow, Deny (an explicit Deny statement) or ImplicitDeny.
	Effect string `json:"effect"`
	// Deciding names the statement that decided (nil for ImplicitDeny).
	Deciding    *Deciding          `json:"deciding_statement"`
	Explanation policy.Explanation `json:"explanation"`
}

// Deciding is the statement that decided a request.
type Deciding struct {
	Policy     int              `json:"policy"`
	PolicyName string           `json:"policy_name,omitempty"`
	Statement  int              `json:"statement"`
	Sid        string           `json:"sid,omitempty"`
	Text       policy.Statement `json:"text"`
}

// Simulate decides action on resource with ctx against policies (names
// label them; it may be shorter).
func Simulate(policies []*policy.Compiled, names []string, action, resource string, ctx *policy.Context) Result {
	return SimulateRequest(policies, names, &policy.Request{Action: action, Resource: resource, Ctx: ctx})
}

// SimulateRequest is Simulate for a full request (with alternates and a
// legacy name).
func SimulateRequest(policies []*policy.Compiled, names []string, req *policy.Request) Result {
	e := policy.Explain(policies, req)
	e.SetPolicyNames(names)
	r := Result{Action: req.Action, Alternates: req.Alternates, LegacyAction: req.LegacyAction,
		Allowed: e.Decision.Allowed, Effect: e.Decision.Effect, Explanation: e}
	if d := e.Decision; d.Policy >= 0 {
		st := policies[d.Policy].Document().Statement[d.Statement]
		r.Deciding = &Deciding{Policy: d.Policy, Statement: d.Statement, Sid: d.Sid, Text: st}
		if d.Policy < len(names) {
			r.Deciding.PolicyName = names[d.Policy]
		}
	}
	return r
}

// String renders the result for a terminal: the decision, the deciding
// statement, then the explanation.
func (r Result) String() string {
	var b strings.Builder
	if len(r.Alternates) > 0 {
		fmt.Fprintf(&b, "Action: %s (also accepted: %s)\n", r.Action, strings.Join(r.Alternates, ", "))
	}
	fmt.Fprintf(&b, "Decision: %s\n", r.Effect)
	if d := r.Deciding; d != nil {
		fmt.Fprintf(&b, "Decided by: policy %d", d.Policy)
		if d.PolicyName != "" {
			fmt.Fprintf(&b, " (%s)", d.PolicyName)
		}
		fmt.Fprintf(&b, " statement %d", d.Statement)
		if d.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", d.Sid)
		}
		text, _ := json.Marshal(d.Text)
		fmt.Fprintf(&b, ":\n  %s\n", text)
	} else {
		b.WriteString("Decided by: no statement applies (implicit deny)\n")
	}
	b.WriteString("\nExplanation:\n")
	b.WriteString(r.Explanation.String())
	return b.String()
}

// ParseContext builds a request context from condition keys and their
// values. Keys compare case-insensitively. Global keys with a dedicated
// context field are parsed by type:
//
//	g:SourceIp             an IP address
//	g:CurrentTime          an RFC 3339 time
//	g:EpochTime            Unix seconds (sets the same clock as g:CurrentTime)
//	g:MFAPresent, g:SecureTransport   true or false
//	g:TagKeys              several values
//	g:PrincipalTag/<key>   one value
//	g:UserId, g:UserName, g:DomainId, g:DomainName, g:PrincipalAccount,
//	g:PrincipalUrn, g:RequestedRegion   one value
//
// Any other "<service>:<key>" goes to Context.Extra with all its values.
func ParseContext(kv map[string][]string) (*policy.Context, error) {
	c := &policy.Context{}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	clockSet := false
	for _, k := range keys {
		vs := kv[k]
		lk := strings.ToLower(k)
		if i := strings.IndexByte(k, ':'); i <= 0 || i == len(k)-1 {
			return nil, fmt.Errorf("context key %q: want <service>:<key>, e.g. g:SourceIp", k)
		}
		if len(vs) == 0 {
			continue
		}
		one := func() (string, error) {
			if len(vs) != 1 {
				return "", fmt.Errorf("context key %s takes one value, got %d", k, len(vs))
			}
			return vs[0], nil
		}
		var str *string
		switch lk {
		case "g:userid":
			str = &c.UserID
		case "g:username":
			str = &c.UserName
		case "g:domainid":
			str = &c.DomainID
		case "g:domainname":
			str = &c.DomainName
		case "g:principalaccount":
			str = &c.PrincipalAccount
		case "g:principalurn":
			str = &c.PrincipalURN
		case "g:requestedregion":
			str = &c.RequestedRegion
		case "g:tagkeys":
			c.TagKeys = append(c.TagKeys, vs...)
			continue
		case "g:sourceip":
			v, err := one()
			if err != nil {
				return nil, err
			}
			ip, err := netip.ParseAddr(v)
			if err != nil {
				return nil, fmt.Errorf("context key %s: %q is not an IP address", k, v)
			}
			c.SourceIP = ip.Unmap()
			continue
		case "g:currenttime", "g:epochtime":
			v, err := one()
			if err != nil {
				return nil, err
			}
			if clockSet {
				return nil, fmt.Errorf("context key %s: g:CurrentTime and g:EpochTime set the same clock; give one", k)
			}
			clockSet = true
			if lk == "g:epochtime" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("context key %s: %q is not a number of Unix seconds", k, v)
				}
				c.CurrentTime = time.Unix(n, 0).UTC()
			} else if c.CurrentTime, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return nil, fmt.Errorf("context key %s: %q is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)", k, v)
			}
			continue
		case "g:mfapresent", "g:securetransport":
			v, err := one()
			if err != nil {
				return nil, err
			}
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("context key %s: %q is not true or false", k, v)
			}
			if lk == "g:mfapresent" {
				c.MFAPresent = policy.OptBool(b)
			} else {
				c.SecureTransport = policy.OptBool(b)
			}
			continue
		}
		if str != nil {
			v, err := one()
			if err != nil {
				return nil, err
			}
			*str = v
			continue
		}
		if tag, ok := strings.CutPrefix(lk, "g:principaltag/"); ok && tag != "" {
			v, err := one()
			if err != nil {
				return nil, err
			}
			c.PrincipalTags = append(c.PrincipalTags, policy.Tag{Key: k[len("g:principaltag/"):], Value: v})
			continue
		}
		c.Extra = append(c.Extra, policy.KV{Key: k, Values: append([]string(nil), vs...)})
	}
	return c, nil
}

// ParseAssignments turns "key=value" strings (as given to --context) into
// a key → values map; repeating a key adds values.
func ParseAssignments(list []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, a := range list {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("context %q: want key=value", a)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}
