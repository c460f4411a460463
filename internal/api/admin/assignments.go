package admin

import (
	"net/http"
	"strconv"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/permission"
	"github.com/iic-project/iic/internal/store"
)

// assignmentOps are the account-assignment and provisioning operations.
func (a *API) assignmentOps() []httpx.Op {
	const base = "/v1/instances/{instance_id}/account-assignments"
	const sets = "/v1/instances/{instance_id}/permission-sets"
	inst, set := a.instanceTarget, a.permissionSetTarget
	return []httpx.Op{
		{Name: "CreateAccountAssignment", Pattern: "POST " + base + "/create", Tenant: true, Target: a.assignmentTarget, Handler: a.createAssignment},
		{Name: "DeleteAccountAssignment", Pattern: "POST " + base + "/delete", Tenant: true, Target: a.assignmentTarget, Handler: a.deleteAssignment},
		{Name: "DescribeAccountAssignmentCreationStatus", Pattern: "GET " + base + "/creation-status/{request_id}", Tenant: true, Target: inst,
			Handler: a.describeRequest(store.RequestAssignmentCreate)},
		{Name: "DescribeAccountAssignmentDeletionStatus", Pattern: "GET " + base + "/deletion-status/{request_id}", Tenant: true, Target: inst,
			Handler: a.describeRequest(store.RequestAssignmentDelete)},
		{Name: "ListAccountAssignmentCreationStatus", Pattern: "GET " + base + "/creation-statuses", Tenant: true, Target: inst,
			Handler: a.listRequests(store.RequestAssignmentCreate)},
		{Name: "ListAccountAssignmentDeletionStatus", Pattern: "GET " + base + "/deletion-statuses", Tenant: true, Target: inst,
			Handler: a.listRequests(store.RequestAssignmentDelete)},
		{Name: "ListAccountAssignments", Pattern: "GET " + base, Tenant: true, Target: a.listAssignmentsTarget, Handler: a.listAssignments},
		{Name: "ListAccountAssignmentsForPrincipal", Pattern: "GET /v1/instances/{instance_id}/account-assignments-for-principals", Tenant: true,
			Target: inst, Handler: a.listAssignmentsForPrincipal},
		{Name: "ProvisionPermissionSet", Pattern: "POST " + sets + "/{permission_set_id}/provision", Tenant: true, Target: set, Handler: a.provision},
		{Name: "DescribePermissionSetProvisioningStatus", Pattern: "GET " + sets + "/provisioning-status/{request_id}", Tenant: true, Target: inst,
			Handler: a.describeRequest(store.RequestProvision)},
		{Name: "ListPermissionSetProvisioningStatus", Pattern: "GET " + sets + "/provisioning-statuses", Tenant: true, Target: inst,
			Handler: a.listRequests(store.RequestProvision)},
		{Name: "ListAccountsForProvisionedPermissionSet", Pattern: "GET " + sets + "/{permission_set_id}/accounts", Tenant: true, Target: set,
			Handler: a.accountsForPermissionSet},
		{Name: "ListPermissionSetsProvisionedToAccount", Pattern: "GET " + sets + "/provisioned-to-accounts", Tenant: true,
			Target: a.listAssignmentsTarget, Handler: a.permissionSetsProvisionedTo},
	}
}

// accountResource is a member account an operation acts on.
func accountResource(in store.Instance, accountID string) httpx.Resource {
	return httpx.Resource{URN: authz.ResourceURN("IdentityCenter", "", in.AccountID, "account", accountID)}
}

type assignmentBody struct {
	PermissionSetID string `json:"permission_set_id"`
	PrincipalID     string `json:"principal_id"`
	PrincipalType   string `json:"principal_type"`
	TargetID        string `json:"target_id"`
	TargetType      string `json:"target_type"`
}

func (b assignmentBody) input() permission.AssignmentInput {
	return permission.AssignmentInput{PermissionSetID: b.PermissionSetID, PrincipalType: b.PrincipalType, PrincipalID: b.PrincipalID,
		TargetType: b.TargetType, TargetID: b.TargetID}
}

// assignmentTarget: the instance, the permission set (with its tags) and
// the account of an assignment.
func (a *API) assignmentTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	var in assignmentBody
	if err := httpx.Decode(r, &in); err != nil {
		return httpx.Target{}, err
	}
	inst := instance(r)
	if in.PermissionSetID == "" || len(in.PermissionSetID) > 64 {
		return httpx.Target{}, badRequest("permission_set_id must be 1-64 characters")
	}
	ps, err := a.Permission.Get(r.Context(), inst, in.PermissionSetID)
	if err != nil {
		return httpx.Target{}, err
	}
	return httpx.Target{Resources: []httpx.Resource{instanceResource(inst), permissionSetResource(inst, ps), accountResource(inst, in.TargetID)}}, nil
}

// listAssignmentsTarget: the instance and the account the query names.
func (a *API) listAssignmentsTarget(r *http.Request, _ *authz.Principal) (httpx.Target, error) {
	inst := instance(r)
	return httpx.Target{Resources: []httpx.Resource{instanceResource(inst), accountResource(inst, r.URL.Query().Get("account_id"))}}, nil
}

type assignmentStatusDTO struct {
	CreatedDate     int64   `json:"created_date"`
	FailureReason   *string `json:"failure_reason,omitempty"`
	PermissionSetID string  `json:"permission_set_id"`
	PrincipalID     string  `json:"principal_id"`
	PrincipalType   string  `json:"principal_type"`
	RequestID       string  `json:"request_id"`
	Status          string  `json:"status"`
	TargetID        string  `json:"target_id"`
	TargetType      string  `json:"target_type"`
}

// provisioningStatusDTO is permission_set_provisioning_status; the SDK
// types its created_date as a string (of Unix milliseconds).
type provisioningStatusDTO struct {
	AccountID       *string `json:"account_id,omitempty"`
	CreatedDate     string  `json:"created_date"`
	FailureReason   *string `json:"failure_reason,omitempty"`
	PermissionSetID string  `json:"permission_set_id"`
	RequestID       string  `json:"request_id"`
	Status          string  `json:"status"`
}

type requestMetadataDTO struct {
	CreatedDate int64  `json:"created_date"`
	RequestID   string `json:"request_id"`
	Status      string `json:"status"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// requestBody is the answer naming one request of its kind.
func requestBody(r store.Request) any {
	switch r.Kind {
	case store.RequestProvision:
		return struct {
			Status provisioningStatusDTO `json:"permission_set_provisioning_status"`
		}{provisioningStatusDTO{AccountID: optional(r.TargetID), CreatedDate: strconv.FormatInt(r.CreatedAt.UnixMilli(), 10),
			FailureReason: optional(r.FailureReason), PermissionSetID: r.PermissionSetID, RequestID: r.ID, Status: r.Status}}
	}
	dto := assignmentStatusDTO{CreatedDate: r.CreatedAt.UnixMilli(), FailureReason: optional(r.FailureReason), PermissionSetID: r.PermissionSetID,
		PrincipalID: r.PrincipalID, PrincipalType: r.PrincipalType, RequestID: r.ID, Status: r.Status, TargetID: r.TargetID, TargetType: r.TargetType}
	if r.Kind == store.RequestAssignmentDelete {
		return struct {
			Status assignmentStatusDTO `json:"account_assignment_deletion_status"`
		}{dto}
	}
	return struct {
		Status assignmentStatusDTO `json:"account_assignment_creation_status"`
	}{dto}
}

func (a *API) createAssignment(w http.ResponseWriter, r *http.Request) error {
	var in assignmentBody
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	req, err := a.Permission.CreateAssignment(r.Context(), instance(r), in.input())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, requestBody(req))
	return nil
}

func (a *API) deleteAssignment(w http.ResponseWriter, r *http.Request) error {
	var in assignmentBody
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	req, err := a.Permission.DeleteAssignment(r.Context(), instance(r), in.input())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, requestBody(req))
	return nil
}

func (a *API) describeRequest(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := a.Permission.Request(r.Context(), instance(r), kind, r.PathValue("request_id"))
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, requestBody(req))
		return nil
	}
}

// listField is the answer field of a request list of kind.
func listField(kind string) string {
	switch kind {
	case store.RequestAssignmentCreate:
		return "account_assignments_creation_status"
	case store.RequestAssignmentDelete:
		return "account_assignments_deletion_status"
	}
	return "permission_sets_provisioning_status"
}

func (a *API) listRequests(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		limit, marker, err := pageArgs(r)
		if err != nil {
			return err
		}
		page, err := a.Permission.ListRequests(r.Context(), instance(r), kind, r.URL.Query().Get("status"), limit, marker)
		if err != nil {
			return err
		}
		items := []requestMetadataDTO{}
		for _, req := range page.Requests {
			items = append(items, requestMetadataDTO{CreatedDate: req.CreatedAt.UnixMilli(), RequestID: req.ID, Status: req.Status})
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{listField(kind): items, "page_info": newPageInfo(page.NextMarker, len(items))})
		return nil
	}
}

type assignmentDTO struct {
	AccountID       string `json:"account_id"`
	PermissionSetID string `json:"permission_set_id"`
	PrincipalID     string `json:"principal_id"`
	PrincipalType   string `json:"principal_type"`
}

func writeAssignments(w http.ResponseWriter, page permission.AssignmentPage) {
	out := struct {
		Assignments []assignmentDTO `json:"account_assignments"`
		PageInfo    pageInfo        `json:"page_info"`
	}{Assignments: []assignmentDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Assignments))}
	for _, x := range page.Assignments {
		out.Assignments = append(out.Assignments, assignmentDTO{x.AccountID, x.PermissionSetID, x.PrincipalID, x.PrincipalType})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) listAssignments(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := a.Permission.ListAssignments(r.Context(), instance(r), q.Get("account_id"), q.Get("permission_set_id"), limit, marker)
	if err != nil {
		return err
	}
	writeAssignments(w, page)
	return nil
}

func (a *API) listAssignmentsForPrincipal(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := a.Permission.ListForPrincipal(r.Context(), instance(r), q.Get("principal_type"), q.Get("principal_id"), q.Get("account_id"), limit, marker)
	if err != nil {
		return err
	}
	writeAssignments(w, page)
	return nil
}

func (a *API) provision(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TargetID   string `json:"target_id"`
		TargetType string `json:"target_type"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	req, err := a.Permission.Provision(r.Context(), instance(r), r.PathValue("permission_set_id"), in.TargetType, in.TargetID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, requestBody(req))
	return nil
}

func (a *API) accountsForPermissionSet(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	page, err := a.Permission.AccountsFor(r.Context(), instance(r), r.PathValue("permission_set_id"), r.URL.Query().Get("provisioning_status"), limit, marker)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_ids": page.IDs, "page_info": newPageInfo(page.NextMarker, len(page.IDs))})
	return nil
}

func (a *API) permissionSetsProvisionedTo(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := pageArgs(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := a.Permission.SetsProvisionedTo(r.Context(), instance(r), q.Get("account_id"), q.Get("provisioning_status"), limit, marker)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"permission_sets": page.IDs, "page_info": newPageInfo(page.NextMarker, len(page.IDs))})
	return nil
}
