//go:build js && wasm

// Package kvstore is the worker's adapter over the Workers KV binding. A
// Store is a small value: scoping it returns a copy with a longer prefix or
// another binding, so request code can narrow it without affecting others.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"merlin/internal/result"
)

// jsNull is how syscall/js renders the null that KV returns for a missing key.
const jsNull = "<null>"

// Store reads and writes one KV binding under a key prefix.
type Store struct {
	binding string
	prefix  string
}

// Open returns a store over the named binding.
func Open(binding string) Store { return Store{binding: binding} }

// Scope narrows the store to one scope, for example "tenant:acme".
func (s Store) Scope(scope string) Store {
	s.prefix += scope + ":"
	return s
}

// WithPrefix appends p verbatim to the prefix.
func (s Store) WithPrefix(p string) Store {
	s.prefix += p
	return s
}

// In returns the same prefix over another binding.
func (s Store) In(binding string) Store {
	s.binding = binding
	return s
}

// Key returns the full key for k.
func (s Store) Key(k string) string { return s.prefix + k }

// Prefix returns the store's prefix.
func (s Store) Prefix() string { return s.prefix }

// Namespace resolves the binding for the current request.
func (s Store) Namespace() (*cloudflare.KVNamespace, error) {
	ns, err := cloudflare.NewKVNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", s.binding, err)
	}
	return ns, nil
}

// Get reads key. A missing key is None.
func (s Store) Get(ctx context.Context, key string) result.Result[result.Option[string]] {
	return s.get(ctx, key, nil)
}

// GetCached reads key and lets the edge cache it for cacheTTL.
func (s Store) GetCached(ctx context.Context, key string, cacheTTL time.Duration) result.Result[result.Option[string]] {
	return s.get(ctx, key, &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL.Seconds())})
}

func (s Store) get(ctx context.Context, key string, opts *cloudflare.KVNamespaceGetOptions) result.Result[result.Option[string]] {
	if err := ctx.Err(); err != nil {
		return result.Fail[result.Option[string]](err)
	}
	ns, err := s.Namespace()
	if err != nil {
		return result.Fail[result.Option[string]](err)
	}
	v, err := ns.GetString(s.prefix+key, opts)
	if err != nil {
		return result.Fail[result.Option[string]](fmt.Errorf("kv get %s: %w", key, err))
	}
	if v == jsNull {
		return result.Ok(result.None[string]())
	}
	return result.Ok(result.Some(v))
}

// GetJSON reads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, s Store, key string) result.Result[result.Option[T]] {
	raw, err := s.Get(ctx, key).Unwrap()
	if err != nil {
		return result.Fail[result.Option[T]](err)
	}
	str, ok := raw.Get()
	if !ok {
		return result.Ok(result.None[T]())
	}
	var v T
	if err := json.Unmarshal([]byte(str), &v); err != nil {
		return result.Fail[result.Option[T]](fmt.Errorf("kv decode %s: %w", key, err))
	}
	return result.Ok(result.Some(v))
}

// Put writes value with a relative lifetime; ttl <= 0 means no expiry.
func (s Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return ns.PutString(s.prefix+key, value, opts)
}

// PutJSON encodes v with a pooled encoder and writes it.
func (s Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	body, err := encode(v)
	if err != nil {
		return fmt.Errorf("kv encode %s: %w", key, err)
	}
	return s.Put(ctx, key, body, ttl)
}

// PutReader writes the bytes read from r.
func (s Store) PutReader(ctx context.Context, key string, r io.Reader, ttl time.Duration) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return ns.PutReader(s.prefix+key, r, opts)
}

// Delete removes key.
func (s Store) Delete(ctx context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	return ns.Delete(s.prefix + key)
}

// Update reads key, passes the current value to fn and writes what fn returns.
func (s Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(cur result.Option[string]) (string, error)) error {
	cur, err := s.Get(ctx, key).Unwrap()
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Page is one page of a listing, with keys relative to the store prefix.
type Page struct {
	Keys   []string
	Cursor string
	Done   bool
}

// List returns one page of keys under sub. Pass the returned cursor to get
// the next page.
func (s Store) List(ctx context.Context, sub, cursor string, limit int) (Page, error) {
	ns, err := s.Namespace()
	if err != nil {
		return Page{}, err
	}
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: s.prefix + sub,
		Cursor: cursor,
		Limit:  min(max(limit, 1), 1000),
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s: %w", sub, err)
	}
	p := Page{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, strings.TrimPrefix(k.Name, s.prefix))
	}
	return p, nil
}
