package kvstore

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Logged wraps a Store and records every call with its latency.
type Logged struct {
	inner *Store
	log   *slog.Logger
}

// NewLogged returns a logging wrapper around s.
func NewLogged(s *Store, log *slog.Logger) *Logged {
	return &Logged{inner: s, log: log.With("component", "kv")}
}

func (l *Logged) done(ctx context.Context, op, key string, start time.Time, err error) {
	lvl := slog.LevelDebug
	if err != nil && !errors.Is(err, ErrNotFound) {
		lvl = slog.LevelWarn
	}
	l.log.Log(ctx, lvl, "kv call", "op", op, "key", key, "took", time.Since(start), "err", err)
}

// Get forwards to Store.Get.
func (l *Logged) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := l.inner.Get(ctx, key)
	l.done(ctx, "get", key, start, err)
	return v, err
}

// Put forwards to Store.Put.
func (l *Logged) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := l.inner.Put(ctx, key, value, ttl)
	l.done(ctx, "put", key, start, err)
	return err
}

// PutMany forwards to Store.PutMany.
func (l *Logged) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	start := time.Now()
	err := l.inner.PutMany(ctx, pairs)
	l.log.DebugContext(ctx, "kv bulk put", "pairs", len(pairs), "took", time.Since(start), "err", err)
	return err
}

// Delete forwards to Store.Delete.
func (l *Logged) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := l.inner.Delete(ctx, key)
	l.done(ctx, "delete", key, start, err)
	return err
}

// DeleteMany forwards to Store.DeleteMany.
func (l *Logged) DeleteMany(ctx context.Context, keys []string) error {
	start := time.Now()
	err := l.inner.DeleteMany(ctx, keys)
	l.log.DebugContext(ctx, "kv bulk delete", "keys", len(keys), "took", time.Since(start), "err", err)
	return err
}

// ListPage forwards to Store.ListPage.
func (l *Logged) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	start := time.Now()
	p, err := l.inner.ListPage(ctx, prefix, cursor, limit)
	l.log.DebugContext(ctx, "kv list", "prefix", prefix, "keys", len(p.Keys), "more", p.Cursor != "", "took", time.Since(start), "err", err)
	return p, err
}

// Raw exposes the wrapped Store.
func (l *Logged) Raw() *Store { return l.inner }
