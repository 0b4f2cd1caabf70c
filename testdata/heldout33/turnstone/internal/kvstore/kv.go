// Package kvstore adapts the Cloudflare REST API for Workers KV to the small
// surface the turnstone backend needs. Two clients live side by side while the
// migration from cloudflare-go v0 to v6 is in progress: Namespace wraps the v0
// client, Store wraps the v6 client.
package kvstore

import (
	"context"
	"errors"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	cfv6 "github.com/cloudflare/cloudflare-go/v6"
)

// MinTTL is the smallest expiration_ttl the KV API accepts.
const MinTTL = 60 * time.Second

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// KV is the operation set shared by both clients.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value any, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Complete reports whether this was the last page.
func (p Page) Complete() bool { return p.Cursor == "" }

// KeyInfo describes a listed key. Values are not part of a listing.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   any
}

// IsNotFound reports whether err means the key does not exist, for errors
// coming from either SDK or from this package.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var nf *cf.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var apiErr *cfv6.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == 404
}

// IsRateLimited reports whether err is a 429 from the KV API.
func IsRateLimited(err error) bool {
	var rl *cf.RatelimitError
	if errors.As(err, &rl) {
		return true
	}
	var apiErr *cfv6.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == 429
}
