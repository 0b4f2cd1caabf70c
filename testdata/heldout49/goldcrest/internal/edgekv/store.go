//go:build js && wasm

// Package edgekv is the Worker's thin layer over a Workers KV binding. It
// deals with the "<null>" rendering of missing keys, with TTL units, and with
// list pagination, so handlers can work with typed records.
package edgekv

import (
	"encoding"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// nullText is what GetString returns for a key that does not exist: the
// runtime resolves the promise with JS null and syscall/js renders it so.
const nullText = "<null>"

// minTTL is the shortest expiration KV accepts.
const minTTL = time.Minute

// defaultMaxPages bounds Walk when the caller gives no budget.
const defaultMaxPages = 20

// ErrStop may be returned by a Walk visitor to end the walk early. Walk
// itself then returns nil.
var ErrStop = errors.New("edgekv: stop walk")

// Store wraps one KV binding.
type Store struct {
	ns  *kv.Namespace
	now func() time.Time
}

// Open binds to the KV namespace named binding. It must be called while a
// request or scheduled event is being handled.
func Open(binding string, now func() time.Time) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Store{ns: ns, now: now}, nil
}

// Namespace exposes the underlying binding for callers that need options the
// helpers do not cover.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Text returns the value under key and whether it exists.
func (s *Store) Text(key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == nullText {
		return "", false, nil
	}
	return v, true, nil
}

// Load decodes the value under key into v. It reports false when the key
// does not exist.
func (s *Store) Load(key string, v encoding.BinaryUnmarshaler) (bool, error) {
	raw, ok, err := s.Text(key)
	if err != nil || !ok {
		return false, err
	}
	if err := v.UnmarshalBinary([]byte(raw)); err != nil {
		return false, fmt.Errorf("edgekv: decode %s: %w", key, err)
	}
	return true, nil
}

// LoadText is Load for values with a text encoding.
func (s *Store) LoadText(key string, v encoding.TextUnmarshaler) (bool, error) {
	raw, ok, err := s.Text(key)
	if err != nil || !ok {
		return false, err
	}
	if err := v.UnmarshalText([]byte(raw)); err != nil {
		return false, fmt.Errorf("edgekv: decode %s: %w", key, err)
	}
	return true, nil
}

// Save encodes v under key. A positive ttl shorter than a minute is raised to
// a minute; zero means the value does not expire.
func (s *Store) Save(key string, v encoding.BinaryMarshaler, ttl time.Duration) error {
	b, err := v.MarshalBinary()
	if err != nil {
		return fmt.Errorf("edgekv: encode %s: %w", key, err)
	}
	var opts *kv.PutOptions
	if ttl != 0 {
		if ttl < minTTL {
			ttl = minTTL
		}
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(key, string(b), opts)
}

// SaveTextUntil encodes v under key and lets it expire at the given time.
func (s *Store) SaveTextUntil(key string, v encoding.TextMarshaler, at time.Time) error {
	b, err := v.MarshalText()
	if err != nil {
		return fmt.Errorf("edgekv: encode %s: %w", key, err)
	}
	opts := &kv.PutOptions{}
	if !at.IsZero() {
		opts.Expiration = int(at.Unix())
	}
	return s.ns.PutString(key, string(b), opts)
}

// PutTTL writes a plain string that expires after ttl.
func (s *Store) PutTTL(key, value string, ttl time.Duration) error {
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("edgekv: delete %s: %w", key, err)
	}
	return nil
}

// Meta is what a listing tells about a key without reading it.
type Meta struct {
	Expires time.Time
}

// Walk calls fn for every key under prefix, reading at most maxPages pages
// (defaultMaxPages when maxPages <= 0). fn may return ErrStop to end early.
func (s *Store) Walk(prefix string, maxPages int, fn func(key string, meta Meta) error) error {
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return fmt.Errorf("edgekv: list %s: %w", prefix, err)
		}
		for _, k := range res.Keys {
			var m Meta
			if k.Expiration > 0 {
				m.Expires = time.Unix(int64(k.Expiration), 0).UTC()
			}
			if err := fn(k.Name, m); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}

// Suffix returns key without prefix; it is a convenience for Walk visitors.
func Suffix(key, prefix string) string { return strings.TrimPrefix(key, prefix) }
