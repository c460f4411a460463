package portalweb

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/portal"
)

// ProductName is shown in every page's header and title.
const ProductName = "IAM Identity Center"

// view is what a page template sees. Each page uses the fields it needs.
type view struct {
	Title  string
	CSRF   string
	User   string // the signed-in user's name; "" before sign-in
	Nav    string
	Narrow bool // a centred card (sign-in and message pages)
	Error  *apierr.Error
	Notice string
	// FormOrigin is another origin the page's forms may end at through a
	// redirect (Content-Security-Policy form-action): the consent page's
	// client.
	FormOrigin string

	// message
	Heading, Body, Link, LinkText, RequestID string
	OK                                       bool

	// sign-in
	Store, Next, UserName string
	Forgot                string // the forgotten-password link; "" when the server sends no e-mail
	Email, Expired        bool
	Action                string
	Signin                bool // enrolment during sign-in (not from the MFA page)
	RegToken              string

	// TOTP set-up
	QR         template.URL
	OTPURL     template.URL
	Secret     string
	DeviceName string

	// accounts and credentials
	Accounts      []portal.Account
	Agencies      []agencyView
	NextMarker    string
	AccountID     string
	PermissionSet string
	Creds         portal.Credentials
	Expires       string
	ExpiresISO    string
	SnippetSh     string
	SnippetPS     string
	SnippetKoo    string
	PublicURL     string

	// security keys and passkeys (webauthn.go); on the devices page, the
	// offer to add one
	WebAuthn *webauthnView

	// MFA devices
	Devices    []identity.MFADevice
	CanManage  bool
	MaxDevices int

	// device verification
	UserCode   string
	ClientName string
	Scopes     string

	// Data is the page-specific data of a page defined in its own file.
	Data any
}

type agencyView struct {
	portal.Agency
	SessionDuration string
}

type pageTemplate struct{ t *template.Template }

var pageNames = []string{"signin", "mfa_code", "enrol_intro", "enrol_totp", "new_password", "home", "account", "credentials", "mfa", "device", "device_confirm", "message"}

// assetVersion is a digest of the embedded assets, added to their URLs so
// that a browser's cached copy is replaced when they change.
var assetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(files, "assets", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := files.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

func mustParsePages() map[string]*pageTemplate {
	funcs := template.FuncMap{
		"product": func() string { return ProductName },
		"asset":   func(name string) string { return Prefix + "/assets/" + name + "?v=" + assetVersion },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
	}
	out := map[string]*pageTemplate{}
	for _, name := range pageNames {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
		out[name] = &pageTemplate{t: t}
	}
	return out
}

// render writes page name with status. The page is rendered into a buffer
// first, so a template error is a 500 page rather than half a page.
func (a *API) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	var buf bytes.Buffer
	if err := a.pages[name].t.Execute(&buf, v); err != nil {
		a.log(r.Context()).Error("render", "page", name, "err", err.Error())
		buf.Reset()
		status = http.StatusInternalServerError
		fallback := &view{Title: "Something went wrong", Heading: "Something went wrong", Error: apierr.IIC1260.New(), Narrow: true}
		if err := a.pages["message"].t.Execute(&buf, fallback); err != nil {
			http.Error(w, "Internal server error.", http.StatusInternalServerError)
			return
		}
	}
	securityHeaders(w.Header())
	if v.FormOrigin != "" {
		allowFormRedirect(w.Header(), v.FormOrigin)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
