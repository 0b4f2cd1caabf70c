// Package kvstore adapts Workers KV namespaces to a few small interfaces that
// the domain packages compose, plus layers that can be stacked on top of a
// namespace (prefixing, metrics, read-only guards, TTL floors).
package kvstore

import (
	"errors"
	"strconv"
	"time"
)

// Key is a KV key. Segments are joined with ':'.
type Key string

// Child returns k extended by one segment.
func (k Key) Child(part string) Key { return k + ":" + Key(part) }

// Versioned returns k with a schema version suffix, e.g. "sub:abc@v2".
func (k Key) Versioned(n int) Key {
	return Key(strconv.AppendInt(append([]byte(k), "@v"...), int64(n), 10))
}

var (
	ErrNotFound = errors.New("kvstore: key not found")
	ErrReadOnly = errors.New("kvstore: store is read-only")
)

// Getter reads a single value; a missing key is ErrNotFound.
type Getter interface {
	Get(key Key) (string, error)
}

// Putter writes a single value. A ttl of zero means the value does not expire.
type Putter interface {
	Put(key Key, value string, ttl time.Duration) error
}

type Deleter interface {
	Delete(key Key) error
}

// Lister returns one page of keys under prefix, starting at cursor.
type Lister interface {
	List(prefix Key, cursor string, limit int) (Page, error)
}

type Store interface {
	Getter
	Putter
}

type Full interface {
	Store
	Deleter
	Lister
}

// Page is one page of a listing.
type Page struct {
	Keys   []Entry
	Cursor string
	Done   bool
}

type Entry struct {
	Name    Key
	Expires time.Time
}
