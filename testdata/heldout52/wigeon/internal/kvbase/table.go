// Package kvbase provides Table, the generic JSON-document base that the
// domain stores embed. A Table scopes every key to the tenant carried in the
// request context, so stores never pass tenant IDs around themselves.
package kvbase

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// MinTTL is the shortest lifetime PutFor will ask KV for.
const MinTTL = time.Minute

// Table stores values of type T as JSON under <tenant>/<Prefix>/<id...>.
type Table[T any] struct {
	KV     *kvstore.Client
	Prefix string
}

func tenantFrom(ctx context.Context) string {
	if id := tenant.From(ctx); id != "" {
		return id
	}
	return "_"
}

// Key returns the full key for the id parts in the tenant of ctx.
func (t Table[T]) Key(ctx context.Context, id ...string) string {
	parts := append([]string{tenantFrom(ctx), t.Prefix}, id...)
	return kvkeys.Key(parts...)
}

// ListPrefix returns the list prefix for the id parts in the tenant of ctx.
func (t Table[T]) ListPrefix(ctx context.Context, id ...string) string {
	return t.Key(ctx, id...) + kvkeys.Sep
}

// Get loads and decodes the document. A missing key is a
// *kvstore.NotFoundError.
func (t Table[T]) Get(ctx context.Context, id ...string) (T, error) {
	var v T
	raw, err := t.KV.Get(ctx, t.Key(ctx, id...))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("%s: decode: %w", t.Prefix, err)
	}
	return v, nil
}

// Put encodes and stores the document with no expiration.
func (t Table[T]) Put(ctx context.Context, v T, id ...string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.KV.Put(ctx, t.Key(ctx, id...), raw)
}

// PutFor stores the document for ttl, but never for less than MinTTL.
func (t Table[T]) PutFor(ctx context.Context, v T, ttl time.Duration, id ...string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return t.KV.PutTTL(ctx, t.Key(ctx, id...), raw, ttl)
}

// Delete removes the document.
func (t Table[T]) Delete(ctx context.Context, id ...string) error {
	return t.KV.Delete(ctx, t.Key(ctx, id...))
}

// Update loads the document, applies fn and writes the result back with the
// given lifetime (0 keeps it forever).
func (t Table[T]) Update(ctx context.Context, ttl time.Duration, fn func(*T) error, id ...string) error {
	key := t.Key(ctx, id...)
	raw, err := t.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		return t.KV.Put(ctx, key, out) // EXPECT kvrace
	}
	return t.KV.PutTTL(ctx, key, out, max(ttl, MinTTL)) // EXPECT kvrace
}

// IDs returns one page of document IDs (the part after the prefix) and the
// cursor of the next page, "" at the end.
func (t Table[T]) IDs(ctx context.Context, cursor string, limit int, id ...string) ([]string, string, error) {
	prefix := t.ListPrefix(ctx, id...)
	page, err := t.KV.List(ctx, prefix, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	return ids, page.Cursor, nil
}
