package admin

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/paging"
)

type regionDTO struct {
	RegionID string `json:"region_id"`
}

func (a *API) registerRegion(w http.ResponseWriter, r *http.Request) error {
	// Who may call is decided before the body is read: a refused caller
	// gets 403 IIC.1215 whatever it sent.
	if err := a.Center.ManagementOnly(r.Context(), account(r)); err != nil {
		return err
	}
	var in regionDTO
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Center.RegisterRegion(r.Context(), account(r), in.RegionID); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) describeRegisteredRegions(w http.ResponseWriter, r *http.Request) error {
	regions, err := a.Center.RegisteredRegions(r.Context(), tenant(r))
	if err != nil {
		return err
	}
	out := struct {
		Regions []regionDTO `json:"regions"`
	}{Regions: []regionDTO{}}
	for _, id := range regions {
		out.Regions = append(out.Regions, regionDTO{RegionID: id})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deregisterRegion(w http.ResponseWriter, r *http.Request) error {
	if err := a.Center.ManagementOnly(r.Context(), account(r)); err != nil {
		return err
	}
	if err := a.Center.DeregisterRegion(r.Context(), account(r), r.PathValue("region_id")); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) startIdentityCenter(w http.ResponseWriter, r *http.Request) error {
	if err := a.Center.ManagementOnly(r.Context(), account(r)); err != nil {
		return err
	}
	if _, err := a.Center.Start(r.Context(), account(r)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

func (a *API) getServiceStatus(w http.ResponseWriter, r *http.Request) error {
	status, reasons, err := a.Center.Status(r.Context(), tenant(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		ServiceStatus        string   `json:"serviceStatus"`
		ServiceStatusReasons []string `json:"serviceStatusReasons"`
	}{status, reasons})
	return nil
}

func (a *API) deleteIdentityCenter(w http.ResponseWriter, r *http.Request) error {
	if err := a.Center.ManagementOnly(r.Context(), account(r)); err != nil {
		return err
	}
	if err := a.Center.Delete(r.Context(), account(r)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}

type instanceDTO struct {
	InstanceID      string `json:"instance_id"`
	IdentityStoreID string `json:"identity_store_id"`
	Alias           string `json:"alias,omitempty"`
	InstanceURN     string `json:"instance_urn"`
}

// pageInfo and newPageInfo: the page_info of every list (httpx.PageInfo).
type pageInfo = httpx.PageInfo

var newPageInfo = httpx.NewPageInfo

func (a *API) listInstances(w http.ResponseWriter, r *http.Request) error {
	limit, err := paging.ParseLimit(r.URL.Query().Get("limit"))
	if err != nil {
		return err
	}
	page, err := a.Center.ListInstances(r.Context(), tenant(r), limit, r.URL.Query().Get("marker"))
	if err != nil {
		return err
	}
	out := struct {
		Instances []instanceDTO `json:"instances"`
		PageInfo  pageInfo      `json:"page_info"`
	}{Instances: []instanceDTO{}, PageInfo: newPageInfo(page.NextMarker, len(page.Instances))}
	for _, in := range page.Instances {
		out.Instances = append(out.Instances, instanceDTO{InstanceID: in.ID, IdentityStoreID: in.IdentityStoreID, Alias: in.Alias, InstanceURN: center.InstanceURN(in)})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createAlias(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Alias string `json:"alias"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := a.Center.SetAlias(r.Context(), instance(r), in.Alias); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, empty)
	return nil
}
