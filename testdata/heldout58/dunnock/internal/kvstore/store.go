// Package kvstore is the backend's adapter for Cloudflare Workers KV. It talks
// to the REST API through cloudflare-go and exposes a small Store that the
// domain packages compose with layers (prefixing, TTL defaults, retries,
// metrics, a tiny in-process read cache).
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Entry is one value to write. TTL is in seconds; zero means no expiry.
type Entry struct {
	Key   string
	Value string
	TTL   int
}

// Page is one page of a key listing.
type Page struct {
	Keys   []string
	Cursor string
	Done   bool
}

// Store is the minimal KV surface used by the domain packages.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, e Entry) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
	PutMany(ctx context.Context, entries []Entry) error
}

// Seconds converts a duration to the whole seconds KV expects.
func Seconds(d time.Duration) int { return int(d.Seconds()) }

// ShowKey identifies a podcast. It renders as "show/<slug>".
type ShowKey struct{ Slug string }

func (k ShowKey) String() string { return "show/" + k.Slug }

// EpisodeKey identifies an episode of a show.
type EpisodeKey struct {
	Show   string
	Number int
}

// MarshalText implements encoding.TextMarshaler.
func (k EpisodeKey) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "ep/%s/%04d", k.Show, k.Number), nil
}

func (k EpisodeKey) String() string {
	b, _ := k.MarshalText()
	return string(b)
}
