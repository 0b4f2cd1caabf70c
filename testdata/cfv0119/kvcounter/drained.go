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

// viewCounter tallies page views between flushes.
type viewCounter struct{ n map[string]int64 }

func (c *viewCounter) snapshot() map[string]int64 {
	out := make(map[string]int64, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	clear(c.n)
	return out
}

func (c *viewCounter) latest() map[string]int64 { return c.n }

// A read-out of a counter type's tallies, written under a count's key.
func flushViews(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, views *viewCounter) {
	for page, n := range views.snapshot() {
		_, _ = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "views/" + page, Value: []byte(strconv.FormatInt(n, 10))}) // want `the key names a count and the value is a tally kept before the write`
	}
}

// Quiet: a method of the counter named for something else it keeps.
func publishLatest(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, views *viewCounter) {
	for page, n := range views.latest() {
		_, _ = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "views/latest/" + page, Value: []byte(strconv.FormatInt(n, 10))})
	}
}
