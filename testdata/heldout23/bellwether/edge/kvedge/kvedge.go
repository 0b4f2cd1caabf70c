//go:build js && wasm

// Package kvedge wraps the Worker's KV binding for the edge handlers.
package kvedge

import (
	"time"

	"github.com/syumai/workers/cloudflare"
)

// null is how a missing key comes back through GetString: the JS null
// rendered as a Go string.
const null = "<null>"

// Namespace is a KV binding.
type Namespace struct {
	ns *cloudflare.KVNamespace
}

// Open binds the namespace named in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Namespace{ns: ns}, nil
}

// Raw exposes the binding for handlers that need options this wrapper does
// not cover.
func (n *Namespace) Raw() *cloudflare.KVNamespace { return n.ns }

// Text returns the value stored under key as the binding reports it.
func (n *Namespace) Text(key string) (string, error) {
	return n.ns.GetString(key, nil)
}

// Lookup returns the value under key, with ok false when it does not exist.
// cacheFor asks the edge to cache the read; it is raised to the platform
// minimum.
func (n *Namespace) Lookup(key string, cacheFor time.Duration) (string, bool, error) {
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheFor > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: max(int(cacheFor/time.Second), 30)}
	}
	v, err := n.ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// Put stores value under key for ttl, never less than a minute.
func (n *Namespace) Put(key, value string, ttl time.Duration) error {
	secs := int(ttl / time.Second)
	if secs < 60 {
		secs = 60
	}
	return n.ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: secs})
}

// Page lists one page of keys under prefix.
func (n *Namespace) Page(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	return n.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
}

// Delete removes key.
func (n *Namespace) Delete(key string) error {
	return n.ns.Delete(key)
}
