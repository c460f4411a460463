package convert

import (
	"slices"
	"strconv"
	"testing"
)

func TestAll(t *testing.T) {
	if got := All([]int(nil), strconv.Itoa); got != nil {
		t.Errorf("All(nil) = %#v, want nil", got)
	}
	if got := All([]int{}, strconv.Itoa); got == nil || len(got) != 0 {
		t.Errorf("All([]) = %#v, want an empty non-nil slice", got)
	}
	if got := All([]int{3, 1, 2}, strconv.Itoa); !slices.Equal(got, []string{"3", "1", "2"}) {
		t.Errorf("All = %q, want [3 1 2] in order", got)
	}
}
