//go:build js && wasm

// Package edge is the Worker that answers buyer traffic at the edge: listing
// pages, autocomplete, view counts, carts and the hourly category snapshot.
package edge

import (
	"strings"

	"github.com/syumai/workers/cloudflare"
)

// nullText is how syscall/js renders a JavaScript null as a Go string.
const nullText = "<null>"

// getText reads a text value and reports whether the key existed.
func getText(ns *cloudflare.KVNamespace, key string, cacheTTL int) (string, bool, error) {
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheTTL > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: max(cacheTTL, 30)}
	}
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}

// listingKey mirrors the backend's tuple key for a listing document.
func listingKey(id string) string {
	return "slisting!sdoc!i" + strings.Repeat("0", 16-len(id)) + id
}

// Bindings are the KV namespaces the Worker is bound to.
type Bindings struct {
	Main  *cloudflare.KVNamespace
	Cache *cloudflare.KVNamespace
	Carts *cloudflare.KVNamespace
}

// Open resolves the bindings from the Worker environment.
func Open() (*Bindings, error) {
	main, err := cloudflare.NewKVNamespace("KOTUKU")
	if err != nil {
		return nil, err
	}
	cache, err := cloudflare.NewKVNamespace("EDGE_CACHE")
	if err != nil {
		return nil, err
	}
	carts, err := cloudflare.NewKVNamespace("CARTS")
	if err != nil {
		return nil, err
	}
	return &Bindings{Main: main, Cache: cache, Carts: carts}, nil
}
