package orgs

import (
	"net/http"
	"strconv"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/store"
)

type accountDTO struct {
	ID          string  `json:"id"`
	URN         string  `json:"urn"`
	JoinMethod  string  `json:"join_method"`
	Status      string  `json:"status"`
	JoinedAt    string  `json:"joined_at"`
	Name        string  `json:"name"`
	Email       *string `json:"email,omitempty"`
	Description *string `json:"description,omitempty"`
}

// toAccountDTO shows the e-mail only when contact is set
// (with_register_contact_info).
func toAccountDTO(a organization.Account, contact bool) accountDTO {
	out := accountDTO{ID: a.AccountID, URN: a.URN(), JoinMethod: a.JoinMethod, Status: a.Status, JoinedAt: rfc3339(a.JoinedAt), Name: a.Name}
	if contact && a.Email != "" {
		out.Email = &a.Email
	}
	if a.Description != "" {
		out.Description = &a.Description
	}
	return out
}

// withContact reads with_register_contact_info (default false).
func withContact(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("with_register_contact_info")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apierr.IIC400_400.New("with_register_contact_info must be true or false")
	}
	return b, nil
}

type createStatusDTO struct {
	AccountID     string  `json:"account_id"`
	AccountName   string  `json:"account_name"`
	CompletedAt   *string `json:"completed_at,omitempty"`
	CreatedAt     string  `json:"created_at"`
	ID            string  `json:"id"`
	State         string  `json:"state"`
	FailureReason *string `json:"failure_reason,omitempty"`
}

func toCreateStatusDTO(q store.CreateAccountRequest) createStatusDTO {
	out := createStatusDTO{AccountID: q.AccountID, AccountName: q.AccountName, CreatedAt: rfc3339(q.CreatedAt), ID: q.ID, State: q.State}
	if !q.CompletedAt.IsZero() {
		c := rfc3339(q.CompletedAt)
		out.CompletedAt = &c
	}
	if q.FailureReason != "" {
		out.FailureReason = &q.FailureReason
	}
	return out
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name        string   `json:"name"`
		Email       string   `json:"email"`
		Phone       string   `json:"phone"`
		AgencyName  string   `json:"agency_name"`
		Description string   `json:"description"`
		Tags        []tagDTO `json:"tags"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	q, err := a.Orgs.CreateAccount(r.Context(), caller(r), organization.CreateAccountInput{Name: in.Name, Email: in.Email, Phone: in.Phone,
		AgencyName: in.AgencyName, Description: in.Description, Tags: fromTagDTOs(in.Tags)})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]createStatusDTO{"create_account_status": toCreateStatusDTO(q)})
	return nil
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	contact, err := withContact(r)
	if err != nil {
		return err
	}
	if contact && limit > 200 {
		return apierr.IIC400_400.New("limit is at most 200 with with_register_contact_info")
	}
	p, err := a.Orgs.ListAccounts(r.Context(), caller(r), r.URL.Query().Get("parent_id"), limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Accounts []accountDTO `json:"accounts"`
		PageInfo pageInfo     `json:"page_info"`
	}{Accounts: []accountDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, acct := range p.Items {
		out.Accounts = append(out.Accounts, toAccountDTO(acct, contact))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) showAccount(w http.ResponseWriter, r *http.Request) error {
	contact, err := withContact(r)
	if err != nil {
		return err
	}
	acct, err := a.Orgs.ShowAccount(r.Context(), caller(r), r.PathValue("account_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]accountDTO{"account": toAccountDTO(acct, contact)})
	return nil
}

func (a *API) updateAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Description *string `json:"description"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Description == nil {
		return apierr.IIC400_400.New("description is required")
	}
	acct, err := a.Orgs.UpdateAccount(r.Context(), caller(r), r.PathValue("account_id"), *in.Description)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]accountDTO{"account": toAccountDTO(acct, false)})
	return nil
}

func (a *API) moveAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		SourceParentID      string `json:"source_parent_id"`
		DestinationParentID string `json:"destination_parent_id"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.SourceParentID == "" || in.DestinationParentID == "" {
		return apierr.IIC400_400.New("source_parent_id and destination_parent_id are required")
	}
	if err := a.Orgs.MoveAccount(r.Context(), caller(r), r.PathValue("account_id"), in.SourceParentID, in.DestinationParentID); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) removeAccount(w http.ResponseWriter, r *http.Request) error {
	if err := a.Orgs.RemoveAccount(r.Context(), caller(r), r.PathValue("account_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) closeAccount(w http.ResponseWriter, r *http.Request) error {
	if err := a.Orgs.CloseAccount(r.Context(), caller(r), r.PathValue("account_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) showCreateStatus(w http.ResponseWriter, r *http.Request) error {
	q, err := a.Orgs.ShowCreateAccountStatus(r.Context(), caller(r), r.PathValue("create_account_status_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]createStatusDTO{"create_account_status": toCreateStatusDTO(q)})
	return nil
}

func (a *API) listCreateStatuses(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	p, err := a.Orgs.ListCreateAccountStatuses(r.Context(), caller(r), r.URL.Query()["states"], limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Statuses []createStatusDTO `json:"create_account_statuses"`
		PageInfo pageInfo          `json:"page_info"`
	}{Statuses: []createStatusDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, q := range p.Items {
		out.Statuses = append(out.Statuses, toCreateStatusDTO(q))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type closeStatusDTO struct {
	AccountID      string `json:"account_id"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
	OrganizationID string `json:"organization_id"`
	State          string `json:"state"`
}

func (a *API) listCloseStatuses(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Orgs.ListCloseAccountStatuses(r.Context(), caller(r), r.URL.Query()["states"])
	if err != nil {
		return err
	}
	out := struct {
		Statuses []closeStatusDTO `json:"close_account_statuses"`
	}{Statuses: []closeStatusDTO{}}
	for _, c := range list {
		out.Statuses = append(out.Statuses, closeStatusDTO{AccountID: c.AccountID, CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt),
			OrganizationID: c.OrganizationID, State: c.State})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
