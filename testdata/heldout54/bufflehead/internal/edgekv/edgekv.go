//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the small interfaces the
// edge handlers depend on. Misses are reported as ErrNotFound.
package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// ErrNotFound is returned when a key does not exist (or has expired).
var ErrNotFound = errors.New("edgekv: not found")

// The runtime hands a JS null back to Go as this string.
const jsNull = "<null>"

// Getter reads one value.
type Getter interface {
	Get(ctx context.Context, key string) (string, error)
}

// Putter writes one value. A zero ttl means the value does not expire.
type Putter interface {
	Put(ctx context.Context, key, value string, ttl time.Duration) error
}

// Deleter removes one key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister returns one page of key names.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// GetPutter is a Getter that can also write.
type GetPutter interface {
	Getter
	Putter
}

// GetDeleter is a Getter that can also delete.
type GetDeleter interface {
	Getter
	Deleter
}

// Store is everything a namespace can do.
type Store interface {
	Getter
	Putter
	Deleter
	Lister
}

// Page is one page of a listing.
type Page struct {
	Keys     []string
	Expiry   map[string]time.Time
	Cursor   string
	Complete bool
}

// Namespace is a KV binding.
type Namespace struct {
	binding  string
	kv       *cloudflare.KVNamespace
	cacheTTL int
}

// Open binds the named KV namespace from the Worker environment.
func Open(binding string) (*Namespace, error) {
	return OpenCached(binding, 0)
}

// OpenCached binds a namespace whose reads are cached at the edge for
// cacheTTL seconds (0 keeps the runtime default).
func OpenCached(binding string, cacheTTL int) (*Namespace, error) {
	kv, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Namespace{binding: binding, kv: kv, cacheTTL: cacheTTL}, nil
}

// Raw exposes the underlying binding for packages that need the SDK type.
func (n *Namespace) Raw() *cloudflare.KVNamespace { return n.kv }

func (n *Namespace) getOptions() *cloudflare.KVNamespaceGetOptions {
	if n.cacheTTL == 0 {
		return nil
	}
	return &cloudflare.KVNamespaceGetOptions{CacheTTL: n.cacheTTL}
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, err := n.kv.GetString(key, n.getOptions())
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s/%s: %w", n.binding, key, err)
	}
	if v == jsNull {
		return "", fmt.Errorf("edgekv: get %s/%s: %w", n.binding, key, ErrNotFound)
	}
	return v, nil
}

// Put stores value under key. ttl is rounded down to whole seconds.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := n.kv.PutString(key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())}
	if err := n.kv.PutString(key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.kv.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// List returns one page of keys under prefix, starting at cursor.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	res, err := n.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fmt.Errorf("edgekv: list %s/%s: %w", n.binding, prefix, err)
	}
	p := Page{Cursor: res.Cursor, Complete: res.ListComplete, Expiry: make(map[string]time.Time, len(res.Keys))}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, k.Name)
		if k.Expiration > 0 {
			p.Expiry[k.Name] = time.Unix(int64(k.Expiration), 0)
		}
	}
	return p, nil
}

// Reader decodes JSON values into caller-supplied destinations.
type Reader struct {
	G Getter
}

// Into decodes the JSON value at key into dst.
func (r *Reader) Into(ctx context.Context, key string, dst any) error {
	raw, err := r.G.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return fmt.Errorf("edgekv: decode %s: %w", key, err)
	}
	return nil
}

// PutJSON encodes src and stores it under key.
func PutJSON(ctx context.Context, p Putter, key string, src any, ttl time.Duration) error {
	raw, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("edgekv: encode %s: %w", key, err)
	}
	return p.Put(ctx, key, string(raw), ttl)
}
