//go:build js && wasm

package kvbase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// Metrics receives the latency of every KV call.
type Metrics interface {
	Observe(op, table string, d time.Duration)
}

// Table is a typed view of one key prefix in a KV namespace. Keys are
// "<network>:<prefix>:<id...>" where the network comes from the context.
// Domain stores embed it and add their own behaviour.
type Table[T any] struct {
	NS      *cloudflare.KVNamespace
	Prefix  string
	TTL     time.Duration
	Metrics Metrics
}

func (t *Table[T]) observe(op string, start time.Time) {
	if t.Metrics != nil {
		t.Metrics.Observe(op, t.Prefix, time.Since(start))
	}
}

// Key builds the full key for id parts in the caller's network.
func (t *Table[T]) Key(ctx context.Context, id ...string) string {
	return Key(append([]string{tenant.From(ctx), t.Prefix}, id...)...)
}

// Get loads and decodes one record. A missing key is a *kverr.NotFoundError.
func (t *Table[T]) Get(ctx context.Context, id string) (T, error) {
	defer t.observe("get", time.Now())
	var zero T
	k := t.Key(ctx, id)
	raw, err := t.NS.GetString(k, nil)
	if err != nil {
		return zero, fmt.Errorf("kv get %s: %w", k, err)
	}
	if raw == Null {
		return zero, &kverr.NotFoundError{Key: k}
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return zero, errors.Join(fmt.Errorf("kv decode %s", k), err)
	}
	return v, nil
}

// Put stores v with the table's lifetime, never less than a minute.
func (t *Table[T]) Put(ctx context.Context, id string, v T) error {
	ttl := t.TTL
	if ttl > 0 && ttl < time.Minute {
		ttl = time.Minute
	}
	return t.PutFor(ctx, id, v, ttl)
}

// PutFor stores v for ttl; zero means no expiry.
func (t *Table[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	defer t.observe("put", time.Now())
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return t.NS.PutString(t.Key(ctx, id), string(b), opts)
}

// Delete removes one record.
func (t *Table[T]) Delete(ctx context.Context, id string) error {
	defer t.observe("delete", time.Now())
	return t.NS.Delete(t.Key(ctx, id))
}

// Update loads the record, applies fn and writes the result back.
func (t *Table[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := t.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return t.Put(ctx, id, v) // EXPECT kvrace
}

// Page returns one page of ids under the table prefix and the cursor for
// the next page ("" when the listing is complete).
func (t *Table[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	defer t.observe("list", time.Now())
	prefix := t.Key(ctx) + Sep
	res, err := t.NS.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  min(max(limit, 1), 1000),
	})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, k.Name[len(prefix):])
	}
	if res.ListComplete {
		return ids, "", nil
	}
	return ids, res.Cursor, nil
}

// Scan calls fn for every id under the prefix, reading at most maxPages pages.
// It reports whether the listing was exhausted.
func (t *Table[T]) Scan(ctx context.Context, maxPages int, fn func(id string) error) (bool, error) {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		ids, next, err := t.Page(ctx, cursor, 1000)
		if err != nil {
			return false, err
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return false, err
			}
		}
		if next == "" {
			return true, nil
		}
		cursor = next
	}
	return false, nil
}

// GetRaw reads a plain string value. ok is false when the key is missing.
func GetRaw(ns *cloudflare.KVNamespace, key string, cacheTTL int) (v string, ok bool, err error) {
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheTTL > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: max(cacheTTL, 30)}
	}
	v, err = ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}
