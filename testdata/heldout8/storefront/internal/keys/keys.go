// Package keys centralises KV key layouts shared by more than one package.
package keys

import "strings"

const (
	ProductPrefix   = "catalog:product:"
	CatalogVersion  = "catalog:version"
	CatalogSize     = "catalog:size"
	CategoryRoot    = "."
	CategoryTree    = "catalog:tree"
	PublishedAt     = "catalog:published_at"
	ReindexLock     = "jobs:reindex:lock"
	ReindexProgress = "jobs:reindex:progress"
	ReindexLastRun  = "jobs:reindex:last_run"
	LatestOrder     = "orders:latest"
	LastSeenSKU     = "storefront:last_seen_sku"
	EdgeHeartbeat   = "edge:heartbeat"
	SearchDocPrefix = "search:doc:"
	CheckoutPrefix  = "checkout:"
)

// Builder joins key segments with ':' so call sites never hand-roll separators.
type Builder struct {
	parts []string
}

// New starts a key under the given namespace segment.
func New(ns string) Builder { return Builder{parts: []string{ns}} }

// With appends segments.
func (b Builder) With(seg ...string) Builder {
	out := make([]string, 0, len(b.parts)+len(seg))
	out = append(out, b.parts...)
	out = append(out, seg...)
	return Builder{parts: out}
}

// String renders the key.
func (b Builder) String() string { return strings.Join(b.parts, ":") }
