package kvstore

import (
	"hash/maphash"
	"math/bits"
)

var shardSeed = maphash.MakeSeed()

// Shard spreads s over n shards. n is rounded up to a power of two internally
// so that the pick is a mask rather than a division; the result is always in
// [0, n). The seed is per process: callers must only use it where any shard
// is an acceptable answer.
func Shard(s string, n int) int {
	if n <= 1 {
		return 0
	}
	width := bits.Len(uint(n - 1))
	h := maphash.String(shardSeed, s)
	idx := int(h & (1<<width - 1))
	if idx >= n {
		idx -= n
	}
	return idx
}
