// Package kvstore is the storage port used by the services. It describes the
// handful of key-value operations they need; cfkv adapts it to Workers KV and
// memkv implements it in memory.
package kvstore

import (
	"context"
	"errors"
	"maps"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("kvstore: key not found")

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Store is the key-value contract every adapter satisfies.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req ListRequest) (Page, error)
}

// Settings is the resolved form of the options passed to Put.
type Settings struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  map[string]string
}

// Option configures a single Put.
type Option interface{ apply(*Settings) }

type ttlOption time.Duration

func (o ttlOption) apply(s *Settings) { s.TTL = time.Duration(o) }

// WithTTL makes the entry expire d after the write.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

type expiresAtOption time.Time

func (o expiresAtOption) apply(s *Settings) { s.ExpiresAt = time.Time(o) }

// WithExpiresAt makes the entry expire at t.
func WithExpiresAt(t time.Time) Option { return expiresAtOption(t) }

type metadataOption map[string]string

func (o metadataOption) apply(s *Settings) {
	if s.Metadata == nil {
		s.Metadata = make(map[string]string, len(o))
	}
	maps.Copy(s.Metadata, o)
}

// WithMetadata attaches key/value pairs to the entry. Arguments alternate
// between names and values; a trailing name without a value is ignored.
func WithMetadata(pairs ...string) Option {
	m := make(metadataOption, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

type optionSet []Option

func (o optionSet) apply(s *Settings) {
	for _, opt := range o {
		if opt != nil {
			opt.apply(s)
		}
	}
}

// Resolve applies opts in order and returns the result.
func Resolve(opts ...Option) Settings {
	var s Settings
	optionSet(opts).apply(&s)
	return s
}

// ListRequest describes one page of a key listing. It is a value type: the
// builder methods return modified copies, so a base request can be shared.
type ListRequest struct {
	prefix string
	cursor string
	limit  int
}

// Keys starts a listing of keys under prefix.
func Keys(prefix string) ListRequest { return ListRequest{prefix: prefix} }

// After continues the listing from cursor.
func (r ListRequest) After(cursor string) ListRequest {
	r.cursor = cursor
	return r
}

// Limit caps the number of keys in the page.
func (r ListRequest) Limit(n int) ListRequest {
	r.limit = n
	return r
}

func (r ListRequest) PrefixValue() string { return r.prefix }
func (r ListRequest) CursorValue() string { return r.cursor }
func (r ListRequest) LimitValue() int     { return r.limit }

// KeyInfo is one listed key. Listings never carry values.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]string
}

// Page is one page of a listing. Cursor is empty when Complete is true.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Names returns the key names in the page.
func (p Page) Names() []string {
	out := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		out[i] = k.Name
	}
	return out
}
