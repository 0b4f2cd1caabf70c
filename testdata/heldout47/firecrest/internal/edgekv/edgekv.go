//go:build js && wasm

// Package edgekv is the Worker's thin layer over the KV bindings. It turns
// KV's null into *courier.NotFoundError and keeps the JSON plumbing in one place.
package edgekv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
)

// jsNull is what syscall/js renders for a JavaScript null.
const jsNull = "<null>"

// Store is one KV namespace binding.
type Store struct {
	NS      *kv.Namespace
	binding string
}

// Open binds a namespace by its wrangler.toml binding name.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Store{NS: ns, binding: binding}, nil
}

// GetText returns the value at key, or *courier.NotFoundError.
func (s *Store) GetText(key string, cacheTTL int) (string, error) {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: cacheTTL}
	}
	v, err := s.NS.GetString(key, opts)
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == jsNull {
		return "", &courier.NotFoundError{Key: key}
	}
	return v, nil
}

// GetJSON decodes the value at key into dst.
func (s *Store) GetJSON(key string, dst any) error {
	v, err := s.GetText(key, 0)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(v), dst)
}

// PutJSON encodes v and stores it for ttl. Anything shorter than a minute is
// stored for a minute.
func (s *Store) PutJSON(key string, v any, ttl time.Duration) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.NS.PutString(key, buf.String(), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutText stores a string value; ttlSeconds of 0 means no expiry.
func (s *Store) PutText(key, value string, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds != 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	return s.NS.PutString(key, value, opts)
}

// PutFor stores a string value that lives for d.
func (s *Store) PutFor(key, value string, d time.Duration) error {
	return s.NS.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(d.Seconds())})
}

// Remove deletes key. Deleting a missing key is not an error in KV.
func (s *Store) Remove(key string) error {
	return s.NS.Delete(key)
}

// AppendLine adds one line to a newline-delimited value.
func (s *Store) AppendLine(key, line string, ttl time.Duration) error {
	cur, err := s.GetText(key, 0)
	if err != nil && !isMiss(err) {
		return err
	}
	if cur != "" && !strings.HasSuffix(cur, "\n") {
		cur += "\n"
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.NS.PutString(key, cur+line+"\n", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvrace
}

// Bump adds delta to the integer stored at key and returns the new value.
func (s *Store) Bump(key string, delta int, ttlSeconds int) (int, error) {
	cur, err := s.GetText(key, 0)
	n := 0
	switch {
	case err == nil:
		n, err = strconv.Atoi(cur)
		if err != nil {
			return 0, fmt.Errorf("edgekv: %s is not a number: %w", key, err)
		}
	case isMiss(err):
	default:
		return 0, err
	}
	n += delta
	return n, s.NS.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: ttlSeconds}) // EXPECT kvcounter|kvrace
}

func isMiss(err error) bool {
	_, ok := err.(*courier.NotFoundError)
	return ok
}
