package orgs

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

type principalDTO struct {
	ServicePrincipal string `json:"service_principal"`
}

func (a *API) enableService(w http.ResponseWriter, r *http.Request) error {
	var in principalDTO
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Orgs.EnableTrustedService(r.Context(), caller(r), in.ServicePrincipal); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) disableService(w http.ResponseWriter, r *http.Request) error {
	var in principalDTO
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Orgs.DisableTrustedService(r.Context(), caller(r), in.ServicePrincipal); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

type trustedServiceDTO struct {
	ServicePrincipal string `json:"service_principal"`
	EnabledAt        string `json:"enabled_at"`
}

func (a *API) listServices(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	p, err := a.Orgs.ListTrustedServices(r.Context(), caller(r), limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Services []trustedServiceDTO `json:"trusted_services"`
		PageInfo pageInfo            `json:"page_info"`
	}{Services: []trustedServiceDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, t := range p.Items {
		out.Services = append(out.Services, trustedServiceDTO{ServicePrincipal: t.ServicePrincipal, EnabledAt: rfc3339(t.EnabledAt)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type delegateDTO struct {
	ServicePrincipal string `json:"service_principal"`
	AccountID        string `json:"account_id"`
}

func decodeDelegate(r *http.Request) (delegateDTO, error) {
	var in delegateDTO
	if err := httpx.Decode(r, &in); err != nil {
		return in, err
	}
	if in.AccountID == "" {
		return in, apierr.IIC400_400.New("account_id is required")
	}
	return in, nil
}

func (a *API) registerDelegate(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeDelegate(r)
	if err != nil {
		return err
	}
	if err := a.Orgs.RegisterDelegatedAdministrator(r.Context(), caller(r), in.AccountID, in.ServicePrincipal); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) deregisterDelegate(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeDelegate(r)
	if err != nil {
		return err
	}
	if err := a.Orgs.DeregisterDelegatedAdministrator(r.Context(), caller(r), in.AccountID, in.ServicePrincipal); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

type delegatedAdminDTO struct {
	DelegationEnabledAt string `json:"delegation_enabled_at"`
	AccountID           string `json:"account_id"`
	AccountURN          string `json:"account_urn"`
	JoinMethod          string `json:"join_method"`
	JoinedAt            string `json:"joined_at"`
	AccountName         string `json:"account_name"`
}

func (a *API) listDelegates(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	p, err := a.Orgs.ListDelegatedAdministrators(r.Context(), caller(r), r.URL.Query().Get("service_principal"), limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Delegates []delegatedAdminDTO `json:"delegated_administrators"`
		PageInfo  pageInfo            `json:"page_info"`
	}{Delegates: []delegatedAdminDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, d := range p.Items {
		out.Delegates = append(out.Delegates, delegatedAdminDTO{DelegationEnabledAt: rfc3339(d.EnabledAt), AccountID: d.AccountID,
			AccountURN: d.Account.URN(), JoinMethod: d.Account.JoinMethod, JoinedAt: rfc3339(d.Account.JoinedAt), AccountName: d.Account.Name})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type delegatedServiceDTO struct {
	ServicePrincipal    string `json:"service_principal"`
	DelegationEnabledAt string `json:"delegation_enabled_at"`
}

func (a *API) listDelegatedServices(w http.ResponseWriter, r *http.Request) error {
	limit, marker, err := listParams(r)
	if err != nil {
		return err
	}
	p, err := a.Orgs.ListDelegatedServices(r.Context(), caller(r), r.PathValue("account_id"), limit, marker)
	if err != nil {
		return err
	}
	out := struct {
		Services []delegatedServiceDTO `json:"delegated_services"`
		PageInfo pageInfo              `json:"page_info"`
	}{Services: []delegatedServiceDTO{}, PageInfo: newPageInfo(p.NextMarker, len(p.Items))}
	for _, d := range p.Items {
		out.Services = append(out.Services, delegatedServiceDTO{ServicePrincipal: d.ServicePrincipal, DelegationEnabledAt: rfc3339(d.EnabledAt)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) tagResource(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tags []tagDTO `json:"tags"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Orgs.TagResource(r.Context(), caller(r), r.PathValue("resource_id"), fromTagDTOs(in.Tags)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) untagResource(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TagKeys []string `json:"tag_keys"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Orgs.UntagResource(r.Context(), caller(r), r.PathValue("resource_id"), in.TagKeys); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request) error {
	_, marker, err := listParams(r)
	if err != nil {
		return err
	}
	if marker != "" {
		return badMarker()
	}
	tags, err := a.Orgs.ListTagsForResource(r.Context(), caller(r), r.PathValue("resource_id"))
	if err != nil {
		return err
	}
	out := struct {
		Tags     []tagDTO `json:"tags"`
		PageInfo pageInfo `json:"page_info"`
	}{Tags: []tagDTO{}, PageInfo: newPageInfo("", len(tags))}
	for _, t := range tags {
		out.Tags = append(out.Tags, tagDTO{Key: t.Key, Value: t.Value})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// badMarker answers a marker given to a list that is never paginated (it
// returns everything at once and hands out no marker).
func badMarker() error {
	return apierr.IIC400_400.New("marker is invalid: this list returns every entry on one page")
}
