package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/iic-project/iic/internal/apierr"
)

// The committed codes_gen.go is what the generator makes of the committed
// table (go generate ./internal/apierr changes nothing).
func TestGeneratedFileIsCurrent(t *testing.T) {
	tsv, err := os.ReadFile("../error-codes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../codes_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	got, err := generate(bytes.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("codes_gen.go is stale: run go generate ./internal/apierr")
	}
}

func TestRowsNeedAKnownKind(t *testing.T) {
	const header = "surface\thttp_status\terror_code\terror_msg\tdescription\tsolution\tkind\n"
	for name, row := range map[string]string{
		"unknown kind":   "iic\t400\tIIC.9\tm.\td.\ts.\tBogus",
		"empty kind":     "iic\t400\tIIC.9\tm.\td.\ts.\t",
		"no kind column": "iic\t400\tIIC.9\tm.\td.\ts.",
		"lower case":     "iic\t400\tIIC.9\tm.\td.\ts.\tinvalid",
		"extra column":   "iic\t400\tIIC.9\tm.\td.\ts.\tInvalid\tx",
	} {
		if _, err := generate(strings.NewReader(header + row + "\n")); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := generate(strings.NewReader(header + "iic\t400\tIIC.9\tm.\td.\ts.\tInvalid\n")); err != nil {
		t.Errorf("a valid row: %v", err)
	}
}

// The kinds the generator accepts are exactly the apierr.Kind constants'
// names (the generated code refers to them as Kind<name>).
func TestKindsAreApierrKinds(t *testing.T) {
	names := map[string]bool{}
	for k := apierr.Kind(0); !strings.HasPrefix(k.String(), "Kind("); k++ {
		names[k.String()] = true
	}
	if len(names) != len(kinds) {
		t.Errorf("apierr has %d kinds, the generator accepts %d", len(names), len(kinds))
	}
	for k := range kinds {
		if !names[k] {
			t.Errorf("the generator accepts %q, which is no apierr.Kind", k)
		}
	}
}
