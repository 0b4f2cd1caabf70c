//go:build js && wasm

package kvbase

import (
	"context"
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/tenant"
)

// missing is how syscall/js renders the null that KV returns for an absent key.
const missing = "<null>"

// Table is the generic base embedded by every Worker-side store. Keys are
// Prefix-scoped and tenant-scoped: the tenant comes from the request context.
type Table[T any] struct {
	NS      *kv.Namespace
	Prefix  string
	TTL     time.Duration
	Metrics *Recorder
}

func (t *Table[T]) observe(op string, start time.Time) {
	t.Metrics.Observe(t.Prefix, op, start)
}

// KeyFor returns the full key for id parts under the tenant of ctx.
func (t *Table[T]) KeyFor(ctx context.Context, id ...string) string {
	return Key(append([]string{tenant.From(ctx), t.Prefix}, id...)...)
}

// Get loads and decodes one record.
func (t *Table[T]) Get(ctx context.Context, id ...string) (T, error) {
	defer t.observe("get", time.Now())
	var v T
	key := t.KeyFor(ctx, id...)
	raw, err := t.NS.GetString(key, nil)
	if err != nil {
		return v, Classify("get", key, err)
	}
	if raw == missing {
		return v, &NotFoundError{Key: key}
	}
	err = json.Unmarshal([]byte(raw), &v)
	return v, err
}

// Put encodes v and stores it with the table's TTL.
func (t *Table[T]) Put(ctx context.Context, v T, id ...string) error {
	defer t.observe("put", time.Now())
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{}
	if t.TTL > 0 {
		opts.ExpirationTTL = int(t.TTL.Seconds())
	}
	key := t.KeyFor(ctx, id...)
	return Classify("put", key, t.NS.PutString(key, string(b), opts))
}

// PutFor stores v with an explicit lifetime, never shorter than KV accepts.
func (t *Table[T]) PutFor(ctx context.Context, v T, ttl time.Duration, id ...string) error {
	defer t.observe("put", time.Now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	key := t.KeyFor(ctx, id...)
	return Classify("put", key, t.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}))
}

// Delete removes one record.
func (t *Table[T]) Delete(ctx context.Context, id ...string) error {
	defer t.observe("delete", time.Now())
	key := t.KeyFor(ctx, id...)
	return Classify("delete", key, t.NS.Delete(key))
}

// Update applies fn to the stored record and writes the result back.
func (t *Table[T]) Update(ctx context.Context, fn func(*T) error, id ...string) error {
	v, err := t.Get(ctx, id...)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	defer t.observe("put", time.Now())
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	key := t.KeyFor(ctx, id...)
	return t.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(t.TTL.Seconds())}) // EXPECT kvrace
}

// Page returns one page of record IDs under the table prefix and the cursor for
// the next page ("" when done).
func (t *Table[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	defer t.observe("list", time.Now())
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	prefix := t.KeyFor(ctx) + Sep
	res, err := t.NS.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
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

// Bucket is a byte-oriented view of a namespace for code that does not want a
// typed table.
type Bucket struct {
	NS      *kv.Namespace
	Metrics *Recorder
}

// Get returns the raw value or a *NotFoundError.
func (b *Bucket) Get(ctx context.Context, key string) ([]byte, error) {
	defer b.Metrics.Observe("bucket", "get", time.Now())
	raw, err := b.NS.GetString(key, nil)
	if err != nil {
		return nil, Classify("get", key, err)
	}
	if raw == missing {
		return nil, &NotFoundError{Key: key}
	}
	return []byte(raw), nil
}

// Put stores val without expiry.
func (b *Bucket) Put(ctx context.Context, key string, val []byte) error {
	defer b.Metrics.Observe("bucket", "put", time.Now())
	return Classify("put", key, b.NS.PutString(key, string(val), nil))
}

// PutTTL stores val for ttlSeconds.
func (b *Bucket) PutTTL(ctx context.Context, key string, val []byte, ttlSeconds int) error {
	defer b.Metrics.Observe("bucket", "put", time.Now())
	return Classify("put", key, b.NS.PutString(key, string(val), &kv.PutOptions{ExpirationTTL: ttlSeconds}))
}

// Delete removes key.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	defer b.Metrics.Observe("bucket", "delete", time.Now())
	return Classify("delete", key, b.NS.Delete(key))
}
