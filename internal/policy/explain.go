package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Explanation is the decision for a request plus a trace of every statement
// of every policy. Its String form is meant for humans (e.g. "iic policy
// simulate"); it also marshals to readable JSON.
type Explanation struct {
	Action      string           `json:"action"`
	Resource    string           `json:"resource"`
	ResourceURI string           `json:"resource_uri,omitempty"`
	Decision    Decision         `json:"decision"`
	Statements  []StatementTrace `json:"statements"`
}

// StatementTrace explains one statement.
type StatementTrace struct {
	Policy     int    `json:"policy"`
	PolicyName string `json:"policy_name,omitempty"` // see SetPolicyNames
	Statement  int    `json:"statement"`
	Sid        string `json:"sid,omitempty"`
	Effect     string `json:"effect"`
	// Applies is true when action, resource and conditions all matched.
	Applies bool `json:"applies"`
	// Decisive marks the statement named by the decision.
	Decisive          bool             `json:"decisive,omitempty"`
	Action            MatchTrace       `json:"action"`
	Resource          MatchTrace       `json:"resource"`
	ConditionsMatched bool             `json:"conditions_matched"`
	Conditions        []ConditionTrace `json:"conditions,omitempty"`
}

// MatchTrace says whether the action or resource element matched, and why.
type MatchTrace struct {
	Matched bool   `json:"matched"`
	Reason  string `json:"reason"`
}

// ConditionTrace explains one (operator, key) pair of a Condition block.
type ConditionTrace struct {
	Operator      string   `json:"operator"`
	Key           string   `json:"key"`
	PolicyValues  []string `json:"policy_values"`
	Present       bool     `json:"present"`
	RequestValues []string `json:"request_values"`
	Matched       bool     `json:"matched"`
	Reason        string   `json:"reason"`
}

// Explain evaluates req like [Evaluate] (its Decision is identical) and
// records, for every statement, which parts matched. All conditions are
// traced, even after one failed. It allocates.
func Explain(policies []*Compiled, req *Request) Explanation {
	e := Explanation{Action: req.Action, Resource: req.Resource, ResourceURI: req.ResourceURI, Decision: Evaluate(policies, req)}
	ctx := req.Ctx
	if ctx == nil {
		ctx = &emptyContext
	}
	var buf [maxFastAction]byte
	sub, n := newSubject(req, &buf)
	if n >= 0 {
		sub.lowerAction = buf[:n]
	}
	lsub := legacySubject(req, sub)
	for pi, p := range policies {
		if p == nil {
			continue
		}
		psub, alts := &sub, req.Alternates
		if p.legacy {
			psub, alts = &lsub, nil
		}
		for si := range p.stmts {
			s := &p.stmts[si]
			t := StatementTrace{Policy: pi, Statement: si, Sid: s.sid, Effect: EffectAllow}
			if s.deny {
				t.Effect = EffectDeny
			}
			t.Action = s.explainAction(psub, alts)
			t.Resource = s.explainResource(&sub)
			t.ConditionsMatched = true
			for ci := range s.conds {
				ct := s.conds[ci].explain(ctx)
				t.ConditionsMatched = t.ConditionsMatched && ct.Matched
				t.Conditions = append(t.Conditions, ct)
			}
			t.Applies = t.Action.Matched && t.Resource.Matched && t.ConditionsMatched
			t.Decisive = e.Decision.Policy == pi && e.Decision.Statement == si
			e.Statements = append(e.Statements, t)
		}
	}
	return e
}

// SetPolicyNames labels the traces with names[policy index] for display.
func (e *Explanation) SetPolicyNames(names []string) {
	for i := range e.Statements {
		if p := e.Statements[i].Policy; p < len(names) {
			e.Statements[i].PolicyName = names[p]
		}
	}
}

func (s *compiledStatement) explainAction(sub *subject, alts []string) MatchTrace {
	action, i := sub.action, s.actionIndex(sub)
	for j := 0; i < 0 && j < len(alts); j++ {
		if i = s.altIndex(alts[j]); i >= 0 {
			action = alts[j]
		}
	}
	switch {
	case s.notAction && i >= 0:
		return MatchTrace{false, fmt.Sprintf("action %q is excluded by NotAction %q", action, s.rawActs[i])}
	case s.notAction:
		return MatchTrace{true, fmt.Sprintf("action %q matches no NotAction pattern %s", action, quoteList(s.rawActs))}
	case i >= 0:
		return MatchTrace{true, fmt.Sprintf("action %q matches %q", action, s.rawActs[i])}
	}
	return MatchTrace{false, fmt.Sprintf("action %q matches none of %s", action, quoteList(s.rawActs))}
}

func (s *compiledStatement) explainResource(sub *subject) MatchTrace {
	resource := sub.resource
	switch s.resMode {
	case resAll:
		return MatchTrace{true, "no Resource element: all resources"}
	case resURI:
		resource = sub.uri
	}
	raws := make([]string, len(s.resources))
	for i := range s.resources {
		raws[i] = s.resources[i].raw
	}
	i := s.resourceIndex(sub)
	switch {
	case s.resMode == resNot && i >= 0:
		return MatchTrace{false, fmt.Sprintf("resource %q is excluded by NotResource %q", resource, raws[i])}
	case s.resMode == resNot:
		return MatchTrace{true, fmt.Sprintf("resource %q matches no NotResource pattern %s", resource, quoteList(raws))}
	case s.resMode == resURI && i >= 0:
		return MatchTrace{true, fmt.Sprintf("resource URI %q matches %q", resource, raws[i])}
	case s.resMode == resURI:
		return MatchTrace{false, fmt.Sprintf("resource URI %q matches none of %s", resource, quoteList(raws))}
	case i >= 0:
		return MatchTrace{true, fmt.Sprintf("resource %q matches %q", resource, raws[i])}
	}
	return MatchTrace{false, fmt.Sprintf("resource %q matches none of %s", resource, quoteList(raws))}
}

func (c *compiledCondition) explain(ctx *Context) ConditionTrace {
	v := c.lookup(ctx)
	t := ConditionTrace{
		Operator:      c.opName,
		Key:           c.keyName,
		PolicyValues:  c.raw,
		Present:       v.n > 0,
		RequestValues: v.strings(),
		Matched:       c.evalValues(&v),
	}
	op := c.op
	switch {
	case op.fam == famNull && t.Present:
		t.Reason = "key is present"
	case op.fam == famNull:
		t.Reason = "key is absent"
	case !t.Present && op.ifExists:
		t.Reason = "key is absent: IfExists makes the condition true"
	case !t.Present && op.qual == qualAllValues:
		t.Reason = "key is absent: ForAllValues over an empty set is true"
	case !t.Present:
		t.Reason = "key is absent from the request"
	case op.qual == qualAllValues && t.Matched:
		t.Reason = "every request value satisfies the operator"
	case op.qual == qualAllValues:
		t.Reason = "some request value does not satisfy the operator"
	case op.negated && t.Matched:
		t.Reason = "no request value matches the listed values"
	case op.negated:
		t.Reason = "a request value matches a listed value"
	case t.Matched:
		t.Reason = "a request value matches a listed value"
	default:
		t.Reason = "no request value matches the listed values"
	}
	return t
}

// strings renders the request values for display.
func (v *reqValues) strings() []string {
	out := make([]string, 0, v.n)
	for i := 0; i < v.n; i++ {
		switch v.kind {
		case typeIP:
			out = append(out, v.ip.String())
		case typeTime:
			out = append(out, v.t.Format(time.RFC3339Nano))
		case typeBool:
			out = append(out, strconv.FormatBool(v.b))
		default:
			out = append(out, v.str(i))
		}
	}
	return out
}

// String renders the explanation as an indented, human-readable report.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Request: action=%q resource=%q", e.Action, e.Resource)
	if e.ResourceURI != "" {
		fmt.Fprintf(&b, " resource_uri=%q", e.ResourceURI)
	}
	b.WriteString("\n")
	d := e.Decision
	switch d.Effect {
	case EffectImplicitDeny:
		b.WriteString("Decision: ImplicitDeny (no statement applies)\n")
	default:
		fmt.Fprintf(&b, "Decision: %s by policy %d statement %d", d.Effect, d.Policy, d.Statement)
		if d.Sid != "" {
			fmt.Fprintf(&b, " (Sid %q)", d.Sid)
		}
		b.WriteString("\n")
	}
	for _, t := range e.Statements {
		b.WriteString("\n")
		b.WriteString(t.String())
	}
	return b.String()
}

// String renders one statement trace.
func (t StatementTrace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %d", t.Policy)
	if t.PolicyName != "" {
		fmt.Fprintf(&b, " (%s)", t.PolicyName)
	}
	fmt.Fprintf(&b, " statement %d", t.Statement)
	if t.Sid != "" {
		fmt.Fprintf(&b, " (Sid %q)", t.Sid)
	}
	fmt.Fprintf(&b, " %s: ", t.Effect)
	switch {
	case t.Decisive:
		b.WriteString("APPLIES (decisive)\n")
	case t.Applies:
		b.WriteString("applies\n")
	default:
		b.WriteString("does not apply\n")
	}
	fmt.Fprintf(&b, "  [%s] action: %s\n", mark(t.Action.Matched), t.Action.Reason)
	fmt.Fprintf(&b, "  [%s] resource: %s\n", mark(t.Resource.Matched), t.Resource.Reason)
	for _, c := range t.Conditions {
		fmt.Fprintf(&b, "  [%s] condition %s %s: policy %s, request %s: %s\n",
			mark(c.Matched), c.Operator, c.Key, quoteList(c.PolicyValues), quoteList(c.RequestValues), c.Reason)
	}
	return b.String()
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "no"
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
