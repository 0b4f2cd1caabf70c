// Package sdk pins github.com/cloudflare/cloudflare-go/v4 so this module's
// go.sum lists everything the analyzer tests load.
package sdk

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// Put writes one value with a TTL.
func Put(ctx context.Context, token, accountID, nsID, key, value string) error {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	_, err := client.KV.Namespaces.Values.Update(ctx, nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(accountID),
		Value:         cloudflare.F(value),
		ExpirationTTL: cloudflare.F(300.0),
	})
	return err
}
