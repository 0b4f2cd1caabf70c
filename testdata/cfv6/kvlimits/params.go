package kvlimits

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"

	"kvlint.test/cfv6/cfparams"
)

const podiumSize = 250

// Parameters built by a helper of another package from plain values.
func (c *client) podium(ctx context.Context, season string) (*kv.NamespaceBulkGetResponse, error) {
	keys := make([]string, 0, podiumSize)
	for rank := 1; rank <= podiumSize; rank++ {
		keys = append(keys, fmt.Sprintf("rank/%s/%d", season, rank))
	}
	return c.cf.KV.Namespaces.BulkGet(ctx, c.ns, cfparams.BulkRead(c.account, keys)) // want `this bulk get sends 250 keys`
}

func (c *client) revokedSample(ctx context.Context, cursor string) (*pagination.CursorLimitPagination[kv.Key], error) {
	return c.cf.KV.Namespaces.Keys.List(ctx, c.ns, cfparams.Keys(c.account, "revoked:", cursor, 5)) // want `the KV REST API refuses a list Limit below 10`
}

// Quiet: within the limits.
func (c *client) top(ctx context.Context, season string) (*kv.NamespaceBulkGetResponse, error) {
	keys := make([]string, 0, 10)
	for rank := 1; rank <= 10; rank++ {
		keys = append(keys, fmt.Sprintf("rank/%s/%d", season, rank))
	}
	return c.cf.KV.Namespaces.BulkGet(ctx, c.ns, cfparams.BulkRead(c.account, keys))
}

func (c *client) revokedPage(ctx context.Context, cursor string) (*pagination.CursorLimitPagination[kv.Key], error) {
	return c.cf.KV.Namespaces.Keys.List(ctx, c.ns, cfparams.Keys(c.account, "revoked:", cursor, 100))
}
