// Package ttl: TTLs given to the interface as a time.Duration.
package ttl

import (
	"context"
	"time"

	"kvlint.test/syumai033/iface"
)

func remember(ctx context.Context, c iface.Cache, key, v string) error {
	return c.Put(ctx, key, v, 10*time.Second) // want `ExpirationTTL 10 is below KV's 60-second minimum`
}

func rememberLonger(ctx context.Context, c iface.Cache, key, v string) error {
	return c.Put(ctx, key, v, 10*time.Minute)
}
