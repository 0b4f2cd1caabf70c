//go:build js && wasm

// Package edgekv is the worker's thin layer over a Workers KV binding. A Scope
// is a namespace plus a key prefix; narrower scopes are derived with Scope and
// Kind so that every package builds its keys the same way.
package edgekv

import (
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/kind"
)

// missing is what GetString hands back for a key that does not exist: the
// runtime resolves the promise with null and syscall/js renders it this way.
const missing = "<null>"

// Scope is a KV namespace seen through a key prefix.
type Scope struct {
	ns     *kv.Namespace
	prefix string
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (Scope, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return Scope{}, err
	}
	return Scope{ns: ns}, nil
}

// Scope returns a narrower scope: name and each id become one more segment.
func (s Scope) Scope(name string, ids ...string) Scope {
	p := s.prefix + name + ":"
	for _, id := range ids {
		p += id + ":"
	}
	return Scope{ns: s.ns, prefix: p}
}

// Kind narrows the scope to the records of k.
func (s Scope) Kind(k kind.Kind) Scope {
	return Scope{ns: s.ns, prefix: s.prefix + k.Prefix()}
}

// Prefix is the full key prefix of the scope.
func (s Scope) Prefix() string { return s.prefix }

// Key is the full key of name inside the scope.
func (s Scope) Key(name string) string { return s.prefix + name }

// Lookup reads name and reports whether it was there.
func (s Scope) Lookup(name string, cacheTTL int) (string, bool, error) {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: cacheTTL}
	}
	v, err := s.ns.GetString(s.Key(name), opts)
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// Raw reads name and returns the string exactly as the binding produced it.
func (s Scope) Raw(name string) (string, error) {
	return s.ns.GetString(s.Key(name), nil)
}

// Put writes value under name. A zero ttl keeps it forever.
func (s Scope) Put(name, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(s.Key(name), value, opts)
}

// PutAtLeast writes value under name for ttl, or for the one-minute minimum
// that KV accepts if ttl is shorter.
func (s Scope) PutAtLeast(name, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(s.Key(name), value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutFor writes value under name with the lifetime of kind k.
func (s Scope) PutFor(k kind.Kind, name, value string) error {
	opts := &kv.PutOptions{}
	if ttl := k.TTL(); ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return s.ns.PutString(s.Key(name), value, opts)
}

// Delete removes name.
func (s Scope) Delete(name string) error {
	return s.ns.Delete(s.Key(name))
}

// Page lists one page of keys under the scope, starting at cursor.
func (s Scope) Page(cursor string, limit int) (*kv.ListResult, error) {
	return s.ns.List(&kv.ListOptions{Prefix: s.prefix, Cursor: cursor, Limit: limit})
}

// Names lists the names under the scope, reading at most maxPages pages.
func (s Scope) Names(maxPages int) ([]string, error) {
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := s.ns.List(&kv.ListOptions{Prefix: s.prefix, Cursor: cursor})
		if err != nil {
			return names, err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, s.prefix))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return names, nil
}

// Namespace exposes the binding for code that needs the raw API.
func (s Scope) Namespace() *kv.Namespace { return s.ns }
