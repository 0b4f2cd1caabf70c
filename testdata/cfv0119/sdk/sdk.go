// Package sdk pins github.com/cloudflare/cloudflare-go v0.119.0 (the
// ResourceContainer/params API) so this module's go.sum lists everything
// the analyzer tests load.
package sdk

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// Put writes one value with a TTL through the bulk endpoint, the only v0
// call that takes a TTL.
func Put(ctx context.Context, api *cloudflare.API, accountID, nsID, key, value string) error {
	_, err := api.WriteWorkersKVEntries(ctx, cloudflare.AccountIdentifier(accountID), cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: nsID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: value, ExpirationTTL: 300}},
	})
	return err
}
