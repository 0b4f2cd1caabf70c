// Package decorate wraps a store.Store with cross-cutting behaviour.
package decorate

import (
	"context"
	"log/slog"
	"time"

	"example.com/gateway/internal/store"
)

// Logging logs every write. Reads and lists go straight to the embedded store.
type Logging struct {
	store.Store
	Log *slog.Logger
}

// Put logs the key, size and expiry of each write.
func (l Logging) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	start := time.Now()
	err := l.Store.Put(ctx, key, value, opts...)
	o := store.Apply(opts)
	l.Log.LogAttrs(ctx, slog.LevelDebug, "kv put",
		slog.String("key", key),
		slog.Int("bytes", len(value)),
		slog.Duration("ttl", o.TTL),
		slog.Duration("took", time.Since(start)),
		slog.Any("err", err))
	return err
}
