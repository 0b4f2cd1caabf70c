// Package units has small generic helpers shared by the storage code: number
// conversions for the KV expiration fields and an ordered key/value pair.
package units

import (
	"cmp"
	"maps"
	"slices"
)

// Seconds converts a count of seconds held in any of the numeric types we use
// for configuration into the int the KV options want.
func Seconds[T ~int | ~int64 | ~float64](v T) int {
	return int(v)
}

// Pair is a key with its value, used where an ordered view of a map is needed
// (leaderboards, stable JSON output).
type Pair[K comparable, V any] struct {
	Key   K `json:"k"`
	Value V `json:"v"`
}

// SortedPairs returns the entries of m ordered by key.
func SortedPairs[K cmp.Ordered, V any](m map[K]V) []Pair[K, V] {
	out := make([]Pair[K, V], 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Pair[K, V]{Key: k, Value: m[k]})
	}
	return out
}

// TopN returns up to n pairs with the largest values, largest first. Ties are
// broken by key so the output is deterministic.
func TopN[K cmp.Ordered, V cmp.Ordered](pairs []Pair[K, V], n int) []Pair[K, V] {
	out := slices.Clone(pairs)
	slices.SortFunc(out, func(a, b Pair[K, V]) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
