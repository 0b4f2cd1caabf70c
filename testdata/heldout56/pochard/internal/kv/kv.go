// Package kv holds the option and result types shared by the domain
// packages and the Workers KV adapters. It has no SDK dependency.
package kv

import (
	"errors"
	"time"
)

// ErrNotFound is returned by adapters that translate a 404 into a sentinel.
var ErrNotFound = errors.New("kv: key not found")

// PutOptions are optional settings for a single write. Nil means the
// namespace default (no expiry, no metadata).
type PutOptions struct {
	TTL       *time.Duration
	ExpiresAt *time.Time
	Metadata  any
}

// ListOptions are optional settings for one list call.
type ListOptions struct {
	Prefix *string
	Limit  *int
	Cursor string
}

// Entry is one listed key.
type Entry struct {
	Name       string
	Expiration int64
	Metadata   any
}

// Page is one page of a listing.
type Page struct {
	Keys     []Entry
	Cursor   string
	Complete bool
}

// Pair is one entry of a bulk write. Expiration fields are in seconds, as
// on the wire: ExpirationTTL relative, Expiration absolute (Unix).
type Pair struct {
	Key           string
	Value         []byte
	ExpirationTTL int
	Expiration    int64
	Metadata      any
}
