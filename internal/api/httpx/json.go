package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/iic-project/iic/internal/apierr"
)

type errorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only programming errors (unsupported types) get here.
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error_code":"IIC.1260","error_msg":"Internal server error."}`))
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// WriteError writes err in the dialect of the surface that claimed the
// request (see Dialects), or else in the product's error envelope.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if write := infoFrom(r.Context()).writeErr; write != nil {
		write(w, r, err)
		return
	}
	WriteEnvelope(w, r, err)
}

// WriteEnvelope writes err in the product's error envelope. Errors that are
// not *apierr.Error are logged and become 500 IIC.1260.
func WriteEnvelope(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apierr.From(err)
	switch {
	case !ok:
		Logger(r.Context()).Error("internal error", "err", err.Error())
		e = apierr.IIC1260.New()
	case e.Status() >= 500:
		// The client sees the table's message; the log keeps the cause
		// that a service wrapped with it (e.g. why an e-mail was not sent).
		Logger(r.Context()).Error("server error", "code", e.Def.Code, "err", err.Error())
	}
	WriteJSON(w, e.Status(), errorBody{ErrorCode: e.Def.Code, ErrorMsg: e.Message, RequestID: RequestID(r.Context())})
}

// Decode parses the request body as JSON into v. An empty body, malformed
// JSON, a wrong type or trailing data is a 400 IIC.400 that says which.
func Decode(r *http.Request, v any) error {
	body := Body(r.Context())
	if len(bytes.TrimSpace(body)) == 0 {
		return apierr.IIC400_400.New("a JSON request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return apierr.IIC400_400.New(DescribeJSONError(err, "field"))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apierr.IIC400_400.New("unexpected data after the JSON body")
	}
	switch checkText(body) {
	case textNotUTF8:
		return apierr.IIC400_400.New("the JSON body must be UTF-8 text")
	case textLoneSurrogate:
		return apierr.IIC400_400.New(`JSON strings must be Unicode text: a \uD800-\uDFFF escape must be half of a surrogate pair`)
	case textNUL:
		return apierr.IIC400_400.New(`JSON strings must not contain the NUL character (\u0000)`)
	}
	return nil
}

// DescribeJSONError says, for a client, what is wrong with a JSON body that
// encoding/json refused: where the syntax broke, or which member (named
// with noun, e.g. "field" or "attribute") had the wrong type.
func DescribeJSONError(err error, noun string) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "malformed JSON body at byte " + strconv.FormatInt(syn.Offset, 10) + ": " + syn.Error()
	case errors.As(err, &typ):
		member := noun + " " + typ.Field
		if typ.Field == "" {
			member = "the body"
		}
		return member + " must be " + jsonKind(typ.Type.Kind().String()) + ", not " + typ.Value
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON body: unexpected end of input"
	}
	return "malformed JSON body"
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "a number"
}

// statusOf is the HTTP status WriteError answers err with.
func statusOf(err error) int {
	if e, ok := apierr.From(err); ok {
		return e.Status()
	}
	return http.StatusInternalServerError
}

// PageInfo is the page_info object of every paginated Huawei list:
// next_marker is null on the last page.
type PageInfo struct {
	NextMarker   *string `json:"next_marker"`
	CurrentCount int     `json:"current_count"`
}

// NewPageInfo is the page_info of a page of n items followed by next ("" on
// the last page).
func NewPageInfo(next string, n int) PageInfo {
	p := PageInfo{CurrentCount: n}
	if next != "" {
		p.NextMarker = &next
	}
	return p
}
