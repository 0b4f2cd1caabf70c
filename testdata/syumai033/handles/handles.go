// Package handles wraps a binding the way many Workers do: a Namespace
// that hands out its raw binding, and typed key handles, Key[T], made by
// one constructor, that load and store a JSON value under the key they
// hold.
package handles

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type Namespace struct {
	binding string
	kv      *kv.Namespace
}

func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Namespace{binding: binding, kv: ns}, nil
}

// Raw exposes the binding for calls that need the SDK's options.
func (n *Namespace) Raw() *kv.Namespace { return n.kv }

func (n *Namespace) Put(key, value string) error { return n.kv.PutString(key, value, nil) }

func (n *Namespace) Delete(key string) error { return n.kv.Delete(key) }

// Key is a typed handle on one key.
type Key[T any] struct {
	ns   *Namespace
	name string
}

func NewKey[T any](ns *Namespace, name string) Key[T] { return Key[T]{ns: ns, name: name} }

func (k Key[T]) Name() string { return k.name }

func (k Key[T]) Load() (T, error) {
	var v T
	raw, err := k.ns.kv.GetString(k.name, nil)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(raw), &v)
}

func (k Key[T]) Store(v T, ttl int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return k.ns.kv.PutString(k.name, string(b), &kv.PutOptions{ExpirationTTL: ttl})
}

func (k Key[T]) Delete() error { return k.ns.kv.Delete(k.name) }
