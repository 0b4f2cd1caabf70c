//go:build js && wasm

// Package kvstore wraps the Worker's KV binding (syumai/workers) in bucket
// handles that bind a key prefix and a default lifetime.
package kvstore

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Binding is the name of the KV binding in wrangler.toml.
const Binding = "HERON_KV"

// Missing is what GetString returns for an absent key: syscall/js renders
// a JavaScript null as "<null>".
const Missing = "<null>"

// Store is one KV binding.
type Store struct {
	ns *kv.Namespace
}

// Open binds the namespace named binding.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Store{ns: ns}, nil
}

// Default opens Binding once per isolate.
var Default = sync.OnceValues(func() (*Store, error) { return Open(Binding) })

// Namespace returns the underlying binding for code that needs the SDK.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// BucketOption configures a Bucket.
type BucketOption func(*Bucket)

// WithLifetime sets the default lifetime of values put into the bucket.
func WithLifetime(d time.Duration) BucketOption { return func(b *Bucket) { b.life = d } }

// WithCacheTTL sets how long edge locations may cache reads.
func WithCacheTTL(d time.Duration) BucketOption {
	return func(b *Bucket) { b.cacheTTL = int(d / time.Second) }
}

// Bucket returns a handle whose keys are prefixed with name and ":".
func (s *Store) Bucket(name string, opts ...BucketOption) *Bucket {
	b := &Bucket{ns: s.ns, prefix: name + ":"}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Root returns a handle without a prefix, for keys built by package keys.
func (s *Store) Root(opts ...BucketOption) *Bucket {
	b := &Bucket{ns: s.ns}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Bucket is a prefix of the namespace with a default lifetime.
type Bucket struct {
	ns       *kv.Namespace
	prefix   string
	life     time.Duration
	cacheTTL int
}

// PutOpts are per-write settings. A nil *PutOpts uses the bucket defaults.
type PutOpts struct {
	TTL time.Duration
}

func (o *PutOpts) ttl(def time.Duration) time.Duration {
	if o == nil || o.TTL == 0 {
		return def
	}
	return o.TTL
}

func (b *Bucket) key(k string) string { return b.prefix + k }

func (b *Bucket) getOpts() *kv.GetOptions {
	if b.cacheTTL == 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: b.cacheTTL}
}

func (b *Bucket) putOpts(o *PutOpts) *kv.PutOptions {
	opts := &kv.PutOptions{}
	if ttl := o.ttl(b.life); ttl > 0 {
		opts.ExpirationTTL = int(ttl / time.Second)
	}
	return opts
}

// Get returns the value of k and whether it exists.
func (b *Bucket) Get(k string) (string, bool, error) {
	v, err := b.ns.GetString(b.key(k), b.getOpts())
	if err != nil {
		return "", false, err
	}
	if v == Missing {
		return "", false, nil
	}
	return v, true, nil
}

// Raw returns GetString's result unchanged.
func (b *Bucket) Raw(k string) (string, error) {
	return b.ns.GetString(b.key(k), b.getOpts())
}

// Put writes v under k.
func (b *Bucket) Put(k, v string, o *PutOpts) error {
	return b.ns.PutString(b.key(k), v, b.putOpts(o))
}

// PutFor writes v under k for ttl, raised to KV's one-minute minimum.
func (b *Bucket) PutFor(k, v string, ttl time.Duration) error {
	ttl = max(ttl, time.Minute)
	return b.ns.PutString(b.key(k), v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Delete removes k.
func (b *Bucket) Delete(k string) error {
	return b.ns.Delete(b.key(k))
}

// Stream returns a reader over the value of k.
func (b *Bucket) Stream(k string) (io.Reader, error) {
	return b.ns.GetReader(b.key(k), b.getOpts())
}

// PutStream writes the contents of r under k.
func (b *Bucket) PutStream(k string, r io.Reader, o *PutOpts) error {
	return b.ns.PutReader(b.key(k), r, b.putOpts(o))
}

// Page lists one page of keys (without the bucket prefix).
func (b *Bucket) Page(cursor string, limit int) (names []string, next string, done bool, err error) {
	res, err := b.ns.List(&kv.ListOptions{Prefix: b.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", false, err
	}
	names = make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name[len(b.prefix):]
	}
	return names, res.Cursor, res.ListComplete, nil
}
