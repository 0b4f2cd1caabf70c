// Package spans bounds durations; it does not use KV.
package spans

import "time"

// Clamp bounds d to [lo, hi].
func Clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
