package store

import (
	"context"
	"time"
)

// Leases takes its options per call; its adapter converts them with
// LeaseOptions.Seconds, a helper of this package.
type Leases interface {
	Lease(ctx context.Context, key string, v []byte, opts ...LeaseOption) error
}

type LeaseOptions struct {
	TTL time.Duration
}

type LeaseOption func(*LeaseOptions)

func For(d time.Duration) LeaseOption {
	return func(o *LeaseOptions) { o.TTL = d }
}

// Seconds is the lifetime in whole seconds, 0 when none is given.
func (o LeaseOptions) Seconds() int {
	if o.TTL <= 0 {
		return 0
	}
	return int(o.TTL.Seconds())
}

func ApplyLease(opts []LeaseOption) LeaseOptions {
	var o LeaseOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
