package iicadmin

import (
	"encoding/json"
	"net/http"

	"github.com/iic-project/iic/internal/accesskeys"
	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/paging"
	"github.com/iic-project/iic/internal/policy/managed"
	"github.com/iic-project/iic/internal/store"
)

type policyDTO struct {
	PolicyID       string `json:"policy_id"`
	PolicyName     string `json:"policy_name"`
	Description    string `json:"description"`
	PolicyDocument string `json:"policy_document"`
	PolicyType     string `json:"policy_type"`
	URN            string `json:"urn"`
	// LegacyActionNames: stored before iic used the documented action
	// names; evaluated against the old names (deprecated).
	LegacyActionNames bool   `json:"legacy_action_names,omitempty"`
	CreatedAt         string `json:"created_at"`
	UpdatedAt         string `json:"updated_at"`
}

func toPolicyDTO(p store.Policy) policyDTO {
	return policyDTO{PolicyID: p.ID, PolicyName: p.Name, Description: p.Description, PolicyDocument: string(p.Document),
		PolicyType: "custom", URN: "iam::" + p.AccountID + ":policy:" + p.Name, LegacyActionNames: p.LegacyActions,
		CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt)}
}

// createPolicyBody is the wire form of POST /v1/iic/policies.
type createPolicyBody struct {
	PolicyName     string          `json:"policy_name"`
	Description    string          `json:"description"`
	PolicyDocument json.RawMessage `json:"policy_document"`
}

// policyInput turns a decoded create body into the service input.
func (b *createPolicyBody) policyInput() (accesskeys.PolicyInput, error) {
	text, err := accesskeys.DocumentText("policy_document", b.PolicyDocument)
	if err != nil {
		return accesskeys.PolicyInput{}, err
	}
	return accesskeys.PolicyInput{Name: b.PolicyName, Description: b.Description, Document: text}, nil
}

func (a *API) createPolicy(w http.ResponseWriter, r *http.Request) error {
	var body createPolicyBody
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	in, err := body.policyInput()
	if err != nil {
		return err
	}
	p, err := a.Access.CreatePolicy(r.Context(), account(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]policyDTO{"policy": toPolicyDTO(p)})
	return nil
}

func (a *API) listPolicies(w http.ResponseWriter, r *http.Request) error {
	limit, err := paging.ParseLimit(r.URL.Query().Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Access.ListPolicies(r.Context(), account(r), limit, r.URL.Query().Get("marker"))
	if err != nil {
		return err
	}
	out := struct {
		Policies []policyDTO `json:"policies"`
		PageInfo pageInfo    `json:"page_info"`
	}{Policies: []policyDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Policies))}
	for _, p := range page.Policies {
		out.Policies = append(out.Policies, toPolicyDTO(p))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Access.GetPolicy(r.Context(), account(r), r.PathValue("policy_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]policyDTO{"policy": toPolicyDTO(p)})
	return nil
}

func (a *API) deletePolicy(w http.ResponseWriter, r *http.Request) error {
	if err := a.Access.DeletePolicy(r.Context(), account(r), r.PathValue("policy_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type managedDTO struct {
	PolicyID       string `json:"policy_id"`
	PolicyName     string `json:"policy_name"`
	PolicyType     string `json:"policy_type"`
	Service        string `json:"service"`
	IICDefined     bool   `json:"iic_defined"` // shipped by iic, not one of Huawei's system policies
	Description    string `json:"description"`
	PolicyDocument string `json:"policy_document"`
	URN            string `json:"urn"`
}

func toManagedDTO(p *managed.Policy) managedDTO {
	return managedDTO{PolicyID: p.ID, PolicyName: p.Name, PolicyType: p.Type, Service: p.Service, IICDefined: p.IIC, Description: p.Description,
		PolicyDocument: string(p.Document), URN: "iam::system:policy:" + p.Name}
}

func (a *API) listManaged(w http.ResponseWriter, r *http.Request) error {
	out := struct {
		Policies []managedDTO `json:"managed_policies"`
	}{Policies: []managedDTO{}}
	for _, p := range managed.All() {
		out.Policies = append(out.Policies, toManagedDTO(p))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getManaged(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("policy_id")
	p, err := managed.ByID(id)
	if err != nil {
		return apierr.IIC1246.New(id)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]managedDTO{"managed_policy": toManagedDTO(p)})
	return nil
}
