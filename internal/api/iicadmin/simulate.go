package iicadmin

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// simulateBody is the wire form of POST /v1/iic/policies/simulate.
type simulateBody struct {
	PolicyIDs []string                   `json:"policy_ids"`
	Policies  []json.RawMessage          `json:"policies"`
	Action    string                     `json:"action"`
	Resource  string                     `json:"resource"`
	Context   map[string]json.RawMessage `json:"context"`
}

// simInput turns a decoded body into the service input. Context values are
// a string, a boolean, a number or an array of those.
func (b *simulateBody) simInput() (accesskeys.SimInput, error) {
	in := accesskeys.SimInput{PolicyIDs: b.PolicyIDs, Action: b.Action, Resource: b.Resource, Context: map[string][]string{}}
	for i, raw := range b.Policies {
		text, err := accesskeys.DocumentText("policies["+strconv.Itoa(i)+"]", raw)
		if err != nil {
			return in, err
		}
		in.Documents = append(in.Documents, text)
	}
	for k, raw := range b.Context {
		var list []any
		if err := json.Unmarshal(raw, &list); err != nil {
			var one any
			if err := json.Unmarshal(raw, &one); err != nil {
				return in, apierr.IIC400_400.New("context." + k + " is not valid JSON")
			}
			list = []any{one}
		}
		for _, v := range list {
			s, ok := scalar(v)
			if !ok {
				return in, apierr.IIC400_400.New("context." + k + " must be a string, boolean, number or an array of those")
			}
			in.Context[k] = append(in.Context[k], s)
		}
	}
	return in, nil
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func (a *API) simulate(w http.ResponseWriter, r *http.Request) error {
	var body simulateBody
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	in, err := body.simInput()
	if err != nil {
		return err
	}
	res, err := a.Access.Simulate(r.Context(), account(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}
