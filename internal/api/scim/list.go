package scim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/store"
)

// query is a list or search request (RFC 7644 §3.4.2, §3.4.3).
type query struct {
	filter     Expr
	sortBy     *target
	descending bool
	startIndex int // 1-based
	count      int // 0: totalResults only
	attributes string
	excluded   string
}

// searchBody is POST .search's body.
type searchBody struct {
	Schemas            []string `json:"schemas"`
	Attributes         []string `json:"attributes"`
	ExcludedAttributes []string `json:"excludedAttributes"`
	Filter             string   `json:"filter"`
	SortBy             string   `json:"sortBy"`
	SortOrder          string   `json:"sortOrder"`
	StartIndex         *int     `json:"startIndex"`
	Count              *int     `json:"count"`
}

func parseQuery(rt *resourceType, filter, sortBy, sortOrder, startIndex, count, attributes, excluded string) (query, error) {
	q := query{startIndex: 1, count: defaultCount, attributes: attributes, excluded: excluded}
	if strings.TrimSpace(filter) != "" {
		f, err := ParseFilter(filter)
		if err != nil {
			return q, err
		}
		if err := checkFilter(scope{rt: rt}, f); err != nil {
			return q, err
		}
		q.filter = f
	}
	if sortBy != "" {
		ps, err := newParser(sortBy, "invalidValue")
		if err != nil {
			return q, err
		}
		path, err := ps.path()
		if err != nil || !ps.eof() {
			return q, badRequest("invalidValue", "sortBy must be an attribute path")
		}
		t, err := (scope{rt: rt}).resolve(path)
		if err != nil {
			return q, badRequest("invalidValue", "sortBy names an unknown attribute "+sortBy)
		}
		q.sortBy = &t
	}
	switch strings.ToLower(sortOrder) {
	case "", "ascending":
	case "descending":
		q.descending = true
	default:
		return q, badRequest("invalidValue", "sortOrder must be ascending or descending")
	}
	// RFC 7644 §3.4.2.4: a startIndex below 1 is 1, a negative count 0.
	if startIndex != "" {
		n, err := strconv.Atoi(startIndex)
		if err != nil {
			return q, badRequest("invalidValue", "startIndex must be an integer")
		}
		q.startIndex = max(n, 1)
	}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil {
			return q, badRequest("invalidValue", "count must be an integer")
		}
		q.count = min(max(n, 0), maxResults)
	}
	if _, err := projectionOf(rt, attributes, excluded); err != nil {
		return q, err
	}
	return q, nil
}

func queryFromURL(r *http.Request, rt *resourceType) (query, error) {
	v := r.URL.Query()
	for k, vs := range v {
		if len(vs) > 1 {
			return query{}, badRequest("invalidValue", "the parameter "+k+" is repeated")
		}
	}
	return parseQuery(rt, v.Get("filter"), v.Get("sortBy"), v.Get("sortOrder"), v.Get("startIndex"), v.Get("count"), v.Get("attributes"), v.Get("excludedAttributes"))
}

func queryFromBody(r *http.Request, rt *resourceType) (query, error) {
	m, err := decodeObject(requestBody(r))
	if err != nil {
		return query{}, err
	}
	b, _ := json.Marshal(m)
	var sb searchBody
	if err := json.Unmarshal(b, &sb); err != nil {
		return query{}, badRequest("invalidValue", httpx.DescribeJSONError(err, "attribute"))
	}
	si, c := "", ""
	if sb.StartIndex != nil {
		si = strconv.Itoa(*sb.StartIndex)
	}
	if sb.Count != nil {
		c = strconv.Itoa(*sb.Count)
	}
	return parseQuery(rt, sb.Filter, sb.SortBy, sb.SortOrder, si, c, strings.Join(sb.Attributes, ","), strings.Join(sb.ExcludedAttributes, ","))
}

// source is one resource type's access to the identity store.
type source interface {
	// key names the collection (resource type and store) for page cursors.
	key() string
	count(ctx context.Context) (int, error)
	// skip passes over up to n resources after position after, reading
	// only their positions: it returns the last one's and how many.
	skip(ctx context.Context, after int64, n int) (int64, int, error)
	// scan returns up to limit resources after position after, with the
	// position of the last one.
	scan(ctx context.Context, after int64, limit int) ([]map[string]any, int64, error)
	// lookup answers "attr eq value" from an index: ok is false when attr
	// has none.
	lookup(ctx context.Context, attr string, value string) (res []map[string]any, ok bool, err error)
	// containing answers "attr co value" from an index with every resource
	// whose attr contains value (a superset of sw and ew): ok is false when
	// attr has none, value is too short for it, or more than max resources
	// match.
	containing(ctx context.Context, attr string, value string, max int) (res []map[string]any, ok bool, err error)
}

// indexedTerm finds, in f or in one of the conjuncts of its top-level and,
// an eq comparison that rt's source can answer from an index.
func indexedTerm(f Expr, indexed func(t target) string) (attr string, value string, ok bool) {
	switch x := f.(type) {
	case *Logical:
		if x.Op != "and" {
			return "", "", false
		}
		if a, v, ok := indexedTerm(x.Left, indexed); ok {
			return a, v, ok
		}
		return indexedTerm(x.Right, indexed)
	case *Compare:
		s, isString := x.Value.(string)
		if x.Op != "eq" || !isString {
			return "", "", false
		}
		t, err := (scope{rt: userType}).resolve(x.Path)
		if err != nil {
			t, err = (scope{rt: groupType}).resolve(x.Path)
		}
		if err != nil {
			return "", "", false
		}
		if a := indexed(t); a != "" {
			return a, s, true
		}
	case *ValuePath:
		// emails[value eq "x"] or emails[type eq "work" and value eq "x"]:
		// the value sub-attribute of a multi-valued attribute.
		if s, ok := valueEq(x.Filter); ok {
			t, err := (scope{rt: userType}).resolve(Path{URN: x.Path.URN, Attr: x.Path.Attr, Sub: "value"})
			if err == nil {
				if a := indexed(t); a != "" {
					return a, s, true
				}
			}
		}
	}
	return "", "", false
}

// valueEq finds `value eq "s"` in f or among the conjuncts of its
// top-level and (inside a value path, where it names the sub-attribute).
func valueEq(f Expr) (string, bool) {
	switch x := f.(type) {
	case *Logical:
		if x.Op != "and" {
			return "", false
		}
		if s, ok := valueEq(x.Left); ok {
			return s, ok
		}
		return valueEq(x.Right)
	case *Compare:
		s, isString := x.Value.(string)
		if isString && x.Op == "eq" && x.Path.URN == "" && x.Path.Sub == "" && strings.EqualFold(x.Path.Attr, "value") {
			return s, true
		}
	}
	return "", false
}

// substringTerm finds, in f or in one of the conjuncts of its top-level
// and, a co, sw or ew comparison of an attribute indexed names (a user's
// userName or emails.value), whose matches contain its value.
func substringTerm(f Expr, indexed func(t target) string) (attr string, value string, ok bool) {
	switch x := f.(type) {
	case *Logical:
		if x.Op != "and" {
			return "", "", false
		}
		if a, v, ok := substringTerm(x.Left, indexed); ok {
			return a, v, ok
		}
		return substringTerm(x.Right, indexed)
	case *Compare:
		s, isString := x.Value.(string)
		if x.Op != "co" && x.Op != "sw" && x.Op != "ew" || !isString {
			return "", "", false
		}
		t, err := (scope{rt: userType}).resolve(x.Path)
		if err != nil {
			return "", "", false
		}
		if a := indexed(t); a == "userName" || a == "emails.value" {
			return a, s, true
		}
	case *ValuePath:
		// emails[value co "x"] or emails[type eq "work" and value co "x"]
		if c, ok := valueSubstring(x.Filter); ok {
			return substringTerm(&Compare{Path: Path{URN: x.Path.URN, Attr: x.Path.Attr, Sub: "value"}, Op: c.Op, Value: c.Value}, indexed)
		}
	}
	return "", "", false
}

// valueSubstring finds `value co|sw|ew "s"` in f or among the conjuncts of
// its top-level and (inside a value path).
func valueSubstring(f Expr) (*Compare, bool) {
	switch x := f.(type) {
	case *Logical:
		if x.Op != "and" {
			return nil, false
		}
		if c, ok := valueSubstring(x.Left); ok {
			return c, ok
		}
		return valueSubstring(x.Right)
	case *Compare:
		if (x.Op == "co" || x.Op == "sw" || x.Op == "ew") && x.Path.URN == "" && x.Path.Sub == "" && strings.EqualFold(x.Path.Attr, "value") {
			return x, true
		}
	}
	return nil, false
}

// list answers a query: an indexed eq term narrows the candidates to a few
// rows, and an indexed co/sw/ew term to the resources containing its value
// when at most maxSubstringCandidates do; any other filter scans the store
// in creation order, evaluating the filter on each resource, and refuses
// (400 tooMany) when the store holds more than maxFilterScanned resources;
// without a filter or sort, a page is read directly.
func (a *API) list(ctx context.Context, rt *resourceType, src source, q query, indexed func(target) string) (map[string]any, error) {
	var matched []map[string]any
	total := 0
	switch {
	case q.filter != nil:
		if attr, value, ok := indexedTerm(q.filter, indexed); ok {
			cands, _, err := src.lookup(ctx, attr, value)
			if err != nil {
				return nil, err
			}
			for _, c := range cands {
				if matches(scope{rt: rt}, c, q.filter) {
					matched = append(matched, c)
				}
			}
			break
		}
		if attr, value, ok := substringTerm(q.filter, indexed); ok {
			cands, ok, err := src.containing(ctx, attr, value, maxSubstringCandidates)
			if err != nil {
				return nil, err
			}
			if ok {
				for _, c := range cands {
					if matches(scope{rt: rt}, c, q.filter) {
						matched = append(matched, c)
					}
				}
				break
			}
		}
		var err error
		if matched, err = scanAll(ctx, src, func(m map[string]any) bool { return matches(scope{rt: rt}, m, q.filter) }); err != nil {
			return nil, err
		}
	case q.sortBy != nil:
		var err error
		if matched, err = scanAll(ctx, src, func(map[string]any) bool { return true }); err != nil {
			return nil, err
		}
	default:
		n, err := src.count(ctx)
		if err != nil {
			return nil, err
		}
		page, err := a.pageOf(ctx, src, q.startIndex, q.count)
		if err != nil {
			return nil, err
		}
		return listResponse(rt, q, n, page)
	}
	total = len(matched)
	if q.sortBy != nil {
		sortResources(matched, *q.sortBy, q.descending)
	}
	from := min(q.startIndex-1, len(matched))
	to := min(from+q.count, len(matched))
	return listResponse(rt, q, total, matched[from:to])
}

func listResponse(rt *resourceType, q query, total int, page []map[string]any) (map[string]any, error) {
	proj, err := projectionOf(rt, q.attributes, q.excluded)
	if err != nil {
		return nil, err
	}
	items := make([]any, len(page))
	for i, res := range page {
		items[i] = proj.apply(res)
	}
	return map[string]any{"schemas": []string{URNListResponse}, "totalResults": total, "startIndex": q.startIndex,
		"itemsPerPage": len(items), "Resources": items}, nil
}

// scanAll returns the resources keep accepts; a store holding more than
// maxFilterScanned resources is refused before any is read.
func scanAll(ctx context.Context, src source, keep func(map[string]any) bool) ([]map[string]any, error) {
	n, err := src.count(ctx)
	if err != nil {
		return nil, err
	}
	if n > maxFilterScanned {
		return nil, errTooMany()
	}
	var out []map[string]any
	var after int64
	scanned := 0
	for {
		batch, last, err := src.scan(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, m := range batch {
			if keep(m) {
				out = append(out, m)
			}
		}
		scanned += len(batch)
		if len(batch) < 1000 {
			return out, nil
		}
		if scanned >= maxFilterScanned { // the store grew during the scan
			return nil, errTooMany()
		}
		after = last
	}
}

// errTooMany refuses a filter that would scan more than maxFilterScanned
// resources.
func errTooMany() error {
	return &Error{Status: http.StatusBadRequest, ScimType: "tooMany",
		Detail: apierr.SCIM400.New("the filter cannot use an index (userName, externalId, id, emails.value or displayName eq; userName or emails.value co, sw or ew with at least " +
			strconv.Itoa(store.MinContaining) + " characters, matching at most " + strconv.Itoa(maxSubstringCandidates) + " users) and the store holds more than " +
			strconv.Itoa(maxFilterScanned) + " resources to examine").Message}
}

// pageOf reads the count resources from startIndex on, in creation order.
// A client paging through a collection asks for startIndex = the previous
// startIndex + count: the position where that page ended is remembered
// (a.cursors), so the next page is one indexed read however deep it is;
// any other startIndex skips from the start reading positions only.
func (a *API) pageOf(ctx context.Context, src source, startIndex, count int) ([]map[string]any, error) {
	if count == 0 {
		return nil, nil
	}
	after, skip := int64(0), startIndex-1
	if pos, ok := a.cursors.get(src.key(), startIndex); ok {
		after, skip = pos, 0
	}
	for skip > 0 {
		n := min(skip, 1000)
		last, got, err := src.skip(ctx, after, n)
		if err != nil || got < n {
			return nil, err
		}
		after, skip = last, skip-n
	}
	page, last, err := src.scan(ctx, after, count)
	if err == nil && len(page) == count {
		a.cursors.put(src.key(), startIndex+count, last)
	}
	return page, err
}

// sortResources orders by t's first value (RFC 7644 §3.4.2.3: resources
// without one sort last in ascending order), stably.
func sortResources(list []map[string]any, t target, descending bool) {
	leaf := t.leaf()
	key := func(m map[string]any) (any, bool) {
		vs := t.values(m)
		if len(vs) == 0 || isEmpty(vs[0]) {
			return nil, false
		}
		return vs[0], true
	}
	sort.SliceStable(list, func(i, j int) bool {
		vi, oki := key(list[i])
		vj, okj := key(list[j])
		if !oki || !okj {
			return oki && !okj // resources with a value first, in either order
		}
		if descending {
			return compare(leaf, vi, "gt", vj)
		}
		return compare(leaf, vi, "lt", vj)
	})
}

// userSource reads users.
type userSource struct {
	a *API
	t tenant
}

func (s userSource) key() string { return "Users " + s.t.StoreID }

func (s userSource) skip(ctx context.Context, after int64, n int) (int64, int, error) {
	users, err := s.a.Identity.ScanUsers(ctx, s.t.StoreID, after, n)
	if err != nil || len(users) == 0 {
		return after, 0, err
	}
	return users[len(users)-1].Seq, len(users), nil
}

func (s userSource) count(ctx context.Context) (int, error) {
	return s.a.Identity.CountUsers(ctx, s.t.StoreID)
}

func (s userSource) scan(ctx context.Context, after int64, limit int) ([]map[string]any, int64, error) {
	users, err := s.a.Identity.ScanUsers(ctx, s.t.StoreID, after, limit)
	if err != nil || len(users) == 0 {
		return nil, after, err
	}
	out := make([]map[string]any, len(users))
	for i, u := range users {
		out[i] = s.a.renderUser(s.t, u)
	}
	return out, users[len(users)-1].Seq, nil
}

func (s userSource) lookup(ctx context.Context, attr, value string) ([]map[string]any, bool, error) {
	var u identity.User
	var err error
	switch attr {
	case "id":
		u, err = s.a.Identity.GetUser(ctx, s.t.StoreID, value)
	case "userName":
		u, err = s.a.Identity.FindUser(ctx, s.t.StoreID, identity.UserByName(value))
	case "emails.value":
		u, err = s.a.Identity.FindUser(ctx, s.t.StoreID, identity.UserByEmail(value))
	case "externalId":
		u, err = s.a.Identity.FindUser(ctx, s.t.StoreID, identity.UserByExternalID(store.ExternalID{Issuer: ExternalIDIssuer, ID: value}))
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, ignoreNotFound(err)
	}
	return []map[string]any{s.a.renderUser(s.t, u)}, true, nil
}

func (s userSource) containing(ctx context.Context, attr, value string, max int) ([]map[string]any, bool, error) {
	text := store.UserTextUserName
	switch {
	case attr == "emails.value":
		text = store.UserTextEmail
	case attr != "userName":
		return nil, false, nil
	}
	if utf8.RuneCountInString(value) < store.MinContaining {
		return nil, false, nil
	}
	users, err := s.a.Identity.UsersContaining(ctx, s.t.StoreID, text, value, max)
	if errors.Is(err, store.ErrLimit) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	out := make([]map[string]any, len(users))
	for i, u := range users {
		out[i] = s.a.renderUser(s.t, u)
	}
	return out, true, nil
}

func ignoreNotFound(err error) error {
	if apierr.KindOf(err) == apierr.KindNotFound || apierr.KindOf(err) == apierr.KindInvalid {
		return nil // no such resource: an empty result
	}
	return err
}

// userIndexed names the indexed attribute t is, or "".
func userIndexed(t target) string {
	switch {
	case t.ext != "":
		return ""
	case t.sub == nil && t.attr.Name == "id", t.sub == nil && t.attr.Name == "userName", t.sub == nil && t.attr.Name == "externalId":
		return t.attr.Name
	case t.attr.Name == "emails" && (t.sub == nil || t.sub.Name == "value"):
		return "emails.value"
	}
	return ""
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, t tenant) error {
	q, err := queryFromURL(r, userType)
	if err != nil {
		return err
	}
	return a.answerList(w, r, userType, userSource{a, t}, q, userIndexed)
}

func (a *API) searchUsers(w http.ResponseWriter, r *http.Request, t tenant) error {
	q, err := queryFromBody(r, userType)
	if err != nil {
		return err
	}
	return a.answerList(w, r, userType, userSource{a, t}, q, userIndexed)
}

func (a *API) answerList(w http.ResponseWriter, r *http.Request, rt *resourceType, src source, q query, indexed func(target) string) error {
	resp, err := a.list(r.Context(), rt, src, q, indexed)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sdkShape(r, rt, resp))
	return nil
}

// sdkShape adapts a ListResponse for the Huawei SDK, whose models declare
// some of its integers as strings (as Huawei's own service sends them) and
// fail to decode RFC 7644's integers there: ListUsers' startIndex and
// itemsPerPage, ListGroups' startIndex. For a request with the SDK's
// User-Agent those are sent as strings; every other client gets the RFC's
// integers.
func sdkShape(r *http.Request, rt *resourceType, resp map[string]any) map[string]any {
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "huaweicloud-usdk-go/") {
		return resp
	}
	keys := []string{"startIndex"}
	if rt == userType {
		keys = append(keys, "itemsPerPage")
	}
	for _, k := range keys {
		if n, ok := resp[k].(int); ok {
			resp[k] = strconv.Itoa(n)
		}
	}
	return resp
}

// groupSource reads groups; members are read only when withMembers.
type groupSource struct {
	a           *API
	t           tenant
	withMembers bool
}

func (s groupSource) render(ctx context.Context, g store.Group) (map[string]any, error) {
	var members []string
	if s.withMembers {
		var err error
		if members, err = s.a.Identity.GroupMemberIDs(ctx, s.t.StoreID, g.ID); err != nil {
			return nil, err
		}
		if members == nil {
			members = []string{}
		}
	}
	return toGeneric(s.a.groupWire(s.t, g, members)), nil
}

func (s groupSource) count(ctx context.Context) (int, error) {
	return s.a.Identity.CountGroups(ctx, s.t.StoreID)
}

func (s groupSource) key() string { return "Groups " + s.t.StoreID }

func (s groupSource) skip(ctx context.Context, after int64, n int) (int64, int, error) {
	groups, err := s.a.Identity.ScanGroups(ctx, s.t.StoreID, after, n)
	if err != nil || len(groups) == 0 {
		return after, 0, err
	}
	return groups[len(groups)-1].Seq, len(groups), nil
}

func (s groupSource) scan(ctx context.Context, after int64, limit int) ([]map[string]any, int64, error) {
	groups, err := s.a.Identity.ScanGroups(ctx, s.t.StoreID, after, limit)
	if err != nil || len(groups) == 0 {
		return nil, after, err
	}
	out := make([]map[string]any, len(groups))
	for i, g := range groups {
		if out[i], err = s.render(ctx, g); err != nil {
			return nil, 0, err
		}
	}
	return out, groups[len(groups)-1].Seq, nil
}

func (s groupSource) lookup(ctx context.Context, attr, value string) ([]map[string]any, bool, error) {
	var id string
	var err error
	switch attr {
	case "id":
		id = value
	case "displayName":
		id, err = s.a.Identity.GetGroupID(ctx, s.t.StoreID, identity.GroupByDisplayName(value))
	case "externalId":
		id, err = s.a.Identity.GetGroupID(ctx, s.t.StoreID, identity.GroupByExternalID(store.ExternalID{Issuer: ExternalIDIssuer, ID: value}))
	default:
		return nil, false, nil
	}
	if err != nil || id == "" {
		return nil, true, ignoreNotFound(err)
	}
	g, err := s.a.Identity.GetGroup(ctx, s.t.StoreID, id)
	if err != nil {
		return nil, true, ignoreNotFound(err)
	}
	m, err := s.render(ctx, g)
	if err != nil {
		return nil, true, err
	}
	return []map[string]any{m}, true, nil
}

func (s groupSource) containing(context.Context, string, string, int) ([]map[string]any, bool, error) {
	return nil, false, nil // groups' display names have no substring index
}

func groupIndexed(t target) string {
	if t.sub != nil || t.ext != "" {
		return ""
	}
	switch t.attr.Name {
	case "id", "displayName", "externalId":
		return t.attr.Name
	}
	return ""
}

// mentionsMembers reports whether the query needs each group's members:
// its filter or sort names them, or its projection returns them.
func mentionsMembers(q query) bool {
	if q.filter != nil && strings.Contains(strings.ToLower(q.filter.String()), "members") {
		return true
	}
	if q.sortBy != nil && q.sortBy.attr.Name == "members" {
		return true
	}
	p, err := projectionOf(groupType, q.attributes, q.excluded)
	if err != nil {
		return true
	}
	a, _ := findAttr(groupSchema.Attributes, "members")
	_, keep := p.value("", a, []any{})
	return keep
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, t tenant) error {
	q, err := queryFromURL(r, groupType)
	if err != nil {
		return err
	}
	return a.answerList(w, r, groupType, groupSource{a, t, mentionsMembers(q)}, q, groupIndexed)
}

func (a *API) searchGroups(w http.ResponseWriter, r *http.Request, t tenant) error {
	q, err := queryFromBody(r, groupType)
	if err != nil {
		return err
	}
	return a.answerList(w, r, groupType, groupSource{a, t, mentionsMembers(q)}, q, groupIndexed)
}

// searchRoot is POST /.search across resource types (RFC 7644 §3.4.3): the
// users then the groups that match, paged together.
func (a *API) searchRoot(w http.ResponseWriter, r *http.Request, t tenant) error {
	qu, errU := queryFromBody(r, userType)
	qg, errG := queryFromBody(r, groupType)
	if errU != nil && errG != nil {
		return errU
	}
	var all []map[string]any
	for _, part := range []struct {
		q   query
		err error
		rt  *resourceType
		src source
		idx func(target) string
	}{{qu, errU, userType, userSource{a, t}, userIndexed}, {qg, errG, groupType, groupSource{a, t, mentionsMembers(qg)}, groupIndexed}} {
		if part.err != nil {
			continue // the filter names attributes this type does not have
		}
		q := part.q
		q.startIndex, q.count = 1, maxResults
		q.attributes, q.excluded = "", ""
		resp, err := a.list(r.Context(), part.rt, part.src, q, part.idx)
		if err != nil {
			return err
		}
		for _, it := range resp["Resources"].([]any) {
			all = append(all, it.(map[string]any))
		}
	}
	q := qu
	if errU != nil {
		q = qg
	}
	from := min(q.startIndex-1, len(all))
	to := min(from+q.count, len(all))
	items := make([]any, 0, to-from)
	for _, res := range all[from:to] {
		rt := userType
		if meta, ok := res["meta"].(map[string]any); ok && meta["resourceType"] == "Group" {
			rt = groupType
		}
		proj, err := projectionOf(rt, q.attributes, q.excluded)
		if err != nil {
			return err
		}
		items = append(items, proj.apply(res))
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{URNListResponse}, "totalResults": len(all), "startIndex": q.startIndex,
		"itemsPerPage": len(items), "Resources": items})
	return nil
}
