// Package flags serves feature flags that operators flip in the KV
// dashboard. Flags are read on every request from a short local cache.
package flags

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"example.com/curlew/internal/kv"
)

// Source answers whether a flag is on.
type Source interface {
	Enabled(ctx context.Context, name string) bool
}

// Static is a fixed set of flags, used in tests and as defaults.
type Static map[string]bool

// Enabled implements Source.
func (s Static) Enabled(_ context.Context, name string) bool { return s[name] }

// Names of the flags the service reads.
const (
	PinVaultV2      = "pin.vault-v2"
	GeocodeBulkWarm = "geocode.bulk-warm"
)

// KVFlags reads one JSON document of flags from the store. It never writes.
type KVFlags struct {
	store    kv.Store
	key      string
	refresh  time.Duration
	defaults Static

	mu      sync.Mutex
	cached  map[string]bool
	fetched time.Time
}

// NewKVFlags returns a Source backed by key, refreshed at most every refresh.
func NewKVFlags(s kv.Store, key string, refresh time.Duration, defaults Static) *KVFlags {
	return &KVFlags{store: s, key: key, refresh: refresh, defaults: defaults}
}

// Enabled implements Source.
func (f *KVFlags) Enabled(ctx context.Context, name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cached == nil || time.Since(f.fetched) > f.refresh {
		f.load(ctx)
	}
	if v, ok := f.cached[name]; ok {
		return v
	}
	return f.defaults[name]
}

// load refreshes the cache. On a read error the previous values stay, and
// the next call tries again.
func (f *KVFlags) load(ctx context.Context) {
	next := map[string]bool{}
	raw, err := f.store.Get(ctx, f.key)
	if err == nil {
		err = json.Unmarshal(raw, &next)
	}
	if err != nil && !kv.IsNotFound(err) {
		slog.WarnContext(ctx, "flags: keeping previous values", "err", err)
		return
	}
	f.cached, f.fetched = next, time.Now()
}
