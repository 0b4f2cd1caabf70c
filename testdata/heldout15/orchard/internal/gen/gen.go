// Package gen holds small generic helpers shared by the service.
package gen

import (
	"cmp"
	"maps"
	"math"
	"slices"
)

// Seconds normalises a numeric TTL to whole seconds for the API, rounding
// fractional values up so a TTL is never shortened.
func Seconds[T ~int | ~int64 | ~float64](v T) int {
	return int(math.Ceil(float64(v)))
}

// Pair is a key with its value.
type Pair[K, V any] struct {
	Key K
	Val V
}

// SortedPairs returns the entries of m ordered by key.
func SortedPairs[K cmp.Ordered, V any](m map[K]V) []Pair[K, V] {
	out := make([]Pair[K, V], 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Pair[K, V]{Key: k, Val: m[k]})
	}
	return out
}

// TopN returns the n pairs with the largest values, largest first.
func TopN[K cmp.Ordered, V cmp.Ordered](m map[K]V, n int) []Pair[K, V] {
	ps := SortedPairs(m)
	slices.SortStableFunc(ps, func(a, b Pair[K, V]) int { return cmp.Compare(b.Val, a.Val) })
	if len(ps) > n {
		ps = ps[:n]
	}
	return ps
}
