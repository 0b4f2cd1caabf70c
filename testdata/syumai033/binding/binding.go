// Package binding is an adapter that opens its Workers KV binding on
// every call, as the runtime's environment exists only during an event.
package binding

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

var ErrNotFound = errors.New("binding: not found")

type Store struct{ name string }

func New(name string) *Store { return &Store{name: name} }

func (s *Store) Namespace() *kv.Namespace {
	ns, err := kv.NewNamespace(s.name)
	if err != nil {
		panic(err)
	}
	return ns
}

func (s *Store) Get(key string) (string, error) {
	v, err := s.Namespace().GetString(key, nil)
	if err != nil {
		return "", err
	}
	if v == "<null>" {
		return "", ErrNotFound
	}
	return v, nil
}

func (s *Store) Put(key, value string) error {
	return s.Namespace().PutString(key, value, nil)
}
