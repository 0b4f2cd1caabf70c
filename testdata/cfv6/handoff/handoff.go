// Package handoff calls the functions it is given, and knows nothing of
// KV: a retry helper of the kind every service has.
package handoff

import (
	"context"
	"time"
)

// Twice calls write, and once more if it fails.
func Twice(ctx context.Context, key string, ttl time.Duration, write func(context.Context, string, []byte, time.Duration) error) error {
	if err := write(ctx, key, nil, ttl); err != nil {
		return write(ctx, key, nil, ttl)
	}
	return nil
}
