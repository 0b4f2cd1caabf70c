package kvrace

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

type seedDoc struct{ Key, Value string }

// Quiet: each run of the loop looks at a key of its own, and a key found
// there is skipped, not refused: no look is taken again to pass it.
func seedEach(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, seeds []seedDoc) error {
	for _, s := range seeds {
		if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: s.Key}); err == nil {
			continue
		}
		if _, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: s.Key, Value: []byte(s.Value)}); err != nil {
			return err
		}
	}
	return nil
}
