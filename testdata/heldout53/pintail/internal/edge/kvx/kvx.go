//go:build js && wasm

// Package kvx wraps the Workers KV binding for the edge Worker: typed key
// handles, a small value codec, and must-style helpers for handlers that
// recover panics at the top of the request.
package kvx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// nullText is how syscall/js renders a JS null as a Go string; the binding
// resolves get() with null when the key is missing.
const nullText = "<null>"

// ErrMiss is returned when a key holds no value.
var ErrMiss = errors.New("kvx: miss")

// Namespace is one KV binding of the Worker.
type Namespace struct {
	Binding string
	kv      *kv.Namespace
}

// Open binds the named namespace from the Worker environment.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", binding, err)
	}
	return &Namespace{Binding: binding, kv: ns}, nil
}

// Raw gives access to the binding for calls this package does not wrap.
func (n *Namespace) Raw() *kv.Namespace { return n.kv }

// Lookup returns the string under key and whether it was present.
func (n *Namespace) Lookup(key string) (string, bool, error) {
	v, err := n.kv.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}

// Set writes a string with an optional lifetime in whole seconds.
func (n *Namespace) Set(key, value string, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds > 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	return n.kv.PutString(key, value, opts)
}

// Delete removes key.
func (n *Namespace) Delete(key string) error { return n.kv.Delete(key) }

// PutValue encodes v by its dynamic type and stores it.
func (n *Namespace) PutValue(key string, v any, ttl time.Duration) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case int:
		s = strconv.Itoa(x)
	case fmt.Stringer:
		s = x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		s = string(b)
	}
	return n.kv.PutString(key, s, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Key is a typed handle on one key of a namespace.
type Key[T any] struct {
	ns   *Namespace
	name string
}

// NewKey makes a handle; domain packages wrap it in one constructor per kind.
func NewKey[T any](ns *Namespace, name string) Key[T] { return Key[T]{ns: ns, name: name} }

// Name returns the full key.
func (k Key[T]) Name() string { return k.name }

// Load decodes the value, or returns ErrMiss.
func (k Key[T]) Load(ctx context.Context) (T, error) {
	var v T
	if err := ctx.Err(); err != nil {
		return v, err
	}
	raw, err := k.ns.kv.GetString(k.name, nil)
	if err != nil {
		return v, err
	}
	if raw == nullText {
		return v, ErrMiss
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", k.name, err)
	}
	return v, nil
}

// Store encodes v with the given lifetime; zero means no expiry.
func (k Key[T]) Store(ctx context.Context, v T, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return k.ns.kv.PutString(k.name, string(b), opts)
}

// Clear deletes the key.
func (k Key[T]) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return k.ns.kv.Delete(k.name)
}

// Panic is the value must-style helpers panic with.
type Panic struct {
	Op  string
	Key string
	Err error
}

func (p Panic) Error() string { return fmt.Sprintf("kv %s %s: %v", p.Op, p.Key, p.Err) }

// MustGet returns the value under key, "" when missing, and panics with a
// Panic on transport errors.
func MustGet(n *Namespace, key string) string {
	v, ok, err := n.Lookup(key)
	if err != nil {
		panic(Panic{Op: "get", Key: key, Err: err})
	}
	if !ok {
		return ""
	}
	return v
}

// MustPut writes value under key with ttlSeconds (0: no expiry) or panics.
func MustPut(n *Namespace, key, value string, ttlSeconds int) {
	if err := n.Set(key, value, ttlSeconds); err != nil {
		panic(Panic{Op: "put", Key: key, Err: err})
	}
}

// As recovers a typed value from an any.
func As[T any](v any) (T, bool) {
	t, ok := v.(T)
	return t, ok
}
