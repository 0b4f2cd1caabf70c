package kvstore

import "time"

// Option is a functional option over any settings struct T.
type Option[T any] func(*T)

// Apply runs opts over a copy of base and returns the result.
func Apply[T any](base T, opts ...Option[T]) T {
	for _, o := range opts {
		if o != nil {
			o(&base)
		}
	}
	return base
}

// PutOptions are the per-write settings a store understands.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption configures a single write.
type PutOption = Option[PutOptions]

// WithTTL expires the key d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpiry expires the key at t.
func WithExpiry(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// WithMetadata attaches listing metadata to the key.
func WithMetadata(m map[string]any) PutOption {
	return func(o *PutOptions) {
		if o.Metadata == nil {
			o.Metadata = make(map[string]any, len(m))
		}
		for k, v := range m {
			o.Metadata[k] = v
		}
	}
}
