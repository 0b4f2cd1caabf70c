// Package cache is a two-level cache: a process-local map in front of a KV
// namespace, in front of an origin (the account directory). Local entries are
// short-lived; KV entries are refreshed ahead of expiry so readers rarely see
// a miss.
package cache

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"example.com/estuary/internal/kvstore"
)

// ErrMissing is returned (and cached briefly) when the origin has no value.
var ErrMissing = errors.New("cache: no such value at origin")

// Loader fetches a value from the origin.
type Loader func(ctx context.Context, key string) ([]byte, error)

var tombstone = []byte{0}

type entry struct {
	val         []byte
	localUntil  time.Time
	remoteUntil time.Time
}

// Tiered is safe for concurrent use.
type Tiered struct {
	store        kvstore.Store
	localTTL     time.Duration
	remoteTTL    time.Duration
	refreshAhead time.Duration
	now          func() time.Time

	local      sync.Map // string -> entry
	refreshing sync.Map // string -> struct{}
}

func New(store kvstore.Store, localTTL, remoteTTL, refreshAhead time.Duration) *Tiered {
	return &Tiered{store: store, localTTL: localTTL, remoteTTL: remoteTTL, refreshAhead: refreshAhead, now: time.Now}
}

// put writes to KV. KV will not take a TTL under a minute.
func (t *Tiered) put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return t.store.Put(ctx, key, val, kvstore.PutOptions{TTL: ttl})
}

func (t *Tiered) remember(key string, val []byte, now time.Time) {
	t.local.Store(key, entry{val: val, localUntil: now.Add(t.localTTL), remoteUntil: now.Add(t.remoteTTL)})
}

// Get returns key's value from the nearest level that has it.
func (t *Tiered) Get(ctx context.Context, key string, load Loader) ([]byte, error) {
	now := t.now()
	if v, ok := t.local.Load(key); ok {
		e := v.(entry)
		if now.Before(e.localUntil) {
			if now.After(e.remoteUntil.Add(-t.refreshAhead)) {
				t.refreshAsync(key, load)
			}
			if bytes.Equal(e.val, tombstone) {
				return nil, ErrMissing
			}
			return e.val, nil
		}
	}
	b, err := t.store.Get(ctx, key)
	switch {
	case err == nil:
		t.remember(key, b, now)
		if bytes.Equal(b, tombstone) {
			return nil, ErrMissing
		}
		return b, nil
	case !kvstore.IsNotFound(err):
		return nil, err
	}
	b, err = load(ctx, key)
	if errors.Is(err, ErrMissing) {
		t.remember(key, tombstone, now)
		_ = t.store.Put(ctx, key, tombstone, kvstore.PutOptions{ExpireAt: now.Add(20 * time.Second)}) // EXPECT kvttl
		return nil, ErrMissing
	}
	if err != nil {
		return nil, err
	}
	t.remember(key, b, now)
	if err := t.put(ctx, key, b, t.remoteTTL); err != nil {
		slog.Warn("cache: fill failed", "key", key, "err", err)
	}
	return b, nil
}

func (t *Tiered) refreshAsync(key string, load Loader) {
	if _, busy := t.refreshing.LoadOrStore(key, struct{}{}); busy {
		return
	}
	go func() {
		defer t.refreshing.Delete(key)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b, err := load(ctx, key)
		if err != nil {
			slog.Debug("cache: refresh failed", "key", key, "err", err)
			return
		}
		t.remember(key, b, t.now())
		if err := t.put(ctx, key, b, t.remoteTTL); err != nil {
			slog.Warn("cache: refresh write failed", "key", key, "err", err)
		}
	}()
}

// Warm seeds KV with a value the caller expects to be read soon. The origin
// refresh replaces it, so it does not need to live long.
func (t *Tiered) Warm(ctx context.Context, key string, val []byte) error {
	return t.put(ctx, key, val, 45*time.Second)
}

// Purge drops every cached key under prefix from both levels, for a bounded
// number of pages per call.
func (t *Tiered) Purge(ctx context.Context, prefix string) (int, error) {
	n, cursor := 0, ""
	for range 20 {
		page, err := t.store.List(ctx, prefix, cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			t.local.Delete(k.Name)
			if err := t.store.Delete(ctx, k.Name); err != nil {
				return n, err
			}
			n++
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return n, nil
}
