package scim

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/store"
)

// The SCIM dialect of errors (RFC 7644 §3.12): every error of a request
// under /{tenant_id}/scim/v2 — the surface's own, the identity service's
// (rendered from their apierr kind and details) and httpx's (unknown path,
// body too large, panic) — is written by writeError as
//
//	{"schemas": [URNError], "status": "404", "scimType": "...", "detail": "..."}
//
// with the status as a string. Messages come from the error table: the SCIM
// rows for users and groups not found or taken, the row of the service's
// error otherwise.

// Error is an error the SCIM surface itself raises.
type Error struct {
	Status   int
	ScimType string // "" when RFC 7644 has none for the case
	Detail   string
	allow    []string // a 405's Allow header
}

func (e *Error) Error() string { return e.Detail }

// badRequest is a 400 with scimType (invalidValue, invalidSyntax, ...).
func badRequest(scimType, detail string) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Detail: apierr.SCIM400.New(detail).Message}
}

// errUnauthorized is every authentication failure (one answer, no hint).
var errUnauthorized = &Error{Status: http.StatusUnauthorized, Detail: apierr.IIC1604.New().Message}

func notImplemented(what string) *Error {
	return &Error{Status: http.StatusNotImplemented, Detail: apierr.IIC1615.New().Message + " (" + what + ")"}
}

// errVersionMismatch is If-Match naming a version the resource is no longer at.
var errVersionMismatch = &Error{Status: http.StatusPreconditionFailed, Detail: apierr.IIC1006.New().Message}

type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// toError renders any error as the SCIM error it is answered with.
func toError(r *http.Request, err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return badRequest(pe.ScimType, pe.Msg)
	}
	var mna *httpx.MethodNotAllowedError
	if errors.As(err, &mna) {
		return &Error{Status: http.StatusMethodNotAllowed, Detail: "Bad Request: the method is not allowed here (allowed: " + strings.Join(mna.Allow, ", ") + ")", allow: mna.Allow}
	}
	if errors.Is(err, httpx.ErrBodyTimeout) {
		return &Error{Status: http.StatusRequestTimeout, Detail: apierr.SCIM400.New("the request body did not arrive in time").Message}
	}
	if errors.Is(err, httpx.ErrBodyBudget) {
		return &Error{Status: http.StatusServiceUnavailable, Detail: apierr.SCIM500.New().Message}
	}
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Detail: apierr.SCIM400.New("the request body exceeds " + strconv.Itoa(httpx.MaxBody) + " bytes").Message}
	}
	e, ok := apierr.From(err)
	if !ok {
		httpx.Logger(r.Context()).Error("internal error", "err", err.Error())
		return &Error{Status: http.StatusInternalServerError, Detail: apierr.SCIM500.New().Message}
	}
	typ, id := e.Resource()
	switch e.Kind() {
	case apierr.KindInvalid:
		// The service's 400 messages already read "Bad Request: …".
		return &Error{Status: http.StatusBadRequest, ScimType: "invalidValue", Detail: apierr.SCIM400.New(strings.TrimPrefix(e.Message, "Bad Request: ")).Message}
	case apierr.KindNotFound:
		switch typ {
		case "user":
			return &Error{Status: 404, Detail: apierr.SCIM404.New(id).Message}
		case "group":
			return &Error{Status: 404, Detail: apierr.SCIM404_2.New(id).Message}
		case "member":
			return &Error{Status: 404, Detail: apierr.SCIM404_3.New().Message}
		}
		return &Error{Status: 404, Detail: e.Message}
	case apierr.KindConflict:
		if e.Key() == "version" {
			return errVersionMismatch
		}
		switch {
		case typ == "user":
			return &Error{Status: 409, ScimType: "uniqueness", Detail: apierr.SCIM409.New(id).Message}
		case typ == "group":
			return &Error{Status: 409, ScimType: "uniqueness", Detail: apierr.SCIM409_2.New(id).Message}
		case e.Key() != "" && e.Key() != store.KeyReference:
			return &Error{Status: 409, ScimType: "uniqueness", Detail: e.Message}
		}
		return &Error{Status: 409, Detail: e.Message}
	case apierr.KindFailedPrecondition:
		return &Error{Status: 409, Detail: e.Message}
	case apierr.KindLimit:
		return &Error{Status: 400, Detail: apierr.SCIM400.New(e.Message).Message}
	case apierr.KindTooLarge:
		return &Error{Status: 413, Detail: e.Message}
	case apierr.KindUnauthenticated:
		return errUnauthorized
	case apierr.KindForbidden:
		return &Error{Status: 403, Detail: e.Message}
	case apierr.KindRateLimited:
		return &Error{Status: 429, Detail: e.Message}
	case apierr.KindUnavailable:
		return &Error{Status: 503, Detail: e.Message}
	case apierr.KindNotImplemented:
		return &Error{Status: 501, Detail: e.Message}
	}
	httpx.Logger(r.Context()).Error("server error", "code", e.Def.Code, "err", err.Error())
	return &Error{Status: http.StatusInternalServerError, Detail: apierr.SCIM500.New().Message}
}

// writeError is the SCIM surface's httpx.ErrorWriter.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	se := toError(r, err)
	if len(se.allow) > 0 {
		w.Header().Set("Allow", strings.Join(se.allow, ", "))
	}
	if se.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
	}
	writeJSON(w, se.Status, errorBody{Schemas: []string{URNError}, Status: strconv.Itoa(se.Status), ScimType: se.ScimType, Detail: se.Detail})
}
