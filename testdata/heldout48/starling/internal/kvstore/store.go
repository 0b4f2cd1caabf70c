//go:build js && wasm

// Package kvstore adapts Workers KV bindings for the Starling edge worker.
package kvstore

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Store is one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// jsNull is how syscall/js renders the JavaScript null that KV returns for a
// missing key.
const jsNull = "<null>"

func (s *Store) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("kv %s %s %q: %w", s.binding, op, key, err)
}

// Get returns the value of key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) {
	return s.get(key, nil)
}

// GetCached is Get with an explicit edge cache lifetime for the value.
func (s *Store) GetCached(key string, edgeTTL time.Duration) (string, bool, error) {
	return s.get(key, &kv.GetOptions{CacheTTL: int(edgeTTL / time.Second)})
}

func (s *Store) get(key string, opts *kv.GetOptions) (string, bool, error) {
	v, err := s.ns.GetString(key, opts)
	if err != nil {
		return "", false, s.wrap("get", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value under key. A positive ttl below KV's one-minute minimum
// is raised to one minute; zero means no expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		if ttl < time.Minute {
			ttl = time.Minute
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.wrap("put", key, s.ns.PutString(key, value, opts))
}

// PutSeconds writes value with a TTL given in seconds, as the runtime takes it.
func (s *Store) PutSeconds(key, value string, ttlSeconds int) error {
	return s.wrap("put", key, s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: ttlSeconds}))
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	return s.wrap("delete", key, s.ns.Delete(key))
}

// List returns one page of keys under prefix.
func (s *Store) List(prefix, cursor string, limit int) (*kv.ListResult, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	return res, s.wrap("list", prefix, err)
}

// Namespace exposes the binding for options the adapter does not wrap.
func (s *Store) Namespace() *kv.Namespace { return s.ns }
