// Package kvstore adapts Workers KV, through the Worker binding or the REST API,
// to a few small interfaces that decorators can be stacked on.
package kvstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Missing is what the Worker binding's text get yields for a key that does not
// exist: syscall/js renders the JS null as "<null>".
const Missing = "<null>"

// Getter reads one value as text.
type Getter interface {
	Get(ctx context.Context, key Key) (string, error)
}

// Putter writes one value; a ttl of zero means the value never expires.
type Putter interface {
	Put(ctx context.Context, key Key, value string, ttl time.Duration) error
}

// Deleter removes one key.
type Deleter interface {
	Delete(ctx context.Context, key Key) error
}

// Lister returns one page of key names.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Store reads and writes values.
type Store interface {
	Getter
	Putter
}

// Namespace is everything a KV namespace can do.
type Namespace interface {
	Store
	Deleter
	Lister
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix Key
	Cursor string
	Limit  int
}

// Entry is one listed key.
type Entry struct {
	Name       Key
	Expiration time.Time
}

// Page is one page of a listing.
type Page struct {
	Keys     []Entry
	Cursor   string
	Complete bool
}

// Layer wraps a namespace in a decorator.
type Layer func(Namespace) Namespace

// Stack applies layers to base, innermost first.
func Stack(base Namespace, layers ...Layer) Namespace {
	ns := base
	for _, l := range layers {
		ns = l(ns)
	}
	return ns
}

// Key is a KV key. Parts are joined with ':'.
type Key string

// Child appends one path-escaped part.
func (k Key) Child(part string) Key {
	if k == "" {
		return Key(url.PathEscape(part))
	}
	return k + ":" + Key(url.PathEscape(part))
}

// ChildID appends a numeric part.
func (k Key) ChildID(id int64) Key {
	return Key(strconv.AppendInt([]byte(k+":"), id, 10))
}

// Versioned names one version of the record at k.
func (k Key) Versioned(n int) Key {
	return Key(fmt.Sprint(k, "@v", n))
}

// Opaque makes a key part from random or binary bytes.
func Opaque(prefix Key, raw []byte) Key {
	return prefix.Child(base64.RawURLEncoding.EncodeToString(raw))
}
