// Package kvstore adapts the Cloudflare SDKs to the small KV surface the rest
// of gadwall uses, and translates SDK errors into the sentinels below.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
)

var (
	// ErrNotFound is returned when a key does not exist (HTTP 404).
	ErrNotFound = errors.New("kvstore: key not found")
	// ErrRateLimited is returned on HTTP 429.
	ErrRateLimited = errors.New("kvstore: rate limited")
)

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a key listing; an empty Cursor ends the listing.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// KV is the namespace surface used by the domain packages.
type KV interface {
	Get(ctx context.Context, key fmt.Stringer) ([]byte, error)
	Put(ctx context.Context, key fmt.Stringer, value []byte) error
	PutTTL(ctx context.Context, key fmt.Stringer, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key fmt.Stringer) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// BulkWriter is implemented by stores that can write many pairs in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// Mutator is implemented by stores that offer a read-modify-write helper.
type Mutator interface {
	Mutate(ctx context.Context, key fmt.Stringer, fn func(old []byte) ([]byte, error)) error
}

// translate maps SDK errors to the package sentinels.
func translate(err error) error {
	if err == nil {
		return nil
	}
	status := 0
	var v0 *cloudflare.Error
	var v2 *cfv2.Error
	switch {
	case errors.As(err, &v0):
		status = v0.StatusCode
	case errors.As(err, &v2):
		status = v2.StatusCode
	}
	switch status {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case http.StatusTooManyRequests:
		return fmt.Errorf("%w: %v", ErrRateLimited, err)
	}
	return err
}

// Retryable reports whether err is worth another attempt.
func Retryable(err error) bool { return errors.Is(err, ErrRateLimited) }
