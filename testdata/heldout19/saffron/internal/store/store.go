// Package store defines the storage port of Saffron's domain services; the
// kvstore adapter talks to Workers KV and memstore keeps data in process.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Reader.Get when no value is stored under a key.
var ErrNotFound = errors.New("store: key not found")

// ErrNoChange may be returned from an Update callback to skip the write.
var ErrNoChange = errors.New("store: no change")

// Seconds is a relative expiry in whole seconds. Zero means "never expires".
type Seconds int64

// MinTTL is the shortest relative expiry the edge store accepts.
const MinTTL Seconds = 60

// SecondsOf converts d to whole seconds, truncating any remainder.
func SecondsOf(d time.Duration) Seconds { return Seconds(d / time.Second) }

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// AtLeast raises a positive s to floor. Zero (no expiry) is returned unchanged.
func (s Seconds) AtLeast(floor Seconds) Seconds {
	if s > 0 && s < floor {
		return floor
	}
	return s
}

// Reader is the query half of the port.
type Reader interface {
	// Get returns the stored bytes, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer is the command half of the port.
type Writer interface {
	// Put stores value under key. A ttl of zero keeps the value until deleted.
	Put(ctx context.Context, key string, value []byte, ttl Seconds) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Query selects one page of keys.
type Query struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key. Values are not included.
type KeyInfo struct {
	Name       string
	Expiration int64 // unix seconds, zero when the key does not expire
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Lister enumerates keys by prefix, one page at a time.
type Lister interface {
	List(ctx context.Context, q Query) (Page, error)
}

// ReadWriter combines both halves for services that need them.
type ReadWriter interface {
	Reader
	Writer
}

// Store is the whole port.
type Store interface {
	ReadWriter
	Lister
}

// Split composes a ReadWriter from independent halves, e.g. a cached reader
// and a direct writer.
func Split(r Reader, w Writer) ReadWriter {
	return struct {
		Reader
		Writer
	}{r, w}
}
