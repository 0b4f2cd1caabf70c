// Package rest writes to Workers KV through the Cloudflare REST API
// (cloudflare-go v6), from an ordinary server.
package rest

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Remember stores v under key for a short while.
func Remember(ctx context.Context, client *cloudflare.Client, acct, nsID, key, v string) error {
	// kvttl: KV rejects an ExpirationTTL below 60 seconds with HTTP 400.
	_, err := client.KV.Namespaces.Values.Update(ctx, nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(acct),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(10.0),
	})
	return err
}

// RememberLonger is the look-alike that must stay quiet: one hour.
func RememberLonger(ctx context.Context, client *cloudflare.Client, acct, nsID, key, v string) error {
	_, err := client.KV.Namespaces.Values.Update(ctx, nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(acct),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(3600.0),
	})
	return err
}

// Keys returns up to a page of key names.
func Keys(ctx context.Context, client *cloudflare.Client, acct, nsID, cursor string) ([]string, string, error) {
	// kvlimits: a list page holds at most 1,000 keys.
	res, err := client.KV.Namespaces.Keys.List(ctx, nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(acct),
		Cursor:    cloudflare.F(cursor),
		Limit:     cloudflare.F(5000.0),
	})
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}
