// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go/v4:
// the same generated API under another major version.
package kvttl

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

const ttlSeconds = 40

func put(ctx context.Context, token, account, ns, key, v string) error {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	_, err := client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(v),
		ExpirationTTL: cloudflare.F[float64](ttlSeconds), // want `ExpirationTTL 40 is below KV's 60-second minimum`
	})
	if err != nil {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(v),
		ExpirationTTL: cloudflare.F[float64](ttlSeconds * 60),
	})
	return err
}
