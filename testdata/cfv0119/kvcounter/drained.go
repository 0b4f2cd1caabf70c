package kvcounter

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

// messageCounter is the ingester's count of messages per device since
// the last flush, kept in its memory.
type messageCounter interface {
	DrainCounts() map[string]int
	Readings() map[string]int
}

// Each instance flushes its own counts over the others'.
func flushCounts(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, c messageCounter, hour string) {
	counts := c.DrainCounts()
	for dev, n := range counts {
		_, _ = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "stats/msgcount/" + dev + "/" + hour, // want `the key names a count and the value is a tally kept before the write`
			Value: []byte(strconv.Itoa(n))})
	}
}

// Quiet: the latest reading of each device, no tally.
func flushReadings(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, c messageCounter) {
	for dev, v := range c.Readings() {
		_, _ = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "reading/count/" + dev, Value: []byte(strconv.Itoa(v))})
	}
}
