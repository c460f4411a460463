package accesskeys

import (
	"context"
	"strconv"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/policy"
	"github.com/iic-project/iic/internal/policy/sim"
)

// SimInput is a simulation request: stored policies by id and/or policy
// texts, the action and resource, and the condition context.
type SimInput struct {
	PolicyIDs []string
	Documents [][]byte
	Action    string
	Resource  string
	Context   map[string][]string
}

// Simulate decides in.Action on in.Resource against the policies: first
// those named by PolicyIDs (resolved exactly as the live authorizer does
// for a key bound to them), then the given documents, in order.
func (s *Service) Simulate(ctx context.Context, account string, in SimInput) (sim.Result, error) {
	if len(in.PolicyIDs)+len(in.Documents) == 0 {
		return sim.Result{}, apierr.IIC400_400.New("give at least one of policy_ids and policies")
	}
	if in.Action == "" || len(in.Action) > 256 {
		return sim.Result{}, apierr.IIC400_400.New("action must be 1-256 characters")
	}
	if len(in.Resource) > 1024 {
		return sim.Result{}, apierr.IIC400_400.New("resource must be at most 1024 characters")
	}
	if len(in.Documents) > MaxKeyPolicies {
		return sim.Result{}, apierr.IIC400_400.New("policies must hold at most 20 documents")
	}
	var ps []*policy.Compiled
	var names []string
	if len(in.PolicyIDs) > 0 {
		if err := s.CheckPolicyIDs(ctx, s.Store, account, in.PolicyIDs); err != nil {
			return sim.Result{}, err
		}
		var err error
		if ps, names, err = s.Authz.Resolve(ctx, account, in.PolicyIDs, s.Now()); err != nil {
			return sim.Result{}, err
		}
	}
	for i, text := range in.Documents {
		field := "policies[" + strconv.Itoa(i) + "]"
		doc, err := CheckDocument(field, text)
		if err != nil {
			return sim.Result{}, err
		}
		c, err := policy.Compile(doc)
		if err != nil {
			return sim.Result{}, apierr.IIC400_400.New(field + ": " + err.Error())
		}
		ps = append(ps, c)
		names = append(names, field)
	}
	pc, err := sim.ParseContext(in.Context)
	if err != nil {
		return sim.Result{}, apierr.IIC400_400.New(err.Error())
	}
	return sim.SimulateRequest(ps, names, SimRequest(in.Action, in.Resource, pc)), nil
}

// SimRequest is the policy request the live authorizer would decide for
// action: when action names an operation of the action table (by its
// documented name, an alternate or its old name), the documented name with
// its alternates and old name; otherwise action as given.
func SimRequest(action, resource string, pc *policy.Context) *policy.Request {
	req := &policy.Request{Action: action, Resource: resource, Ctx: pc}
	if op := authz.LookupAction(action); op != nil {
		req.Action, req.Alternates, req.LegacyAction = op.Action, op.Alternates, op.LegacyAction
	}
	return req
}
