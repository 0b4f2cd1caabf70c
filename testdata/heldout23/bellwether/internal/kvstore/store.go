// Package kvstore defines the storage port the service uses for everything it
// keeps in Workers KV, plus the optional capabilities an adapter may offer.
package kvstore

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// ErrUnsupported is returned when a capability is asked of a store that does
// not offer it.
var ErrUnsupported = errors.New("kvstore: operation not supported by this store")

// MaxBulkGet is the number of keys a single bulk read may ask for.
const MaxBulkGet = 100

// MaxListPage is the largest page a list call returns.
const MaxListPage = 1000

// Store is the minimal port every adapter implements.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

// Lister is implemented by stores that can enumerate keys under a prefix.
// The sequence pages lazily; stop ranging to stop paging.
type Lister interface {
	Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
}

// Pager is implemented by stores that hand out one page at a time, for
// callers that persist the cursor between runs.
type Pager interface {
	Page(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// BulkGetter is implemented by stores that read many keys in one round trip.
// Callers must not pass more than MaxBulkGet keys.
type BulkGetter interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

// TTLSetter is implemented by stores that support per-key expiry natively.
// Stores without it ignore WithTTL.
type TTLSetter interface {
	PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Page is one page of a key listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// KeyInfo describes a listed key. Values are never part of a listing.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Keys returns s's key sequence when s can list, and a sequence that yields
// ErrUnsupported otherwise.
func Keys(ctx context.Context, s Store, prefix string) iter.Seq2[string, error] {
	if l, ok := s.(Lister); ok {
		return l.Keys(ctx, prefix)
	}
	return func(yield func(string, error) bool) {
		yield("", ErrUnsupported)
	}
}

// Collect gathers at most max keys from seq.
func Collect(seq iter.Seq2[string, error], max int) ([]string, error) {
	out := make([]string, 0, min(max, MaxListPage))
	for k, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, k)
		if len(out) >= max {
			break
		}
	}
	return out, nil
}

// GetMany reads keys through the store's bulk capability when it has one,
// falling back to one read per key. Missing keys are absent from the result.
func GetMany(ctx context.Context, s Store, keys []string) (map[string][]byte, error) {
	if bg, ok := s.(BulkGetter); ok {
		out := make(map[string][]byte, len(keys))
		for start := 0; start < len(keys); start += MaxBulkGet {
			end := min(start+MaxBulkGet, len(keys))
			part, err := bg.GetMany(ctx, keys[start:end])
			if err != nil {
				return nil, err
			}
			for k, v := range part {
				out[k] = v
			}
		}
		return out, nil
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, err := s.Get(ctx, k) // DEBATABLE kvlist
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
