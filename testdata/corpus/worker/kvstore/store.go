// Package kvstore wraps a KV namespace with JSON helpers used by the handlers.
package kvstore

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("kvstore: not found")

// Store is a thin JSON layer over one namespace.
type Store struct {
	ns     *kv.Namespace
	prefix string
}

// Open binds the namespace named in wrangler.toml.
func Open(binding, prefix string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns, prefix: prefix}, nil
}

// GetJSON decodes the value under key into v.
func (s *Store) GetJSON(key string, v any) error {
	raw, err := s.ns.GetString(s.prefix+key, nil)
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return ErrNotFound
	}
	return json.Unmarshal([]byte(raw), v)
}

// PutJSON encodes v and stores it for ttl.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.ns.PutString(s.prefix+key, string(b), &kv.PutOptions{
		ExpirationTTL: int(ttl / time.Second),
	})
}

// PutJSONAtLeastMinute is PutJSON for callers that pass short TTLs from
// upstream Cache-Control headers: KV needs a minute at least.
func (s *Store) PutJSONAtLeastMinute(key string, v any, ttl time.Duration) error {
	ttl = max(ttl, time.Minute)
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.ns.PutString(s.prefix+key, string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// SetRaw stores a string as is.
func (s *Store) SetRaw(key, value string, ttl time.Duration) error {
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl) // EXPECT kvttl
	}
	return s.ns.PutString(s.prefix+key, value, opts)
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	return s.ns.Delete(s.prefix + key)
}
