package kvstore

import "time"

// PutOption adjusts a single write.
type PutOption func(*putOptions)

type putOptions struct {
	ttl       time.Duration
	expiresAt int64
	metadata  any
}

// TTL expires the key d after the write.
func TTL(d time.Duration) PutOption {
	return func(o *putOptions) { o.ttl = d }
}

// ExpiresAt expires the key at an absolute time given in Unix seconds.
func ExpiresAt(unix int64) PutOption {
	return func(o *putOptions) { o.expiresAt = unix }
}

// WithMetadata attaches a JSON-serialisable metadata object to the key.
func WithMetadata(m any) PutOption {
	return func(o *putOptions) { o.metadata = m }
}

func collect(opts []PutOption) putOptions {
	var o putOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// Expiry reports the TTL and absolute expiry carried by opts. Test doubles and
// the in-memory store use it to honour expirations.
func Expiry(opts ...PutOption) (ttl time.Duration, expiresAt int64) {
	o := collect(opts)
	return o.ttl, o.expiresAt
}
