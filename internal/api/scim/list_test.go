package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fakeUsers is a user source of n users ("seed-user-<i>",
// "seed-user-<i>@example.test"); count reports stored (n when 0), and
// containing answers with every user holding the value unless refuse.
type fakeUsers struct {
	n, stored    int
	refuse       bool
	scans        int
	containingAt []string // "attr value" of each containing call
}

func (f *fakeUsers) user(i int) map[string]any {
	name := fmt.Sprint("seed-user-", i)
	return map[string]any{"schemas": []any{URNUser}, "id": fmt.Sprint("u", i), "userName": name, "active": i%2 == 0,
		"emails": []any{map[string]any{"value": name + "@example.test", "primary": true}}}
}

func (f *fakeUsers) count(context.Context) (int, error) {
	if f.stored > 0 {
		return f.stored, nil
	}
	return f.n, nil
}

func (f *fakeUsers) scan(_ context.Context, after int64, limit int) ([]map[string]any, int64, error) {
	f.scans++
	var out []map[string]any
	i := int(after)
	for ; i < f.n && len(out) < limit; i++ {
		out = append(out, f.user(i))
	}
	return out, int64(i), nil
}

func (f *fakeUsers) key() string { return "Users fake" }

func (f *fakeUsers) skip(_ context.Context, after int64, n int) (int64, int, error) {
	k := min(n, max(f.n-int(after), 0))
	return after + int64(k), k, nil
}

func (f *fakeUsers) lookup(context.Context, string, string) ([]map[string]any, bool, error) {
	return nil, false, nil
}

func (f *fakeUsers) containing(_ context.Context, attr, value string, max int) ([]map[string]any, bool, error) {
	f.containingAt = append(f.containingAt, attr+" "+value)
	if f.refuse {
		return nil, false, nil
	}
	var out []map[string]any
	for i := range f.n {
		u := f.user(i)
		text := u["userName"].(string)
		if attr == "emails.value" {
			text = u["emails"].([]any)[0].(map[string]any)["value"].(string)
		}
		if strings.Contains(strings.ToLower(text), strings.ToLower(value)) {
			out = append(out, u)
		}
	}
	if len(out) > max {
		return nil, false, nil
	}
	return out, true, nil
}

// listed runs filter against src and returns the matched user names.
func listed(t *testing.T, src source, filter string) ([]string, error) {
	t.Helper()
	q, err := parseQuery(userType, filter, "", "", "", "1000", "", "")
	if err != nil {
		t.Fatalf("%s: %v", filter, err)
	}
	resp, err := (&API{}).list(context.Background(), userType, src, q, userIndexed)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range resp["Resources"].([]any) {
		names = append(names, r.(map[string]any)["userName"].(string))
	}
	return names, nil
}

func isTooMany(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.ScimType == "tooMany"
}

// co, sw and ew on userName and emails.value (alone, in an and, or as a
// value path) are answered from the source's substring index; the rest of
// the filter is evaluated on its candidates.
func TestSubstringFiltersUseTheIndex(t *testing.T) {
	for _, tc := range []struct {
		filter, index, want string
	}{
		{`userName co "user-12"`, "userName user-12", "[seed-user-12]"},
		{`userName sw "SEED-USER-3"`, "userName SEED-USER-3", "[seed-user-3]"},
		{`userName ew "r-7"`, "userName r-7", "[seed-user-7]"},
		{`emails.value co "r-5@"`, "emails.value r-5@", "[seed-user-5]"},
		{`emails co "r-5@"`, "emails.value r-5@", "[seed-user-5]"},
		{`emails[value co "r-6@ex"]`, "emails.value r-6@ex", "[seed-user-6]"},
		{`emails[primary eq true and value ew "r-8@example.test"]`, "emails.value r-8@example.test", "[seed-user-8]"},
		{`active eq true and userName co "user-1"`, "userName user-1", "[seed-user-10 seed-user-12]"},
		{`userName co "user-1" and not (userName eq "seed-user-1")`, "userName user-1", "[seed-user-10 seed-user-11 seed-user-12]"},
	} {
		src := &fakeUsers{n: 13}
		got, err := listed(t, src, tc.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if fmt.Sprint(got) != tc.want || fmt.Sprint(src.containingAt) != "["+tc.index+"]" || src.scans != 0 {
			t.Errorf("%s: %v from containing %v and %d scans, want %s from [%s] and none", tc.filter, got, src.containingAt, src.scans, tc.want, tc.index)
		}
	}
	for _, filter := range []string{`userName co "user-1" or active eq true`, `displayName co "seed"`, `not (userName co "user-1")`} {
		src := &fakeUsers{n: 13}
		if _, err := listed(t, src, filter); err != nil || len(src.containingAt) != 0 || src.scans == 0 {
			t.Errorf("%s: %v, containing %v, %d scans; want a scan only", filter, err, src.containingAt, src.scans)
		}
	}
}

// When the index cannot narrow the filter (too many candidates, a value too
// short), a store within maxFilterScanned is scanned and a larger one is
// refused with tooMany before anything is read.
func TestSubstringFilterFallsBackToTheBoundedScan(t *testing.T) {
	small := &fakeUsers{n: 13, refuse: true}
	got, err := listed(t, small, `userName co "user-12"`)
	if err != nil || fmt.Sprint(got) != "[seed-user-12]" || small.scans == 0 {
		t.Fatalf("small store: %v, %v after %d scans", got, err, small.scans)
	}
	large := &fakeUsers{n: 13, stored: maxFilterScanned + 1, refuse: true}
	if _, err := listed(t, large, `userName co "user-12"`); !isTooMany(err) || large.scans != 0 {
		t.Fatalf("large store, index refused: %v after %d scans, want tooMany and none", err, large.scans)
	}
	large = &fakeUsers{n: 13, stored: maxFilterScanned + 1}
	if _, err := listed(t, large, `displayName co "seed"`); !isTooMany(err) || large.scans != 0 {
		t.Fatalf("large store, unindexed filter: %v after %d scans, want tooMany and none", err, large.scans)
	}
	if got, err := listed(t, large, `userName co "user-12"`); err != nil || fmt.Sprint(got) != "[seed-user-12]" {
		t.Fatalf("large store, indexed: %v, %v", got, err)
	}
}
