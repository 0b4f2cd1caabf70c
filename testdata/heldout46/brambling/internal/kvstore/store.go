//go:build !js

// Package kvstore is the back office's thin adapter over the Cloudflare
// REST API for Workers KV.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// Store addresses one namespace of one account.
type Store struct {
	api       *cloudflare.Client
	accountID string
	nsID      string
	log       *slog.Logger
}

// New returns a Store for the given namespace.
func New(token, accountID, nsID string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		accountID: accountID,
		nsID:      nsID,
		log:       slog.Default().With("ns", nsID),
	}
}

// Client exposes the SDK for the few callers that need metadata or bulk
// endpoints directly.
func (s *Store) Client() (*cloudflare.Client, string, string) {
	return s.api, s.accountID, s.nsID
}

// IsStatus reports whether err is an API error with the given HTTP status.
func IsStatus(err error, status int) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// Get returns the value of key. found is false when KV answered 404.
func (s *Store) Get(ctx context.Context, key string) (val []byte, found bool, err error) {
	defer guard("get", key, &err)
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.nsID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsStatus(err, http.StatusNotFound) {
			return nil, false, nil
		}
		return nil, false, err
	}
	defer res.Body.Close()
	val, err = io.ReadAll(res.Body)
	return val, err == nil, err
}

// Put writes val under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, val []byte, ttl time.Duration) (err error) {
	defer guard("put", key, &err)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(val)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err = s.api.KV.Namespaces.Values.Update(ctx, s.nsID, url.PathEscape(key), params)
	return err
}

// PutCache writes a cache entry. Cache lifetimes shorter than KV's
// minimum are raised to it.
func (s *Store) PutCache(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, val, ttl)
}

// PutUntil writes val with an absolute expiry in Unix seconds.
func (s *Store) PutUntil(ctx context.Context, key string, val []byte, expiresAt int64) (err error) {
	defer guard("put", key, &err)
	_, err = s.api.KV.Namespaces.Values.Update(ctx, s.nsID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(val)),
		Expiration: cloudflare.F(float64(expiresAt)),
	})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	defer guard("delete", key, &err)
	_, err = s.api.KV.Namespaces.Values.Delete(ctx, s.nsID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsStatus(err, http.StatusNotFound) {
		return nil
	}
	return err
}

// Update applies fn to the current value of key and stores the result.
// fn receives nil when the key does not exist.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, _, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// PutRetry writes key, backing off on 429 (one write per second per key).
func (s *Store) PutRetry(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		err := s.Put(ctx, key, val, ttl)
		if err == nil || !IsStatus(err, http.StatusTooManyRequests) || attempt == 4 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff):
			backoff *= 2
		}
	}
}

// guard turns a panic inside the SDK (seen with malformed error bodies)
// into an error on the enclosing call.
func guard(op, key string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("kvstore: %s %q: panic: %v", op, key, r)
	}
}
