package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Flags select how a record write behaves.
type Flags uint8

const (
	// Sliding rewrites the record with a fresh lifetime on every access.
	Sliding Flags = 1 << iota
	// Retry retries transient write failures with backoff.
	Retry
	// Cache marks the record as a cache entry; short lifetimes are raised.
	Cache
)

// Write stores v as JSON under key, honouring flags.
func (c *Client) Write(ctx context.Context, ns Namespace, key string, v any, ttl time.Duration, f Flags) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	switch {
	case f&Cache != 0:
		return c.PutCache(ctx, ns, key, body, ttl)
	case f&Retry != 0:
		return c.PutRetry(ctx, ns, key, body, ttl)
	default:
		return c.Put(ctx, ns, key, body, ttl)
	}
}

// MustGet reads key or panics. The HTTP layer recovers these panics and
// turns them into 5xx responses.
func (c *Client) MustGet(ctx context.Context, ns Namespace, key string) []byte {
	raw, err := c.Get(ctx, ns, key)
	if err != nil {
		panic(fmt.Errorf("kv get %q: %w", key, err))
	}
	return raw
}

// MustPut writes key or panics.
func (c *Client) MustPut(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) {
	if err := c.Put(ctx, ns, key, value, ttl); err != nil {
		panic(fmt.Errorf("kv put %q: %w", key, err))
	}
}

// As converts an untyped value to T.
func As[T any](v any) (T, bool) {
	t, ok := v.(T)
	return t, ok
}

// AppendLine appends one line of text to the value stored under key.
func (c *Client) AppendLine(ctx context.Context, ns Namespace, key, line string) error {
	old, err := c.Get(ctx, ns, key)
	if err != nil && err != ErrNotFound {
		return err
	}
	return c.Put(ctx, ns, key, append(old, line+"\n"...), 0) // EXPECT kvrace
}
