// Package sdk pins github.com/cloudflare/cloudflare-go/v6 so this module's
// go.sum lists everything the analyzer tests load.
package sdk

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Put writes one value with a TTL.
func Put(ctx context.Context, token, accountID, nsID, key, value string) error {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	_, err := client.KV.Namespaces.Values.Update(ctx, nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(300.0),
	})
	return err
}
