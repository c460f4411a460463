package apierr

import (
	"errors"
	"fmt"
	"testing"
)

// The rules the kind column follows. The status alone does not decide a
// kind (Huawei answers many a missing resource with 400 and a quota with
// 400 too), but some statuses leave no choice, and some kinds only appear
// with a few statuses.
func TestKindColumnRules(t *testing.T) {
	allowed := map[Kind][]int{
		KindNotFound:           {400, 403, 404},
		KindConflict:           {400, 409},
		KindLimit:              {400},
		KindFailedPrecondition: {400, 403, 404, 409, 424},
		KindUnauthenticated:    {400, 401, 403, 404},
		KindForbidden:          {403, 404, 423},
	}
	// 404 rows that are not NotFound: Huawei's 404 for a repeated attribute
	// path, for bad parameters, a rejected device authorization, a state
	// check and a failed sign-in.
	not404 := map[string]Kind{
		"IIC.1349": KindInvalid, "IIC.1002": KindInvalid, "IIC.400": KindInvalid, "IIC.1606": KindInvalid,
		"IIC.1613": KindForbidden, "IIC.1000": KindForbidden, "IIC.1225": KindFailedPrecondition, "IIC.1319": KindUnauthenticated,
	}
	for _, d := range All {
		name := fmt.Sprintf("%s/%d", d.Code, d.Status)
		if d.Kind.String() == fmt.Sprintf("Kind(%d)", d.Kind) {
			t.Errorf("%s: kind %d has no name", name, d.Kind)
		}
		switch d.Status {
		case 401:
			if d.Kind != KindUnauthenticated {
				t.Errorf("%s: a 401 row must be Unauthenticated, is %v", name, d.Kind)
			}
		case 500:
			if d.Kind != KindInternal {
				t.Errorf("%s: a 500 row must be Internal, is %v", name, d.Kind)
			}
		case 404:
			want, ok := not404[d.Code]
			if !ok {
				want = KindNotFound
			}
			if d.Kind != want {
				t.Errorf("%s: kind %v, want %v", name, d.Kind, want)
			}
		}
		if st, ok := allowed[d.Kind]; ok && !contains(st, d.Status) {
			t.Errorf("%s: kind %v with status %d (allowed: %v)", name, d.Kind, d.Status, st)
		}
	}
	// Spot checks of rows whose kind a surface relies on.
	for def, want := range map[*Def]Kind{
		&IIC1310: KindConflict, &IIC1321: KindConflict, &IIC1341: KindConflict, &IIC1311: KindLimit, &IIC1351: KindLimit,
		&IIC1312: KindNotFound, &IIC1343: KindNotFound, &IIC1306: KindFailedPrecondition, &IIC1317: KindFailedPrecondition,
		&IIC400_400: KindInvalid, &IIC1260: KindInternal, &IIC1000_403: KindForbidden,
	} {
		if def.Kind != want {
			t.Errorf("%s: kind %v, want %v", def.Code, def.Kind, want)
		}
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestErrorDetails(t *testing.T) {
	e := IIC1310.New().WithKey("user_name").About("user", "alice")
	if e.Key() != "user_name" || e.Kind() != KindConflict {
		t.Fatalf("key %q kind %v", e.Key(), e.Kind())
	}
	if typ, id := e.Resource(); typ != "user" || id != "alice" {
		t.Fatalf("resource %q %q", typ, id)
	}
	wrapped := fmt.Errorf("creating: %w", e)
	if KindOf(wrapped) != KindConflict || !IIC1310.Is(wrapped) {
		t.Fatalf("KindOf(wrapped) = %v", KindOf(wrapped))
	}
	if KindOf(errors.New("disk on fire")) != KindInternal || KindOf(nil) != KindInternal {
		t.Fatal("a plain error must be Internal")
	}
	if e.Error() != "IIC.1310: "+IIC1310.Msg {
		t.Fatalf("Error() = %q: details must not change the message", e.Error())
	}
}
