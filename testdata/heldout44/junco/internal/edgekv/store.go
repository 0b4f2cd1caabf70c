//go:build js && wasm

// Package edgekv is the Worker's thin wrapper around a Workers KV binding.
package edgekv

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// Null is what GetString returns for a key that does not exist: syscall/js
// renders the JavaScript null as this string.
const Null = "<null>"

// Store wraps one KV namespace binding. Open it once per request.
type Store struct {
	ns          *kv.Namespace
	binding     string
	beforeSave  []func(key, value string) error
	afterDelete []func(key string)
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("open kv %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the raw binding for callers that need list options.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// BeforeSave registers fn to run, in order, before every Put.
func (s *Store) BeforeSave(fn func(key, value string) error) {
	s.beforeSave = append(s.beforeSave, fn)
}

// AfterDelete registers fn to run, in order, after every successful Delete.
func (s *Store) AfterDelete(fn func(key string)) {
	s.afterDelete = append(s.afterDelete, fn)
}

// Get returns the value at key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache TTL for write-rarely data.
func (s *Store) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value at key into dst. It reports false if the key is missing.
func (s *Store) GetJSON(key string, dst any) (bool, error) {
	raw, ok, err := s.Get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putOptions(ttl time.Duration) *kv.PutOptions {
	if ttl <= 0 {
		return nil
	}
	return &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
}

// Put writes value at key. A ttl of zero stores the key without expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	for _, fn := range s.beforeSave {
		if err := fn(key, value); err != nil {
			return err
		}
	}
	return s.ns.PutString(key, value, putOptions(ttl))
}

// PutExpiring writes value with a lifetime of at least one minute.
func (s *Store) PutExpiring(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(key, value, ttl)
}

// PutJSON encodes v and writes it at key.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(key, string(b), ttl)
}

// AppendJSON appends item to the JSON array stored at key.
func (s *Store) AppendJSON(key string, item any, ttl time.Duration) error {
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var list []json.RawMessage
	if raw != Null {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	list = append(list, b)
	out, _ := json.Marshal(list)
	return s.ns.PutString(key, string(out), putOptions(ttl)) // EXPECT kvrace
}

// Delete removes key and runs the AfterDelete hooks.
func (s *Store) Delete(key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	for _, fn := range s.afterDelete {
		fn(key)
	}
	return nil
}

// Page returns one page of key names under prefix and the cursor of the
// next page, or "" when the listing is complete.
func (s *Store) Page(prefix, cursor string, limit int) ([]string, string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
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
