// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go
// v0.30, with the older method names (WriteWorkersKVBulk).
package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

const cacheFor = 45 * time.Second

func bulk(ctx context.Context, api *cloudflare.API, ns string, keys []string) error {
	req := cloudflare.WorkersKVBulkWriteRequest{}
	for _, k := range keys {
		req = append(req, &cloudflare.WorkersKVPair{Key: k, Value: "1", ExpirationTTL: int(cacheFor.Seconds())}) // want `ExpirationTTL 45 is below`
	}
	_, err := api.WriteWorkersKVBulk(ctx, ns, req)
	return err
}

func bulkMillis(ctx context.Context, api *cloudflare.API, ns string) error {
	_, err := api.WriteWorkersKVBulk(ctx, ns, cloudflare.WorkersKVBulkWriteRequest{
		{Key: "k", Value: "v", Expiration: int(time.Now().UnixMilli()) + 60_000}, // want `a Unix time in ms`
	})
	return err
}

func bulkFine(ctx context.Context, api *cloudflare.API, ns string) error {
	_, err := api.WriteWorkersKVBulk(ctx, ns, cloudflare.WorkersKVBulkWriteRequest{
		{Key: "k", Value: "v", ExpirationTTL: 90},
		{Key: "k2", Value: "v", Expiration: int(time.Now().Unix()) + 90},
	})
	return err
}

func single(ctx context.Context, api *cloudflare.API, ns string) error {
	if _, err := api.WriteWorkersKV(ctx, ns, "k", []byte("v")); err != nil {
		return err
	}
	_, err := api.ReadWorkersKV(ctx, ns, "k")
	return err
}
