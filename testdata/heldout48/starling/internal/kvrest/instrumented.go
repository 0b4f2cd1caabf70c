package kvrest

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Instrumented logs every KV call of a Client with its duration.
type Instrumented struct {
	inner *Client
	log   *slog.Logger
}

// Instrument wraps c.
func Instrument(c *Client, log *slog.Logger) *Instrumented {
	return &Instrumented{inner: c, log: log.With("kv_namespace", c.namespace)}
}

func (m *Instrumented) done(ctx context.Context, op, key string, start time.Time, err error) {
	lvl := slog.LevelDebug
	if err != nil && !errors.Is(err, ErrNotFound) {
		lvl = slog.LevelWarn
	}
	m.log.Log(ctx, lvl, "kv", "op", op, "key", key, "dur", time.Since(start), "err", err)
}

// Client returns the wrapped client.
func (m *Instrumented) Client() *Client { return m.inner }

func (m *Instrumented) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	b, err := m.inner.Get(ctx, key)
	m.done(ctx, "get", key, start, err)
	return b, err
}

func (m *Instrumented) GetRaw(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	b, err := m.inner.GetRaw(ctx, key)
	m.done(ctx, "get", key, start, err)
	return b, err
}

func (m *Instrumented) Put(ctx context.Context, key string, value []byte) error {
	start := time.Now()
	err := m.inner.Put(ctx, key, value)
	m.done(ctx, "put", key, start, err)
	return err
}

func (m *Instrumented) PutMeta(ctx context.Context, key string, value []byte, metadata string) error {
	start := time.Now()
	err := m.inner.PutMeta(ctx, key, value, metadata)
	m.done(ctx, "put", key, start, err)
	return err
}

func (m *Instrumented) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := m.inner.PutTTL(ctx, key, value, ttl)
	m.done(ctx, "put", key, start, err)
	return err
}

func (m *Instrumented) Bulk(ctx context.Context, pairs []Pair) error {
	start := time.Now()
	err := m.inner.Bulk(ctx, pairs)
	m.done(ctx, "bulk", "", start, err)
	return err
}

func (m *Instrumented) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := m.inner.Delete(ctx, key)
	m.done(ctx, "delete", key, start, err)
	return err
}

func (m *Instrumented) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	start := time.Now()
	p, err := m.inner.ListPage(ctx, prefix, cursor, limit)
	m.done(ctx, "list", prefix, start, err)
	return p, err
}
