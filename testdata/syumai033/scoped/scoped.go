// Package scoped is a store whose Scope returns a copy with a longer key
// prefix, and whose Lookup returns a small generic option: the shapes of
// a store scoped per tenant for one request.
package scoped

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Store is a prefixed view of one namespace.
type Store struct {
	ns     *kv.Namespace
	prefix string
}

// Open binds the namespace named binding.
func Open(binding string) (Store, error) {
	ns, err := kv.NewNamespace(binding)
	return Store{ns: ns}, err
}

// Scope returns a copy of s whose keys live under scope.
func (s Store) Scope(scope string) Store {
	s.prefix = s.prefix + scope + ":"
	return s
}

// Under returns a copy of s whose keys live under name and each of ids.
func (s Store) Under(name string, ids ...string) Store {
	p := s.prefix + name + ":"
	for _, id := range ids {
		p += id + ":"
	}
	return Store{ns: s.ns, prefix: p}
}

// Option is a value that may be absent.
type Option[T any] struct {
	val T
	ok  bool
}

// Some wraps a present value.
func Some[T any](v T) Option[T] { return Option[T]{val: v, ok: true} }

// Get returns the value and whether it is present.
func (o Option[T]) Get() (T, bool) { return o.val, o.ok }

// Lookup reads key; the option is empty when the key is missing.
func (s Store) Lookup(key string) (Option[string], error) {
	v, err := s.ns.GetString(s.prefix+key, nil)
	if err != nil || v == "<null>" {
		return Option[string]{}, err
	}
	return Some(v), nil
}

// Get reads key.
func (s Store) Get(key string) (string, error) {
	return s.ns.GetString(s.prefix+key, nil)
}

// Put writes key.
func (s Store) Put(key, value string) error {
	return s.ns.PutString(s.prefix+key, value, nil)
}

// PutJSON writes v encoded as JSON, through a buffer from a pool.
func (s Store) PutJSON(key string, v any) error {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer buffers.Put(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	return s.Put(key, buf.String())
}

// GetJSON reads key of s and decodes it into a T, unless ctx is done.
func GetJSON[T any](ctx context.Context, s Store, key string) (Option[T], error) {
	if err := ctx.Err(); err != nil {
		return Option[T]{}, err
	}
	raw, err := s.Lookup(key)
	if err != nil {
		return Option[T]{}, err
	}
	str, ok := raw.Get()
	if !ok {
		return Option[T]{}, nil
	}
	var v T
	if err := json.Unmarshal([]byte(str), &v); err != nil {
		return Option[T]{}, err
	}
	return Some(v), nil
}

// Keyed is a record that knows its own key.
type Keyed interface{ Key() string }

// Load decodes the record stored under key.
func Load[T any](s Store, key string) (T, error) {
	var v T
	raw, err := s.Get(key)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal([]byte(raw), &v)
	return v, err
}

// Save writes a record under its own key.
func Save[T Keyed](s Store, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.ns.PutString(s.prefix+v.Key(), string(b), nil)
}
