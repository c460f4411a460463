package portalweb

import "github.com/iic-project/iic/internal/api/httpx"

// morePages are the templates of the pages defined in files of their own.
var morePages = []string{"consent"}

func init() { pageNames = append(pageNames, morePages...) }

// mountMore registers the routes of the pages defined in files of their
// own (the OIDC authorization page, password recovery).
func (a *API) mountMore(rt *httpx.Router) {
	rt.Handle("GET "+Prefix+"/authorize", a.page(a.authorize))
	rt.Handle("POST "+Prefix+"/authorize", a.authedForm(a.authorizeDecide))
}
