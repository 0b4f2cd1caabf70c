// Package kvstore is garnet's adapter over Workers KV. A Store is a small value:
// copying it with Scope, WithPrefix or WithNamespace gives a view for one tenant
// or one request without touching the original.
package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"garnet/internal/result"
)

// MaxBulk is the largest number of pairs the bulk endpoint accepts per call.
const MaxBulk = 10_000

// Store is a prefixed view of one KV namespace.
type Store struct {
	d      driver
	ns     string
	prefix string
}

// Open returns a Store for the named driver: "cloudflare" or "memory".
func Open(driverName string, api *cloudflare.API, accountID, namespaceID string) (Store, error) {
	switch driverName {
	case "cloudflare", "":
		if api == nil {
			return Store{}, errors.New("kvstore: cloudflare driver needs an API client")
		}
		return Store{d: restDriver{api: api, rc: cloudflare.AccountIdentifier(accountID)}, ns: namespaceID}, nil
	case "memory":
		return Store{d: newMemDriver(), ns: namespaceID}, nil
	default:
		return Store{}, fmt.Errorf("kvstore: unknown driver %q", driverName)
	}
}

// Scope returns a copy of s whose keys live under scope, e.g. "tenant:42".
func (s Store) Scope(scope string) Store {
	s.prefix = s.prefix + scope + ":"
	return s
}

// WithPrefix returns a copy of s with p appended to the key prefix.
func (s Store) WithPrefix(p string) Store {
	s.prefix += p
	return s
}

// WithNamespace returns a copy of s bound to another namespace, same prefix.
func (s Store) WithNamespace(ns string) Store {
	s.ns = ns
	return s
}

// Namespace is the namespace ID this view writes to.
func (s Store) Namespace() string { return s.ns }

// Key is the full key for k in this view.
func (s Store) Key(k string) string { return s.prefix + k }

// Get returns the raw value of key. A missing key is an error.
func (s Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.d.get(ctx, s.ns, s.Key(key))
}

// Lookup is Get with a missing key reported as None rather than an error.
func (s Store) Lookup(ctx context.Context, key string) (result.Option[[]byte], error) {
	v, err := s.d.get(ctx, s.ns, s.Key(key))
	if err != nil {
		if isNotFound(err) {
			return result.None[[]byte](), nil
		}
		return result.None[[]byte](), err
	}
	return result.Some(v), nil
}

// Put writes a value with no expiry.
func (s Store) Put(ctx context.Context, key string, val []byte) error {
	return s.d.put(ctx, s.ns, s.Key(key), val)
}

// PutTTL writes a value that expires ttl from now.
func (s Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.d.bulk(ctx, s.ns, []*cloudflare.WorkersKVPair{{
		Key:           s.Key(key),
		Value:         string(val),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutFresh writes a cache entry. Cache lifetimes are rounded up to the
// shortest lifetime KV keeps.
func (s Store) PutFresh(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, key, val, ttl)
}

// PutUntil writes a value that expires at the absolute time at.
func (s Store) PutUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	return s.d.bulk(ctx, s.ns, []*cloudflare.WorkersKVPair{{
		Key:        s.Key(key),
		Value:      string(val),
		Expiration: int(at.Unix()),
	}})
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// PutJSON encodes v with a pooled buffer and writes it; ttl 0 means no expiry.
func (s Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	val := bytes.TrimRight(buf.Bytes(), "\n")
	if ttl == 0 {
		return s.Put(ctx, key, val)
	}
	return s.PutTTL(ctx, key, val, ttl)
}

// GetJSON reads key and decodes it into v.
func (s Store) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Update reads key, applies fn to the current value (nil when missing) and
// writes the result back.
func (s Store) Update(ctx context.Context, key string, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	cur, _ := old.Get()
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next) // EXPECT kvrace
}

// Delete removes key.
func (s Store) Delete(ctx context.Context, key string) error {
	return s.d.del(ctx, s.ns, s.Key(key))
}

// List returns one page of keys under prefix (relative to the view), starting at cursor.
func (s Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return s.d.list(ctx, s.ns, cloudflare.ListWorkersKVsParams{
		Prefix: s.Key(prefix),
		Cursor: cursor,
		Limit:  limit,
	})
}

// Entry is one pair for PutMany.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

// PutMany writes entries with the bulk endpoint, MaxBulk at a time. Every
// chunk is attempted; the errors of failed chunks are joined.
func (s Store) PutMany(ctx context.Context, entries []Entry) error {
	var errs []error
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range entries[start:end] {
			p := &cloudflare.WorkersKVPair{Key: s.Key(e.Key), Value: string(e.Value), Metadata: e.Meta}
			if e.TTL > 0 {
				p.ExpirationTTL = int(e.TTL.Seconds())
			}
			pairs = append(pairs, p)
		}
		if err := s.d.bulk(ctx, s.ns, pairs); err != nil {
			errs = append(errs, fmt.Errorf("chunk %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

// DeleteMany removes keys (relative to the view) in bulk.
func (s Store) DeleteMany(ctx context.Context, keys []string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.Key(k)
	}
	return s.d.delMany(ctx, s.ns, full)
}

// IsNotFound reports whether err from Get means the key does not exist.
func IsNotFound(err error) bool { return isNotFound(err) }
