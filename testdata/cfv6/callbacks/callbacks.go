// Package callbacks writes through functions its callers hand it: a
// named function type with methods that call the value itself, and
// helpers that call the function they are given.
package callbacks

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Store writes to one namespace.
type Store struct {
	Client *cloudflare.Client
	NS     string
}

// Put writes val under key for ttl.
func (s *Store) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NS, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// Remove deletes key.
func (s *Store) Remove(ctx context.Context, key string) error {
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NS, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")})
	return err
}

// A Writer stores a value under a key for a lifetime.
type Writer func(ctx context.Context, key string, val []byte, ttl time.Duration) error

// Writer returns a Writer bound to s.
func (s *Store) Writer() Writer {
	return func(ctx context.Context, key string, val []byte, ttl time.Duration) error {
		return s.Put(ctx, key, val, ttl)
	}
}

// JSON encodes v and writes it.
func (w Writer) JSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w(ctx, key, b, ttl)
}

// Retry calls write until it succeeds, at most three times.
func Retry(ctx context.Context, key string, val []byte, ttl time.Duration, write func(context.Context, string, []byte, time.Duration) error) error {
	var err error
	for range 3 {
		if err = write(ctx, key, val, ttl); err == nil {
			return nil
		}
	}
	return err
}

// Logged hands write on to Retry.
func Logged(ctx context.Context, key string, val []byte, ttl time.Duration, write func(context.Context, string, []byte, time.Duration) error) error {
	return Retry(ctx, key, val, ttl, write)
}

// WithLifetime calls fn with the lifetime it is given.
func WithLifetime(ctx context.Context, ttl time.Duration, fn func(context.Context, time.Duration) error) error {
	return fn(ctx, ttl)
}

// Apply calls fn with key, once.
func Apply(ctx context.Context, key string, fn func(context.Context, string) error) error {
	return fn(ctx, key)
}

// EachKey calls fn with each key.
func EachKey(ctx context.Context, keys []string, fn func(context.Context, string) error) error {
	for _, k := range keys {
		if err := fn(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// RemoveAll deletes every key, one by one.
func RemoveAll(ctx context.Context, s *Store, keys ...string) error {
	return EachKey(ctx, keys, func(ctx context.Context, k string) error {
		return s.Remove(ctx, k)
	})
}
