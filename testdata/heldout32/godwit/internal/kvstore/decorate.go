package kvstore

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Tenant scopes every key of the embedded Store under Prefix, so account data
// can share one namespace.
type Tenant struct {
	Store
	Prefix string
}

func (t Tenant) Get(ctx context.Context, key string) ([]byte, error) {
	return t.Store.Get(ctx, t.Prefix+key)
}

func (t Tenant) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	scoped := make([]string, len(keys))
	for i, k := range keys {
		scoped[i] = t.Prefix + k
	}
	got, err := t.Store.GetMany(ctx, scoped)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(got))
	for k, v := range got {
		out[strings.TrimPrefix(k, t.Prefix)] = v
	}
	return out, nil
}

func (t Tenant) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return t.Store.Put(ctx, t.Prefix+key, value, opts)
}

func (t Tenant) Delete(ctx context.Context, key string) error {
	return t.Store.Delete(ctx, t.Prefix+key)
}

func (t Tenant) List(ctx context.Context, opts ListOptions) (Page, error) {
	opts.Prefix = t.Prefix + opts.Prefix
	page, err := t.Store.List(ctx, opts)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, t.Prefix)
	}
	return page, err
}

// Traced logs writes and deletes of the embedded Store.
type Traced struct {
	Store
	Log  *slog.Logger
	Name string
}

func (t Traced) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	start := time.Now()
	err := t.Store.Put(ctx, key, value, opts)
	t.Log.DebugContext(ctx, "kv put", "ns", t.Name, "key", key, "bytes", len(value),
		"ttl", opts.TTL, "took", time.Since(start), "err", err)
	return err
}

func (t Traced) Delete(ctx context.Context, key string) error {
	err := t.Store.Delete(ctx, key)
	t.Log.DebugContext(ctx, "kv delete", "ns", t.Name, "key", key, "err", err)
	return err
}

// MinTTL raises expirations shorter than a minute, the shortest KV accepts,
// for callers that only need "short-lived".
type MinTTL struct {
	Store
}

func (m MinTTL) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	if opts.TTL > 0 && opts.TTL < time.Minute {
		opts.TTL = time.Minute
	}
	return m.Store.Put(ctx, key, value, opts)
}
