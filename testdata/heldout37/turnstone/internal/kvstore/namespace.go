//go:build js && wasm

package kvstore

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Namespace is the base Full implementation over a KV binding.
type Namespace struct {
	ns       *kv.Namespace
	cacheTTL int
}

// Open binds to the KV namespace named binding. cacheTTL, when non-zero, is
// sent as cacheTtl on every read.
func Open(binding string, cacheTTL time.Duration) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Namespace{ns: ns, cacheTTL: int(cacheTTL.Seconds())}, nil
}

// Raw exposes the SDK namespace.
func (n *Namespace) Raw() *kv.Namespace { return n.ns }

func (n *Namespace) Get(key Key) (string, error) {
	var opts *kv.GetOptions
	if n.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: n.cacheTTL}
	}
	v, err := n.ns.GetString(string(key), opts)
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s: %w", key, err)
	}
	if v == "<null>" { // syscall/js's rendering of a JS null
		return "", ErrNotFound
	}
	return v, nil
}

func (n *Namespace) Put(key Key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return n.ns.PutString(string(key), value, opts)
}

func (n *Namespace) Delete(key Key) error { return n.ns.Delete(string(key)) }

func (n *Namespace) List(prefix Key, cursor string, limit int) (Page, error) {
	res, err := n.ns.List(&kv.ListOptions{Prefix: string(prefix), Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fmt.Errorf("kvstore: list %s: %w", prefix, err)
	}
	p := Page{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		e := Entry{Name: Key(k.Name)}
		if k.Expiration > 0 {
			e.Expires = time.Unix(int64(k.Expiration), 0)
		}
		p.Keys = append(p.Keys, e)
	}
	return p, nil
}
