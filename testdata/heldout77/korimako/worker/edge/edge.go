//go:build js && wasm

// Package edge is the Worker that serves published sites from KV: it resolves
// the live revision, renders pages, applies redirects, handles the contact
// forms and runs the nightly maintenance cron.
package edge

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullValue is what GetString returns for a key that does not exist.
const nullValue = "<null>"

func missing(v string) bool { return v == nullValue }

// Edge holds the KV bindings of the worker.
type Edge struct {
	pages *cloudflare.KVNamespace // PAGES: published documents
	auth  *cloudflare.KVNamespace // AUTH: previews, csrf tokens, flashes
}

// Open binds the namespaces configured in wrangler.toml.
func Open() (*Edge, error) {
	pages, err := cloudflare.NewKVNamespace("PAGES")
	if err != nil {
		return nil, fmt.Errorf("PAGES binding: %w", err)
	}
	auth, err := cloudflare.NewKVNamespace("AUTH")
	if err != nil {
		return nil, fmt.Errorf("AUTH binding: %w", err)
	}
	return &Edge{pages: pages, auth: auth}, nil
}

// writer issues puts and deletes on one namespace and keeps the first error.
type writer struct {
	ns  *cloudflare.KVNamespace
	err error
	n   int
}

func (w *writer) put(key, value string, ttl time.Duration) {
	if w.err != nil {
		return
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := w.ns.PutString(key, value, opts); err != nil {
		w.err = fmt.Errorf("put %s: %w", key, err)
		return
	}
	w.n++
}

func (w *writer) del(key string) {
	if w.err != nil {
		return
	}
	if err := w.ns.Delete(key); err != nil {
		w.err = fmt.Errorf("delete %s: %w", key, err)
		return
	}
	w.n++
}

// endOfDay returns midnight UTC after t.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
