package store

import (
	"context"
	"time"
)

// Cache takes its write options per call; the adapter applies them.
type Cache interface {
	Put(ctx context.Context, key string, v []byte, opts ...PutOption) error
}

type PutOptions struct {
	TTL time.Duration
}

type PutOption func(*PutOptions)

// WithTTL sets the lifetime of one write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// Apply collects the options of one call.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Writer takes its options as a struct; the adapter sends a lifetime only
// when one is given.
type Writer interface {
	Write(ctx context.Context, key string, v []byte, opts WriteOptions) error
}

// WriteOptions: a TTL wins over ExpireAt; neither means no expiry.
type WriteOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// Archiver's adapter turns its options into the SDK's parameters in a
// helper of its own.
type Archiver interface {
	Archive(ctx context.Context, key string, v []byte, opts ArchiveOptions) error
}

type ArchiveOptions struct {
	Keep  time.Duration
	Until time.Time
}
