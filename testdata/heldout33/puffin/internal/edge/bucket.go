//go:build js && wasm

// Package edge wraps the Workers KV binding for the check-in Worker. Keys are
// passed as fmt.Stringer so callers hand in the typed keys of package keys.
package edge

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/confhub/puffin/internal/keys"
)

// jsNull is how syscall/js renders a JS null, which is what the binding
// returns for a missing key.
const jsNull = "<null>"

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// Bucket is one KV namespace bound to the Worker. The binding is resolved
// from the request's environment on use, so a Bucket can be built in main and
// captured by handlers before the first request arrives.
type Bucket struct {
	binding string
}

// Bind returns the bucket for the namespace declared under binding in
// wrangler.toml.
func Bind(binding string) *Bucket {
	return &Bucket{binding: binding}
}

// Namespace resolves the binding. A missing binding is a deployment error and
// panics, which the runtime reports as a 500.
func (b *Bucket) Namespace() *kv.Namespace {
	ns, err := cloudflare.NewKVNamespace(b.binding)
	if err != nil {
		panic(fmt.Sprintf("edge: bind %s: %v", b.binding, err))
	}
	return ns
}

// Get returns the value under k and whether the key exists.
func (b *Bucket) Get(k fmt.Stringer) (string, bool, error) {
	v, err := b.Namespace().GetString(k.String(), nil)
	if err != nil {
		return "", false, fmt.Errorf("%s get %s: %w", b.binding, k, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache TTL, for write-rarely values.
func (b *Bucket) GetCached(k fmt.Stringer, cache time.Duration) (string, bool, error) {
	v, err := b.Namespace().GetString(k.String(), &kv.GetOptions{CacheTTL: int(cache.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("%s get %s: %w", b.binding, k, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes v under k. A zero ttl keeps the value until it is overwritten.
func (b *Bucket) Put(k fmt.Stringer, v string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := b.Namespace().PutString(k.String(), v, opts); err != nil {
		return fmt.Errorf("%s put %s: %w", b.binding, k, err)
	}
	return nil
}

// Remember writes v under k for at least a minute, the shortest lifetime KV
// supports, or for ttl if that is longer.
func (b *Bucket) Remember(k fmt.Stringer, v string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return b.Put(k, v, ttl)
}

// Delete removes k.
func (b *Bucket) Delete(k fmt.Stringer) error {
	if err := b.Namespace().Delete(k.String()); err != nil {
		return fmt.Errorf("%s delete %s: %w", b.binding, k, err)
	}
	return nil
}

// ListPage returns one page of keys below scope.
func (b *Bucket) ListPage(scope keys.ScopeKey, cursor string, limit int) (*kv.ListResult, error) {
	res, err := b.Namespace().List(&kv.ListOptions{Prefix: scope.Prefix(), Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("%s list %s: %w", b.binding, scope, err)
	}
	return res, nil
}
