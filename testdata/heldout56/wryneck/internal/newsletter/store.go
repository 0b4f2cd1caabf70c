// Package newsletter holds the domain types shared by the backend services:
// the storage contract the KV adapter satisfies, record kinds and their
// lifetimes, and the records themselves.
package newsletter

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Store.Get when the key does not exist.
var ErrNotFound = errors.New("newsletter: not found")

// PutOptions are the optional settings of a write. Nil fields mean "use the
// store's default" (no expiration, no metadata).
type PutOptions struct {
	TTL       *time.Duration
	ExpiresAt *time.Time
	Metadata  map[string]any
}

// ListOptions select a page of keys. Nil Limit means the store default.
type ListOptions struct {
	Prefix *string
	Limit  *int
	Cursor string
}

// Page is one page of a key listing.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Key is a listed key with its metadata.
type Key struct {
	Name     string
	Metadata map[string]any
}

// Store is the key/value contract used by the backend services.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, o PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o ListOptions) (Page, error)
}

// Kind classifies what a record is; it selects a lifetime and a key prefix.
type Kind int

const (
	KindOptIn Kind = iota
	KindPrefs
	KindMagicLink
	KindAdminSession
	KindRefresh
	KindSchedule
	KindTombstone
	kindCount
)

var lifetimes = [...]time.Duration{
	KindOptIn:        48 * time.Hour,
	KindPrefs:        10 * time.Minute,
	KindMagicLink:    15 * time.Minute,
	KindAdminSession: 12 * time.Hour,
	KindRefresh:      30 * 24 * time.Hour,
	KindSchedule:     0,
	KindTombstone:    5 * time.Minute,
}

var prefixes = [kindCount]string{
	KindOptIn:        "optin:",
	KindPrefs:        "sub:",
	KindMagicLink:    "magic:",
	KindAdminSession: "sess:",
	KindRefresh:      "refresh:",
	KindSchedule:     "campaign:",
	KindTombstone:    "sub:",
}

// Lifetime is how long records of this kind live; zero means forever.
func (k Kind) Lifetime() time.Duration {
	if k < 0 || k >= kindCount {
		return 0
	}
	return lifetimes[k]
}

// Key builds the storage key for id.
func (k Kind) Key(id string) string {
	switch k {
	case KindPrefs, KindTombstone:
		return prefixes[k] + id
	default:
		return prefixes[k] + id
	}
}

// Options returns the default put options for this kind.
func (k Kind) Options() PutOptions {
	switch d := k.Lifetime(); {
	case d <= 0:
		return PutOptions{}
	default:
		return PutOptions{TTL: &d}
	}
}
