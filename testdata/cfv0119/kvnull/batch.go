package kvnull

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// Quiet: a backfill that skips the keys it failed to read and writes its
// batch of the others: a failure writes nothing for its key.
func backfillSizes(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, keys []string) error {
	var batch []*cloudflare.WorkersKVPair
	for _, k := range keys {
		raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k})
		if err != nil {
			continue
		}
		batch = append(batch, &cloudflare.WorkersKVPair{Key: k, Value: string(raw), Metadata: map[string]any{"bytes": len(raw)}})
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: batch})
	return err
}

// A backfill that writes an empty value for every key it failed to read:
// a timeout replaces the stored value.
func backfillDefaults(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, keys []string) error {
	var batch []*cloudflare.WorkersKVPair
	for _, k := range keys {
		raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k}) // want `every error of this get is taken for a missing key`
		if err != nil {
			raw = []byte("{}")
		}
		batch = append(batch, &cloudflare.WorkersKVPair{Key: k, Value: string(raw)})
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: batch})
	return err
}
