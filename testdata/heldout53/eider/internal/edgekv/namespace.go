//go:build js && wasm

// Package edgekv adapts the Workers KV bindings to the shapes the edge code uses.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// MinTTL is the shortest expiration KV accepts.
const MinTTL = 60 * time.Second

// nullValue is what GetString returns for a key that does not exist.
const nullValue = "<null>"

// ErrNotFound is returned by typed loads when the key does not exist.
var ErrNotFound = errors.New("edgekv: not found")

// Binding names as declared in wrangler.toml.
const (
	Inventory = "INVENTORY"
	Rates     = "RATES"
	Portal    = "PORTAL"
	Links     = "LINKS"
	Hooks     = "HOOKS"
)

// Namespace is one KV binding.
type Namespace struct {
	binding string
	kv      *cloudflare.KVNamespace
}

var (
	bindOnce sync.Once
	bound    map[string]*Namespace
	bindErr  error
)

// Open resolves every binding the first time it is called in an isolate and
// returns the same set afterwards.
func Open(ctx context.Context) (map[string]*Namespace, error) {
	bindOnce.Do(func() {
		bound = make(map[string]*Namespace)
		for _, name := range []string{Inventory, Rates, Portal, Links, Hooks} {
			kv, err := cloudflare.NewKVNamespace(ctx, name)
			if err != nil {
				bindErr = fmt.Errorf("binding %s: %w", name, err)
				return
			}
			bound[name] = &Namespace{binding: name, kv: kv}
		}
	})
	return bound, bindErr
}

// Raw exposes the underlying binding for code that needs SDK options.
func (n *Namespace) Raw() *cloudflare.KVNamespace { return n.kv }

// Binding returns the wrangler binding name.
func (n *Namespace) Binding() string { return n.binding }

// writeEntry performs the actual put. Tests replace it to capture writes.
var writeEntry = func(kv *cloudflare.KVNamespace, key, value string, opts *cloudflare.KVNamespacePutOptions) error {
	return kv.PutString(key, value, opts)
}

// Get returns the value under key and whether it exists.
func (n *Namespace) Get(key string) (string, bool, error) {
	v, err := n.kv.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kv get %s/%s: %w", n.binding, key, err)
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime for write-rarely data.
func (n *Namespace) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	v, err := n.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kv get %s/%s: %w", n.binding, key, err)
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value under key. A zero ttl stores the key without expiration.
func (n *Namespace) Put(key, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := writeEntry(n.kv, key, value, opts); err != nil {
		return fmt.Errorf("kv put %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// Keep writes value under key for at least a minute and at most ttl.
func (n *Namespace) Keep(key, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return writeEntry(n.kv, key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl / time.Second)})
}

// Delete removes key.
func (n *Namespace) Delete(key string) error {
	if err := n.kv.Delete(key); err != nil {
		return fmt.Errorf("kv delete %s/%s: %w", n.binding, key, err)
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Names  []string
	Cursor string
	Done   bool
}

// ListPage returns one page of keys under prefix starting at cursor.
func (n *Namespace) ListPage(prefix, cursor string, limit int) (Page, error) {
	res, err := n.kv.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  min(max(limit, 1), 1000),
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s/%s: %w", n.binding, prefix, err)
	}
	p := Page{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		p.Names = append(p.Names, k.Name)
	}
	return p, nil
}

// AppendLine adds one line to a text log stored under key.
func (n *Namespace) AppendLine(key, line string, ttl time.Duration) error {
	old, ok, err := n.Get(key)
	if err != nil {
		return err
	}
	if ok {
		line = old + "\n" + line
	}
	return n.Put(key, line, ttl) // EXPECT kvrace
}

// call runs fn and gives up when ctx ends first. KV calls block on a JS
// promise, so the result is handed back on a buffered channel.
func call[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case <-time.After(5 * time.Second):
		var zero T
		return zero, fmt.Errorf("kv: call timed out")
	}
}
