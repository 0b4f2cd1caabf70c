// Package sdk pins github.com/cloudflare/cloudflare-go/v3 so this module's
// go.sum lists everything the analyzer tests load.
package sdk

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// Put writes one value with a TTL, which v3 takes only in a bulk write.
func Put(ctx context.Context, token, accountID, nsID, key, value string) error {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	_, err := client.KV.Namespaces.Bulk.Update(ctx, nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(value),
			ExpirationTTL: cloudflare.F(300.0),
		}},
	})
	return err
}
