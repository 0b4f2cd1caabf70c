//go:build js && wasm

package edgekv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Namespace is the name of a KV binding in wrangler.toml. Its methods open
// the binding on each call, which is cheap in the Workers runtime.
type Namespace string

// Bindings used by the edge worker.
const (
	Holds    Namespace = "HOLDS"
	Sessions Namespace = "SESSIONS"
	Feeds    Namespace = "FEEDS"
	Doors    Namespace = "DOORS"
)

// Open returns the binding.
func (n Namespace) Open() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(string(n))
	if err != nil {
		return nil, fmt.Errorf("edgekv: binding %s: %w", string(n), err)
	}
	return ns, nil
}

// PutTTL writes value under key with a lifetime given in seconds.
func (n Namespace) PutTTL(key, value string, seconds int) error {
	ns, err := n.Open()
	if err != nil {
		return err
	}
	return ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: seconds})
}

// Lookup reads key and reports whether it was present.
func (n Namespace) Lookup(key string) (string, bool, error) {
	ns, err := n.Open()
	if err != nil {
		return "", false, err
	}
	v, err := ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// Remove deletes key.
func (n Namespace) Remove(key string) error {
	ns, err := n.Open()
	if err != nil {
		return err
	}
	return ns.Delete(key)
}

// Prefix is a key prefix such as "hold:evt42:". Its methods list keys under it.
type Prefix string

// Key joins parts onto the prefix.
func (p Prefix) Key(parts ...string) string {
	return string(p) + strings.Join(parts, ":")
}

// Page returns one page of key names and the cursor for the next one ("" when
// the listing is complete).
func (p Prefix) Page(ns *kv.Namespace, cursor string, limit int) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: string(p), Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// ErrBudget is returned by Each when maxPages pages were read and more remain.
var ErrBudget = errors.New("edgekv: listing budget exhausted")

// Each calls fn for every key under the prefix, reading at most maxPages pages.
func (p Prefix) Each(ctx context.Context, ns *kv.Namespace, maxPages int, fn func(k *kv.ListKey) error) error {
	cursor := ""
	for range maxPages {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := ns.List(&kv.ListOptions{Prefix: string(p), Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return ErrBudget
}

// Names returns every key name under the prefix.
func (p Prefix) Names(ns *kv.Namespace) ([]string, error) {
	var names []string
	opts := &kv.ListOptions{Prefix: string(p)}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			return names, nil
		}
		opts.Cursor = res.Cursor
	}
}

// Writer is the shape of a KV put. Handlers receive one so that the same code
// can write through the binding or through a recording double.
type Writer func(key, value string, opts *kv.PutOptions) error

// BindingWriter returns a Writer that puts into ns.
func BindingWriter(ns *kv.Namespace) Writer {
	return func(key, value string, opts *kv.PutOptions) error {
		return ns.PutString(key, value, opts)
	}
}

// For writes value with a lifetime.
func (w Writer) For(key, value string, ttl time.Duration) error {
	return w(key, value, &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)})
}
