//go:build js && wasm

package kvbind

import (
	"encoding/json"
	"fmt"
	"time"
)

// Bucket is a view of the namespace bound to one key prefix and one default
// lifetime. Services hold buckets rather than the client.
type Bucket struct {
	c      *Client
	name   string
	prefix string
	ttl    time.Duration
}

// BucketOption configures a Bucket.
type BucketOption func(*Bucket)

// WithTTL sets the lifetime used when a write does not give one.
func WithTTL(d time.Duration) BucketOption {
	return func(b *Bucket) { b.ttl = d }
}

// WithPrefix replaces the default "<name>:" prefix.
func WithPrefix(p string) BucketOption {
	return func(b *Bucket) { b.prefix = p }
}

// Bucket returns a handle for name, prefixed "<name>:" unless overridden.
func (c *Client) Bucket(name string, opts ...BucketOption) *Bucket {
	b := &Bucket{c: c, name: name, prefix: name + ":"}
	for _, opt := range opts {
		opt(b)
	}
	return b
}

// Key is the full key for id.
func (b *Bucket) Key(id string) string { return b.prefix + id }

func (b *Bucket) opts(ttl time.Duration) *PutOpts {
	if ttl == 0 {
		ttl = b.ttl
	}
	if ttl == 0 {
		return nil
	}
	return &PutOpts{TTL: ttl}
}

// Get returns the value for id and whether it exists.
func (b *Bucket) Get(id string) (string, bool, error) {
	return b.c.Lookup(b.Key(id))
}

// Put writes v with the bucket's lifetime.
func (b *Bucket) Put(id, v string) error {
	return b.c.Put(b.Key(id), v, b.opts(0))
}

// PutFor writes v with an explicit lifetime.
func (b *Bucket) PutFor(id, v string, ttl time.Duration) error {
	return b.c.Put(b.Key(id), v, b.opts(ttl))
}

// Delete removes id.
func (b *Bucket) Delete(id string) error {
	return b.c.Delete(b.Key(id))
}

// GetJSON decodes the value for id into out. It reports false when the key
// does not exist.
func (b *Bucket) GetJSON(id string, out any) (bool, error) {
	v, ok, err := b.Get(id)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(v), out); err != nil {
		return false, fmt.Errorf("%s/%s: %w", b.name, id, err)
	}
	return true, nil
}

// PutJSON encodes v and writes it with the bucket's lifetime.
func (b *Bucket) PutJSON(id string, v any) error {
	return b.PutJSONFor(id, v, 0)
}

// PutJSONFor encodes v and writes it with ttl.
func (b *Bucket) PutJSONFor(id string, v any, ttl time.Duration) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.PutFor(id, string(body), ttl)
}
