//go:build js && wasm

// Package edge holds the Worker's helpers shared by the fetch handler, the
// cron trigger and the audit queue consumer.
package edge

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// jsNull is what GetString returns for a missing key.
const jsNull = "<null>"

// ErrMissing is returned by the helpers for a key that does not exist.
var ErrMissing = errors.New("edge: key not found")

// Namespaces are the KV bindings of the Worker.
type Namespaces struct {
	Sessions *kv.Namespace // SESSIONS
	Config   *kv.Namespace // CONFIG
	Audit    *kv.Namespace // AUDIT
}

// Bind resolves the KV bindings for the current request.
func Bind() (*Namespaces, error) {
	s, err := cloudflare.NewKVNamespace("SESSIONS")
	if err != nil {
		return nil, err
	}
	c, err := cloudflare.NewKVNamespace("CONFIG")
	if err != nil {
		return nil, err
	}
	a, err := cloudflare.NewKVNamespace("AUDIT")
	if err != nil {
		return nil, err
	}
	return &Namespaces{Sessions: s, Config: c, Audit: a}, nil
}

// getJSON reads and decodes key, reporting a missing key as ErrMissing.
func getJSON(ns *kv.Namespace, key string, cacheTTL int, v any) error {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: cacheTTL}
	}
	raw, err := ns.GetString(key, opts)
	if err != nil {
		return err
	}
	if raw == jsNull {
		return ErrMissing
	}
	return json.Unmarshal([]byte(raw), v)
}

// putJSON encodes v and stores it for ttl.
func putJSON(ns *kv.Namespace, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
