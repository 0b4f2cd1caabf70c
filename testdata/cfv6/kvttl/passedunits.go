package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type responseCache struct {
	client    *cloudflare.Client
	nsID      string
	accountID string
	ttl       time.Duration
}

// put takes its lifetime in seconds, as the API does, and sets it as is.
func (c *responseCache) put(ctx context.Context, key, value string, ttlSeconds float64) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(ttlSeconds)
	}
	_, err := c.client.KV.Namespaces.Values.Update(ctx, c.nsID, key, params)
	return err
}

// A time.Duration converted as it is passed: nanoseconds, where put
// takes seconds.
func (c *responseCache) store(ctx context.Context, path, body string) error {
	return c.put(ctx, "resp:"+path, body, float64(c.ttl)) // want `ExpirationTTL is a lifetime in seconds, but this converts a time.Duration to nanoseconds`
}

// Quiet: seconds, counted either way.
func (c *responseCache) storeCounted(ctx context.Context, path, body string) error {
	if err := c.put(ctx, "resp:"+path, body, float64(c.ttl/time.Second)); err != nil {
		return err
	}
	return c.put(ctx, "resp2:"+path, body, c.ttl.Seconds())
}
