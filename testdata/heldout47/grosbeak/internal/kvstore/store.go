//go:build js && wasm

// Package kvstore is the Worker's thin layer over the Workers KV binding.
package kvstore

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/museum"
)

// jsNull is what syscall/js renders for a JS null, which is what the
// binding's get resolves to when a key is absent.
const jsNull = "<null>"

// Store wraps one KV binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds the namespace named in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the raw binding for streaming and listing.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Text returns the value under key, or a *museum.NotFoundError.
func (s *Store) Text(key string) (string, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("kvstore: get %s: %w", key, err)
	}
	if v == jsNull {
		return "", &museum.NotFoundError{Key: key}
	}
	return v, nil
}

// JSON decodes the value under key into dst.
func (s *Store) JSON(key string, dst any) error {
	raw, err := s.Text(key)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), dst)
}

// PutTTL stores val for at least a minute.
func (s *Store) PutTTL(key, val string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(key, val, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutFor stores val with the given lifetime.
func (s *Store) PutFor(key, val string, ttl time.Duration) error {
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return s.ns.PutString(key, val, opts)
}

// Put stores val with no expiry.
func (s *Store) Put(key, val string) error {
	return s.ns.PutString(key, val, nil)
}

// PutJSON encodes v and stores it with the given lifetime.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.PutTTL(key, string(b), ttl)
}

// Stream copies the value under key into w.
func (s *Store) Stream(key string, w io.Writer) (int64, error) {
	r, err := s.ns.GetReader(key, nil)
	if err != nil {
		return 0, err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	return io.Copy(w, r)
}

// Remove deletes key.
func (s *Store) Remove(key string) error {
	return s.ns.Delete(key)
}

// AppendLine adds one newline-terminated record to the log under key.
func (s *Store) AppendLine(key, line string, ttl time.Duration) error {
	cur, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur == jsNull {
		cur = ""
	}
	return s.ns.PutString(key, cur+line+"\n", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvrace
}
