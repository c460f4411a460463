package iamfed

import (
	"errors"
	"net/http"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
)

// The surface's error dialect. Huawei IAM answers these APIs with
// {"error_code", "error_msg"} (what the SDK decodes; it fills ErrorCode
// only when both are present) and Keystone's clients read
// {"error": {"code", "title", "message"}}; every error carries both:
//
//	{"error_code": "IIC.404", "error_msg": "…", "request_id": "…",
//	 "error": {"code": 404, "title": "Not Found", "message": "…"}}
//
// Codes come from the error table: the product's rows, and the keystone
// rows for what the product's envelope does not answer — 405 for a known
// path with another method (with Allow), 413 for an oversized body, 409 for
// a mapping in use, 401 "The account is locked." for a locked sign-in user.
type errorBody struct {
	ErrorCode string        `json:"error_code"`
	ErrorMsg  string        `json:"error_msg"`
	RequestID string        `json:"request_id"`
	Error     keystoneError `json:"error"`
}

type keystoneError struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apierr.Error
	var mna *httpx.MethodNotAllowedError
	switch {
	case errors.As(err, &mna):
		w.Header().Set("Allow", strings.Join(mna.Allow, ", "))
		e = apierr.KEYSTONE405.New(strings.Join(mna.Allow, ", "))
	case errors.Is(err, httpx.ErrBodyTooLarge):
		e = apierr.KEYSTONE413.New("the request body exceeds the 1 MiB limit")
	default:
		if ae, ok := apierr.From(err); ok {
			e = ae
			if e.Status() >= 500 {
				httpx.Logger(r.Context()).Error("server error", "code", e.Def.Code, "err", err.Error())
			}
		} else {
			httpx.Logger(r.Context()).Error("internal error", "err", err.Error())
			e = apierr.IIC1260.New()
		}
	}
	status := e.Status()
	httpx.WriteJSON(w, status, errorBody{ErrorCode: e.Def.Code, ErrorMsg: e.Message, RequestID: httpx.RequestID(r.Context()),
		Error: keystoneError{Code: status, Title: http.StatusText(status), Message: e.Message}})
}
