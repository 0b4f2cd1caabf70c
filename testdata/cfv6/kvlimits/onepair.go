package kvlimits

import (
	"context"
	"time"

	"kvlint.test/cfv6/defaultopts"
)

// A value written through an adapter that sends it as a one-pair bulk
// write: its bytes are the value's size, not a count of pairs.
func publishFilter(ctx context.Context, ns *defaultopts.Namespace) error {
	filter := make([]byte, 32<<20)
	return ns.Put(ctx, "bloom:suppressed", filter, &defaultopts.WriteOptions{TTL: new(24 * time.Hour)}) // want `this value is 33554432 bytes, but KV values are at most 25 MiB`
}

// Quiet: a small value the same way.
func publishSmallFilter(ctx context.Context, ns *defaultopts.Namespace) error {
	filter := make([]byte, 20000)
	return ns.Put(ctx, "bloom:recent", filter, &defaultopts.WriteOptions{TTL: new(24 * time.Hour)})
}
