// Package sdk pins github.com/cloudflare/cloudflare-go v0.30.0 (the old
// WriteWorkersKVBulk API) so this module's go.sum lists everything the
// analyzer tests load.
package sdk

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// Put writes one value with a TTL through the bulk endpoint.
func Put(ctx context.Context, api *cloudflare.API, nsID, key, value string) error {
	_, err := api.WriteWorkersKVBulk(ctx, nsID, cloudflare.WorkersKVBulkWriteRequest{
		{Key: key, Value: value, ExpirationTTL: 300},
	})
	return err
}
