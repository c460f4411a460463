package portalweb

import (
	"net/http"

	"github.com/iic-project/iic/internal/apierr"
)

// notSetUp answers a page that needs the default identity store when
// looking it up failed: without an Identity Center instance (IIC.1730) the
// portal is not available yet, a 503 page that says so; other errors are
// the usual error page.
func (a *API) notSetUp(w http.ResponseWriter, r *http.Request, err error) error {
	if !apierr.IIC1730.Is(err) {
		return err
	}
	w.Header().Set("Retry-After", "3600")
	a.render(w, r, http.StatusServiceUnavailable, "message", &view{Title: "Portal not available", Heading: "The access portal is not set up yet", Narrow: true,
		Error: errorOf(err), Body: "Identity Center has not been enabled for the management account yet. Ask your administrator."})
	return nil
}
