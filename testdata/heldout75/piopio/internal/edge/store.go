//go:build js && wasm

// Package edge is the Worker half of the service: device uploads, the
// operator dashboard and the scheduled fleet summary, all on KV bindings.
package edge

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/syumai/workers/cloudflare"
)

// missing is how a JS null comes back through GetString.
const missing = "<null>"

// ErrMissing is returned by GetJSON for keys that do not exist.
var ErrMissing = errors.New("edge: key missing")

// Store is a KV binding.
type Store struct {
	*cloudflare.KVNamespace
	Binding string
}

// Open binds the namespace configured under binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{KVNamespace: ns, Binding: binding}, nil
}

// Lookup reads key through the edge cache for cacheTTL seconds.
func (s *Store) Lookup(key string, cacheTTL int) (string, bool, error) {
	v, err := s.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value under key into dst.
func (s *Store) GetJSON(key string, dst any) error {
	v, err := s.GetString(key, nil)
	if err != nil {
		return err
	}
	if v == missing {
		return ErrMissing
	}
	return json.Unmarshal([]byte(v), dst)
}

// PutJSON stores v under key for ttl seconds (0: no expiry).
func (s *Store) PutJSON(key string, v any, ttl int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttl}
	}
	return s.PutString(key, string(b), opts)
}

// bump adds one to the number stored under key.
func (s *Store) bump(key string) (int, error) {
	v, err := s.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	n := 0
	if v != missing {
		n, _ = strconv.Atoi(v)
	}
	n++
	return n, s.PutString(key, strconv.Itoa(n), nil) // EXPECT kvcounter|kvrace
}

// errPartial reports a listing that did not fit in one page.
var errPartial = errors.New("edge: listing incomplete")
