package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
)

// /Bulk (RFC 7644 §3.7): up to maxBulkOps operations (POST, PUT, PATCH,
// DELETE on /Users and /Groups) in one request of at most httpx.MaxBody
// bytes, run in order through the same handlers as single requests — each
// operation is its own transaction. "bulkId:<id>" in a path or a value
// refers to the resource an earlier operation of the request created
// (a reference to a later or failed one is an error of that operation).
// failOnErrors stops after that many errors.

type bulkKey struct{}

// requestBody is the body of r: an operation's data inside /Bulk, else
// the request body the middleware read.
func requestBody(r *http.Request) []byte {
	if b, ok := r.Context().Value(bulkKey{}).([]byte); ok {
		return b
	}
	return httpx.Body(r.Context())
}

type bulkOp struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId"`
	Version string          `json:"version"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data"`
}

type bulkResult struct {
	Method   string `json:"method"`
	BulkID   string `json:"bulkId,omitempty"`
	Version  string `json:"version,omitempty"`
	Location string `json:"location,omitempty"`
	Status   string `json:"status"`
	Response any    `json:"response,omitempty"`
}

func (a *API) bulk(w http.ResponseWriter, r *http.Request, t tenant) error {
	m, err := decodeObject(requestBody(r))
	if err != nil {
		return err
	}
	var req struct {
		FailOnErrors *int     `json:"failOnErrors"`
		Operations   []bulkOp `json:"Operations"`
	}
	for k, v := range m { // attribute names are case-insensitive
		switch strings.ToLower(k) {
		case "failonerrors":
			m["failOnErrors"] = v
		case "operations":
			m["Operations"] = v
		}
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &req); err != nil {
		return badRequest("invalidSyntax", httpx.DescribeJSONError(err, "attribute"))
	}
	if len(req.Operations) == 0 {
		return badRequest("invalidSyntax", "a BulkRequest needs a non-empty Operations array")
	}
	if len(req.Operations) > maxBulkOps {
		return &Error{Status: http.StatusRequestEntityTooLarge, ScimType: "tooMany",
			Detail: fmt.Sprintf("Bad Request: at most %d operations per bulk request (maxOperations)", maxBulkOps)}
	}
	failOn := 0
	if req.FailOnErrors != nil {
		failOn = max(*req.FailOnErrors, 0)
	}
	created := map[string]string{} // bulkId → resource id
	results := make([]bulkResult, 0, len(req.Operations))
	errorsSeen := 0
	for _, op := range req.Operations {
		if failOn > 0 && errorsSeen >= failOn {
			break
		}
		res := a.bulkOne(r, t, op, created)
		if code, _ := strconv.Atoi(res.Status); code >= 400 {
			errorsSeen++
		}
		results = append(results, res)
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{URNBulkResponse}, "Operations": results})
	return nil
}

// bulkOne runs one operation and reports its outcome.
func (a *API) bulkOne(r *http.Request, t tenant, op bulkOp, created map[string]string) bulkResult {
	method := strings.ToUpper(op.Method)
	out := bulkResult{Method: method, BulkID: op.BulkID}
	fail := func(err error) bulkResult {
		se := toError(r, err)
		out.Status = strconv.Itoa(se.Status)
		out.Response = errorBody{Schemas: []string{URNError}, Status: out.Status, ScimType: se.ScimType, Detail: se.Detail}
		return out
	}
	if method == http.MethodPost && op.BulkID == "" {
		return fail(badRequest("invalidValue", "a POST operation needs a bulkId"))
	}
	path, err := resolveBulkIDs(op.Path, created)
	if err != nil {
		return fail(err)
	}
	data := []byte(op.Data)
	if len(data) > 0 {
		s, err := resolveBulkIDs(string(data), created)
		if err != nil {
			return fail(err)
		}
		data = []byte(s)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var h handler
	id := ""
	switch {
	case len(parts) == 1 && method == http.MethodPost && parts[0] == "Users":
		h = a.createUser
	case len(parts) == 1 && method == http.MethodPost && parts[0] == "Groups":
		h = a.createGroup
	case len(parts) == 2 && (parts[0] == "Users" || parts[0] == "Groups"):
		id = parts[1]
		users := parts[0] == "Users"
		switch method {
		case http.MethodPut:
			h = pick(users, a.putUser, a.putGroup)
		case http.MethodPatch:
			h = pick(users, a.patchUser, a.patchGroup)
		case http.MethodDelete:
			h = pick(users, a.deleteUser, a.deleteGroup)
		}
	}
	if h == nil {
		return fail(badRequest("invalidPath", fmt.Sprintf("%s %s is not a bulk operation (POST /Users, /Groups; PUT, PATCH, DELETE /Users/{id}, /Groups/{id})", method, op.Path)))
	}
	ctx := context.WithValue(r.Context(), bulkKey{}, data)
	sub, err := http.NewRequestWithContext(ctx, method, r.URL.Path, nil)
	if err != nil {
		return fail(err)
	}
	sub.Header.Set("Content-Type", "application/scim+json")
	if op.Version != "" {
		sub.Header.Set("If-Match", op.Version)
	}
	sub.SetPathValue("tenant", t.ID)
	sub.SetPathValue("id", id)
	rec := httptest.NewRecorder()
	if err := h(rec, sub, t); err != nil {
		return fail(err)
	}
	out.Status = strconv.Itoa(rec.Code)
	out.Version = rec.Header().Get("ETag")
	out.Location = rec.Header().Get("Location")
	if out.Location == "" && id != "" && method != http.MethodDelete {
		out.Location = a.baseURL(t) + "/" + parts[0] + "/" + id
	}
	if method == http.MethodPost && rec.Code == http.StatusCreated {
		var res struct {
			ID string `json:"id"`
		}
		json.Unmarshal(rec.Body.Bytes(), &res)
		created[op.BulkID] = res.ID
	}
	return out
}

func pick(users bool, u, g handler) handler {
	if users {
		return u
	}
	return g
}

// resolveBulkIDs replaces each "bulkId:<id>" in s by the id of the
// resource that bulkId created.
func resolveBulkIDs(s string, created map[string]string) (string, error) {
	const marker = "bulkId:"
	var b strings.Builder
	for {
		i := strings.Index(s, marker)
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+len(marker):]
		end := strings.IndexFunc(rest, func(c rune) bool { return c == '"' || c == '/' || c == '?' || c == ' ' })
		if end < 0 {
			end = len(rest)
		}
		ref := rest[:end]
		id, ok := created[ref]
		if !ok {
			return "", &Error{Status: http.StatusConflict, Detail: "Bad Request: bulkId " + ref + " names no resource created earlier in this request"}
		}
		b.WriteString(id)
		s = rest[end:]
	}
}
