//go:build js && wasm

// Package kv is the thin adapter in front of the Workers KV bindings.
//
// It adds what every caller wants and nothing more: a miss reported as a
// bool, JSON helpers, TTLs as time.Duration, and before-save / after-delete
// hooks that run in the order they were registered.
package kv

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// null is what GetString returns for an absent key: syscall/js renders
// the JS null that KV resolves with as "<null>".
const null = "<null>"

// IsNull reports whether a raw GetString result is KV's "no such key".
func IsNull(v string) bool { return v == null }

// SaveHook runs before every Put; an error aborts the write.
type SaveHook func(key, value string) error

// DeleteHook runs after every successful Delete.
type DeleteHook func(key string)

type Store struct {
	ns      *cloudflare.KVNamespace
	Binding string

	beforeSave  []SaveHook
	afterDelete []DeleteHook
}

// Open binds to a namespace declared in wrangler.toml. Bindings only exist
// inside a request, cron or queue invocation, so callers open per invocation.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kv: open %s: %w", binding, err)
	}
	return &Store{ns: ns, Binding: binding}, nil
}

// NS exposes the SDK namespace for the callers that need list options or
// streams directly.
func (s *Store) NS() *cloudflare.KVNamespace { return s.ns }

func (s *Store) BeforeSave(h SaveHook)    { s.beforeSave = append(s.beforeSave, h) }
func (s *Store) AfterDelete(h DeleteHook) { s.afterDelete = append(s.afterDelete, h) }

// Get returns the value at key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kv %s: get %q: %w", s.Binding, key, err)
	}
	if IsNull(v) {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cacheTtl, for write-rarely values.
func (s *Store) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	opts := &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL / time.Second)}
	v, err := s.ns.GetString(key, opts)
	if err != nil {
		return "", false, fmt.Errorf("kv %s: get %q: %w", s.Binding, key, err)
	}
	if IsNull(v) {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value at key into dst. It reports false on a miss and
// leaves dst alone.
func (s *Store) GetJSON(key string, dst any) (bool, error) {
	raw, ok, err := s.Get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("kv %s: decode %q: %w", s.Binding, key, err)
	}
	return true, nil
}

// Put writes value under key. ttl <= 0 stores the value without expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	for _, h := range s.beforeSave {
		if err := h(key, value); err != nil {
			return fmt.Errorf("kv %s: put %q: %w", s.Binding, key, err)
		}
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kv %s: put %q: %w", s.Binding, key, err)
	}
	return nil
}

// PutJSON encodes v and stores it with Put.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv %s: encode %q: %w", s.Binding, key, err)
	}
	return s.Put(key, string(b), ttl)
}

// PutCache stores a derived, recomputable value. KV refuses lifetimes under
// a minute, so shorter ones are raised to a minute.
func (s *Store) PutCache(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(key, value, ttl)
}

// PutUntil stores value until the absolute time at.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	for _, h := range s.beforeSave {
		if err := h(key, value); err != nil {
			return err
		}
	}
	return s.ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())})
}

// Delete removes key and then runs the after-delete hooks.
func (s *Store) Delete(key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kv %s: delete %q: %w", s.Binding, key, err)
	}
	for _, h := range s.afterDelete {
		h(key)
	}
	return nil
}

// Page is one page of a prefix listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// ListPage returns a single page; pass the returned Cursor back for the next.
func (s *Store) ListPage(prefix, cursor string, limit int) (Page, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fmt.Errorf("kv %s: list %q: %w", s.Binding, prefix, err)
	}
	p := Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, k.Name)
	}
	return p, nil
}

// Keys returns every key under prefix.
func (s *Store) Keys(prefix string) ([]string, error) {
	opts := cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	var out []string
	for {
		res, err := s.ns.List(&opts) // EXPECT kvlist
		if err != nil {
			return nil, fmt.Errorf("kv %s: list %q: %w", s.Binding, prefix, err)
		}
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
		if res.ListComplete {
			return out, nil
		}
		opts.Cursor = res.Cursor
	}
}

// Update loads the JSON object at key (empty if absent), lets fn change it
// and stores the result.
func (s *Store) Update(key string, ttl time.Duration, fn func(m map[string]any) error) error {
	m := map[string]any{}
	if _, err := s.GetJSON(key, &m); err != nil {
		return err
	}
	if err := fn(m); err != nil {
		return err
	}
	return s.PutJSON(key, m, ttl) // EXPECT kvrace
}
