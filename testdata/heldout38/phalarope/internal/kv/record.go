package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/phalarope/internal/retry"
)

// Record is a domain value that knows where it lives and for how long.
// A TTL of zero means the record does not expire.
type Record interface {
	Key() string
	TTL() time.Duration
}

var readPolicy = retry.Policy{
	Attempts:  3,
	Base:      100 * time.Millisecond,
	Max:       time.Second,
	Retryable: func(err error) bool { return !errors.Is(err, ErrNotFound) },
}

// Save writes rec under rec.Key() for rec.TTL().
func Save[T Record](ctx context.Context, c *Client, ns Namespace, rec T) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode %T: %w", rec, err)
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return putValue(ctx, c, ns, rec.Key(), b, rec.TTL())
	})
}

// Load reads the record stored under key.
func Load[T Record](ctx context.Context, c *Client, ns Namespace, key string) (T, error) {
	var out T
	raw, err := retry.Value(ctx, readPolicy, func(ctx context.Context) ([]byte, error) {
		return ns.Get(ctx, c, key)
	})
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decode %s: %w", key, err)
	}
	return out, nil
}

// Forget deletes rec.
func Forget[T Record](ctx context.Context, c *Client, ns Namespace, rec T) error {
	return ns.Delete(ctx, c, rec.Key())
}
