package storage

import "time"

// PutOptions are the per-write settings understood by every adapter.
type PutOptions struct {
	TTL      time.Duration // relative expiry; zero means never
	ExpireAt int64         // absolute expiry, Unix seconds; ignored when TTL is set
	Metadata any           // stored beside the value, returned by List
}

// PutOption mutates PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the key d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpireAt expires the key at the given Unix time (seconds).
func WithExpireAt(unix int64) PutOption { return func(o *PutOptions) { o.ExpireAt = unix } }

// WithMetadata attaches metadata to the key.
func WithMetadata(m any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// ApplyPut applies opts to zero options.
func ApplyPut(opts ...PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// ListOption sets the page size of one List call.
type ListOption func(*int)

// WithLimit sets the page size.
func WithLimit(n int) ListOption { return func(l *int) { *l = n } }

// PageSize returns the limit after opts, defaulting to 1000.
func PageSize(opts ...ListOption) int {
	n := 1000
	for _, opt := range opts {
		opt(&n)
	}
	return n
}
