// Package kvstore wraps a KV namespace behind Get and Set, as applications
// do; kvlint follows calls of it from other packages through facts.
package kvstore

import "github.com/syumai/workers/cloudflare/kv"

type Store struct{ ns *kv.Namespace }

func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns}, nil
}

func (s *Store) Get(key string) (string, error) { return s.ns.GetString(key, nil) }

func (s *Store) Set(key, value string) error { return s.ns.PutString(key, value, nil) }

func (s *Store) Delete(key string) error { return s.ns.Delete(key) }
