package kvstore

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// Logged records every KV call of a Client with its latency and outcome. The
// rest of the backend uses Logged rather than Client.
type Logged struct {
	kv  *Client
	log *slog.Logger
}

func NewLogged(c *Client, log *slog.Logger) *Logged {
	return &Logged{kv: c, log: log.With(slog.String("kv_namespace", c.Namespace()))}
}

// Client returns the wrapped client, for the SDK calls that are not wrapped.
func (l *Logged) Client() *Client { return l.kv }

func (l *Logged) observe(ctx context.Context, op, key string, start time.Time, err error) {
	level := slog.LevelDebug
	if err != nil && !errors.Is(err, ErrNotFound) {
		level = slog.LevelWarn
	}
	l.log.LogAttrs(ctx, level, "kv "+op,
		slog.String("key", key),
		slog.Duration("took", time.Since(start)),
		slog.Any("err", err))
}

func (l *Logged) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := l.kv.Get(ctx, key)
	l.observe(ctx, "get", key, start, err)
	return v, err
}

func (l *Logged) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := l.kv.Put(ctx, key, value, ttl)
	l.observe(ctx, "put", key, start, err)
	return err
}

func (l *Logged) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := l.kv.Delete(ctx, key)
	l.observe(ctx, "delete", key, start, err)
	return err
}

func (l *Logged) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	start := time.Now()
	names, next, err := l.kv.Page(ctx, prefix, cursor, limit)
	l.observe(ctx, "list", prefix, start, err)
	return names, next, err
}

func (l *Logged) PutMany(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) error {
	start := time.Now()
	err := l.kv.PutMany(ctx, entries)
	l.observe(ctx, "bulk-put", "", start, err)
	return err
}

func (l *Logged) DeleteMany(ctx context.Context, names []string) error {
	start := time.Now()
	err := l.kv.DeleteMany(ctx, names)
	l.observe(ctx, "bulk-delete", "", start, err)
	return err
}
