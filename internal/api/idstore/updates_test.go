package idstore

import (
	"fmt"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
)

func TestSnakePath(t *testing.T) {
	for in, want := range map[string]string{"userName": "user_name", "name.givenName": "name.given_name", "display_name": "display_name",
		"enterprise.manager.value": "enterprise.manager.value", "phoneNumbers": "phone_numbers"} {
		if got := snakePath(in); got != want {
			t.Errorf("snakePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// The operations arrays' bounds and duplicate rule, for both resources.
func TestOperationBounds(t *testing.T) {
	many := make([]attributeOp, 101)
	for i := range many {
		many[i] = attributeOp{AttributePath: fmt.Sprint("p", i)}
	}
	for name, check := range map[string]func([]attributeOp) ([]attributeOp, error){"user": userUpdates, "group": groupUpdates} {
		if _, err := check(nil); !apierr.IIC400_400.Is(err) {
			t.Errorf("%s: no operations: %v", name, err)
		}
		if _, err := check(many); !apierr.IIC400_400.Is(err) {
			t.Errorf("%s: 101 operations: %v", name, err)
		}
	}
	if _, err := userUpdates([]attributeOp{{AttributePath: "name.givenName"}, {AttributePath: "name.given_name"}}); !apierr.IIC1349.Is(err) {
		t.Errorf("user: one path in two spellings: %v", err)
	}
	if _, err := groupUpdates([]attributeOp{{AttributePath: "displayName"}, {AttributePath: "display_name"}}); !apierr.IIC1349.Is(err) {
		t.Errorf("group: one path in two spellings: %v", err)
	}
	if _, err := userUpdates([]attributeOp{{AttributePath: " "}}); !apierr.IIC400_400.Is(err) {
		t.Errorf("user: blank path: %v", err)
	}
}

// An object or list attribute_value is one JSON value: data after it is
// refused, not silently dropped; white space around it is fine.
func TestAttributeValueTrailingData(t *testing.T) {
	str := func(s string) *string { return &s }
	var u identity.UserFields
	err := applyUserUpdates(&u, []attributeOp{{AttributePath: "name", AttributeValue: str(`{"given_name":"A","family_name":"B"} {"given_name":"C"}`)}})
	if !apierr.IIC400_400.Is(err) {
		t.Errorf("name with trailing data: %v", err)
	}
	if err := applyUserUpdates(&u, []attributeOp{{AttributePath: "name", AttributeValue: str("  {\"given_name\":\"A\",\"family_name\":\"B\"}\n")}}); err != nil || u.Profile.Name.FamilyName != "B" {
		t.Errorf("name with white space around it: %v %+v", err, u.Profile.Name)
	}
	var g identity.GroupFields
	if err := applyGroupUpdates(&g, []attributeOp{{AttributePath: "external_ids", AttributeValue: str(`[{"issuer":"a","id":"1"}]x`)}}); !apierr.IIC400_400.Is(err) {
		t.Errorf("external_ids with trailing data: %v", err)
	}
}
