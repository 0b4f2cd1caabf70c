//go:build js && wasm

// Package kvbind wraps the Worker's KV binding for the edge packages.
//
// A Bucket is the binding plus a key prefix; Scope narrows it:
//
//	sessions := root.Scope("sess")
//	sessions.Put(id, body, 30*24*time.Hour)
package kvbind

import (
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullString is what the runtime hands back for a missing key: the JS null
// rendered as a Go string.
const nullString = "<null>"

// Bucket is a view of a KV binding restricted to keys under a prefix.
type Bucket struct {
	ns     *cloudflare.KVNamespace
	prefix string
}

// Open returns the root bucket of the binding called name.
func Open(name string) (Bucket, error) {
	ns, err := cloudflare.NewKVNamespace(name)
	if err != nil {
		return Bucket{}, fmt.Errorf("kvbind: %w", err)
	}
	return Bucket{ns: ns}, nil
}

// Namespace returns the underlying binding.
func (b Bucket) Namespace() *cloudflare.KVNamespace { return b.ns }

// Scope returns a narrower bucket; each part becomes one key segment.
func (b Bucket) Scope(parts ...string) Bucket {
	for _, p := range parts {
		b.prefix += p + ":"
	}
	return b
}

// Key returns the full key of name.
func (b Bucket) Key(name string) string { return b.prefix + name }

// Prefix returns the bucket's prefix.
func (b Bucket) Prefix() string { return b.prefix }

// Get returns the value of name and whether it exists.
func (b Bucket) Get(name string) (string, bool, error) {
	v, err := b.ns.GetString(b.Key(name), nil)
	if err != nil {
		return "", false, err
	}
	if v == nullString {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime for hot, rarely written keys.
func (b Bucket) GetCached(name string, cacheTTL time.Duration) (string, bool, error) {
	v, err := b.ns.GetString(b.Key(name), &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, err
	}
	if v == nullString {
		return "", false, nil
	}
	return v, true, nil
}

// Raw returns the value of name as the runtime reports it.
func (b Bucket) Raw(name string) (string, error) {
	return b.ns.GetString(b.Key(name), nil)
}

// Put stores value under name for ttl; zero keeps it until overwritten.
func (b Bucket) Put(name, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return b.ns.PutString(b.Key(name), value, opts)
}

// Delete removes name.
func (b Bucket) Delete(name string) error {
	return b.ns.Delete(b.Key(name))
}

// Page returns one page of names under the bucket and the cursor of the
// next page ("" at the end).
func (b Bucket) Page(cursor string, limit int) ([]string, string, error) {
	res, err := b.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: b.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = strings.TrimPrefix(k.Name, b.prefix)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}
