package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/policy/sim"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func policyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "simulate":
			return policySimulate(args[1:], stdout, stderr)
		case "managed":
			return policyManaged(args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, `Usage:
  iic policy simulate --policy FILE|ID [--policy ...] --action ACTION [--resource URN] [--context KEY=VALUE ...] [--json]
  iic policy managed [--json]    list the system-defined policies (ids, names, types; "iic" marks
                                 the ones iic ships that are not Huawei's)
`)
	return 2
}

const simulateHelp = `iic policy simulate decides a request against policies, offline (no server).

  --policy FILE      a policy document (JSON, Version 1.1 or 5.0); repeatable.
                     A system-defined policy id or name (see "iic policy managed")
                     is accepted too. "-" reads standard input.
  --action ACTION    a documented action, e.g. IdentityCenter:instance:list (required);
                     an operation's alternate or pre-rename name is decided as that operation
  --resource URN     IdentityCenter:<region>:<account-id>:<type>:<path>, e.g.
                     IdentityCenter::<account>:permissionSet:* ("" = an action without
                     resource-level permission, matched by "Resource": ["*"])
  --context K=V      a condition key value, repeatable; repeating a key adds values.
                     e.g. --context g:SourceIp=10.0.0.1 --context g:MFAPresent=true
                          --context g:PrincipalTag/team=blue --context g:CurrentTime=2026-01-02T15:04:05Z
  --json             print the result as JSON (the POST /v1/iic/policies/simulate answer)

It prints the decision, the statement that decided it, then the full explanation.
Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 usage or policy error.
`

func policySimulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, simulateHelp) }
	var policies, context listFlag
	var action, resource string
	var asJSON bool
	fs.Var(&policies, "policy", "policy document file, system policy id or name (repeatable)")
	fs.StringVar(&action, "action", "", "action to decide")
	fs.StringVar(&resource, "resource", "", "resource URN")
	fs.Var(&context, "context", "condition key=value (repeatable)")
	fs.BoolVar(&asJSON, "json", false, "JSON output")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || len(policies) == 0 || action == "" {
		fmt.Fprintln(stderr, "iic policy simulate: --policy and --action are required (iic policy simulate -h)")
		return 2
	}
	var inputs []sim.Input
	for _, p := range policies {
		in, err := readPolicy(p)
		if err != nil {
			fmt.Fprintln(stderr, "iic policy simulate:", err)
			return 2
		}
		inputs = append(inputs, in)
	}
	compiled, names, err := sim.Compile(inputs)
	if err != nil {
		fmt.Fprintln(stderr, "iic policy simulate:", err)
		return 2
	}
	kv, err := sim.ParseAssignments(context)
	if err != nil {
		fmt.Fprintln(stderr, "iic policy simulate:", err)
		return 2
	}
	pc, err := sim.ParseContext(kv)
	if err != nil {
		fmt.Fprintln(stderr, "iic policy simulate:", err)
		return 2
	}
	res := sim.SimulateRequest(compiled, names, accesskeys.SimRequest(action, resource, pc))
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	} else {
		fmt.Fprint(stdout, res.String())
	}
	if res.Allowed {
		return 0
	}
	return 1
}

// readPolicy reads a policy file, or names a system-defined policy.
func readPolicy(arg string) (sim.Input, error) {
	if arg == "-" {
		b, err := io.ReadAll(os.Stdin)
		return sim.Input{Name: "stdin", Document: b}, err
	}
	b, err := os.ReadFile(arg)
	if err == nil {
		return sim.Input{Name: arg, Document: b}, nil
	}
	if p, merr := managed.ByID(arg); merr == nil {
		return sim.Input{Name: p.Name, Document: p.Document}, nil
	}
	if p, merr := managed.ByName(arg); merr == nil {
		return sim.Input{Name: p.Name, Document: p.Document}, nil
	}
	return sim.Input{}, fmt.Errorf("--policy %s: not a readable file nor a system-defined policy id or name: %w", arg, err)
}

func policyManaged(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policy managed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "JSON output with the documents")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *asJSON {
		type entry struct {
			ID          string          `json:"policy_id"`
			Name        string          `json:"policy_name"`
			Type        string          `json:"policy_type"`
			Service     string          `json:"service"`
			IIC         bool            `json:"iic_defined"`
			Description string          `json:"description"`
			Document    json.RawMessage `json:"policy_document"`
		}
		var out []entry
		for _, p := range managed.All() {
			out = append(out, entry{p.ID, p.Name, p.Type, p.Service, p.IIC, p.Description, p.Document})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return 0
	}
	for _, p := range managed.All() {
		origin := "huawei"
		if p.IIC {
			origin = "iic"
		}
		fmt.Fprintf(stdout, "%s  %-16s %-6s %-40s %s\n", p.ID, p.Type, origin, p.Name, p.Description)
	}
	return 0
}
