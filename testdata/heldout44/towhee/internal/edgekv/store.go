//go:build js && wasm

// Package edgekv is the Worker's thin adapter over a KV binding.
package edgekv

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// missing is how syscall/js renders the JS null that KV returns for an
// absent key.
const missing = "<null>"

// Store wraps one namespace binding. Hooks run in registration order.
type Store struct {
	NS      *kv.Namespace
	Binding string

	beforeSave  []func(key string, value *string) error
	afterDelete []func(key string)
}

// Open binds the namespace for the current request.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", binding, err)
	}
	return &Store{NS: ns, Binding: binding}, nil
}

// BeforeSave registers a hook that may rewrite or veto a value.
func (s *Store) BeforeSave(fn func(key string, value *string) error) {
	s.beforeSave = append(s.beforeSave, fn)
}

// AfterDelete registers a hook that runs after a successful delete.
func (s *Store) AfterDelete(fn func(key string)) {
	s.afterDelete = append(s.afterDelete, fn)
}

// Get returns the value and whether the key exists.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.NS.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache lifetime in seconds.
func (s *Store) GetCached(key string, cacheSeconds int) (string, bool, error) {
	v, err := s.NS.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: cacheSeconds})
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value into dst and reports whether it existed.
func (s *Store) GetJSON(key string, dst any) (bool, error) {
	v, ok, err := s.Get(key)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal([]byte(v), dst)
}

// Put writes value with a relative lifetime; ttl of zero keeps it forever.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	for _, h := range s.beforeSave {
		if err := h(key, &value); err != nil {
			return err
		}
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return s.NS.PutString(key, value, opts)
}

// PutAtLeast is Put for lifetimes computed at run time: anything under a
// minute is stored for a minute.
func (s *Store) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(key, value, ttl)
}

// PutJSON encodes v and stores it with Put.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(key, string(b), ttl)
}

// PutUntil stores value until the absolute time at.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	return s.NS.PutString(key, value, &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())})
}

// Append adds one line to a newline-separated log value.
func (s *Store) Append(key, line string, ttl time.Duration) error {
	cur, ok, err := s.Get(key)
	if err != nil {
		return err
	}
	if ok && cur != "" {
		line = cur + "\n" + line
	}
	return s.Put(key, line, ttl) // EXPECT kvrace
}

// Delete removes key and runs the AfterDelete hooks.
func (s *Store) Delete(key string) error {
	if err := s.NS.Delete(key); err != nil {
		return err
	}
	for _, h := range s.afterDelete {
		h(key)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor for the next,
// or "" when the listing is complete.
func (s *Store) Page(prefix, cursor string, limit int) ([]*kv.ListKey, string, error) {
	res, err := s.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	if res.ListComplete {
		return res.Keys, "", nil
	}
	return res.Keys, res.Cursor, nil
}
