package kvstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Tiered is a process-local cache in front of KV in front of a loader. A miss
// in both tiers runs the loader once per key however many callers wait, and
// writes the result back to KV for the other backend replicas.
type Tiered struct {
	kv       *Logged
	localTTL time.Duration
	kvTTL    time.Duration
	local    sync.Map // key -> tieredEntry
	group    singleflight.Group
}

type tieredEntry struct {
	value []byte
	until time.Time
}

func NewTiered(l *Logged, localTTL, kvTTL time.Duration) *Tiered {
	return &Tiered{kv: l, localTTL: localTTL, kvTTL: kvTTL}
}

// Get returns the value of key from the nearest tier that has it.
func (t *Tiered) Get(ctx context.Context, key string, load func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if e, ok := t.local.Load(key); ok {
		if ent := e.(tieredEntry); time.Now().Before(ent.until) {
			return ent.value, nil
		}
	}
	v, err, _ := t.group.Do(key, func() (any, error) {
		raw, err := t.kv.Get(ctx, key)
		if err == nil {
			return raw, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		fresh, err := load(ctx)
		if err != nil {
			return nil, err
		}
		if err := t.kv.Put(ctx, key, fresh, t.kvTTL); err != nil {
			t.kv.log.Warn("tiered write-back failed", "key", key, "err", err)
		}
		return fresh, nil
	})
	if err != nil {
		return nil, err
	}
	value := v.([]byte)
	t.local.Store(key, tieredEntry{value: value, until: time.Now().Add(t.localTTL)})
	return value, nil
}

// Invalidate drops key from both tiers. Other replicas keep their local copy
// until it ages out.
func (t *Tiered) Invalidate(ctx context.Context, key string) error {
	t.local.Delete(key)
	return t.kv.Delete(ctx, key)
}
