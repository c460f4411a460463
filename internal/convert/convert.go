// Package convert holds the generic slice conversion the domain records and
// the wire forms share.
package convert

// All maps each element of in through f; nil stays nil (and an empty,
// non-nil slice stays empty and non-nil), so that JSON's null and [] survive
// a conversion.
func All[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
