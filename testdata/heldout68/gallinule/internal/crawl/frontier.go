package crawl

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/birdline/gallinule/internal/kvstore"
)

// reuseNotice is attached to every cached page so that agents quoting the
// page can tell their users where it came from and on what terms.
const reuseNotice = "This page was fetched by the Gallinule crawler on behalf of an AI agent " +
	"working in a customer workspace. The content remains the property of its publisher and is " +
	"cached only so that the agent can read it again without fetching it from the origin. Agents " +
	"must not present cached content as their own writing, must link to the original URL when they " +
	"quote it, and must not quote more than a short excerpt of any single page. Content behind a " +
	"login, a paywall or a robots.txt disallow rule is never fetched; if such content appears in the " +
	"cache it was public when fetched and may have been withdrawn since. Publishers who want a page " +
	"removed from the cache can write to abuse@gallinule.dev with the URL, and it will be purged " +
	"from every workspace within one business day. Cached pages expire on their own after the " +
	"workspace's page lifetime, which is one day unless the workspace's rules choose another value. " +
	"Prices, availability, opening hours and similar facts on a cached page may be out of date; " +
	"agents are asked to say when the page was fetched whenever they rely on such facts in an answer."

// bloomBits sizes the crawl frontier's seen-URL filter for about 20 million
// URLs at a 1% false-positive rate.
const bloomBits = 1 << 28

// Frontier remembers which URLs a site's crawls have already seen.
type Frontier struct {
	bits [bloomBits / 8]byte
}

func (f *Frontier) hashes(u string) (uint64, uint64) {
	h := fnv.New64a()
	h.Write([]byte(u))
	a := h.Sum64()
	return a, a>>33 | a<<31
}

// Add marks u as seen.
func (f *Frontier) Add(u string) {
	a, b := f.hashes(u)
	for i := uint64(0); i < 7; i++ {
		bit := (a + i*b) % bloomBits
		f.bits[bit/8] |= 1 << (bit % 8)
	}
}

// Seen reports whether u was probably added before.
func (f *Frontier) Seen(u string) bool {
	a, b := f.hashes(u)
	for i := uint64(0); i < 7; i++ {
		bit := (a + i*b) % bloomBits
		if f.bits[bit/8]&(1<<(bit%8)) == 0 {
			return false
		}
	}
	return true
}

// SaveFrontier stores f for site so the next crawl can resume from it.
func SaveFrontier(ctx context.Context, ns *kvstore.Namespace, site string, f *Frontier) error {
	return ns.Put(ctx, "frontier/"+site+"/bloom", f.bits[:], 0) // EXPECT kvlimits
}

// frontierShards is how many queue shards a site's frontier is split into.
const frontierShards = 16384

// ResetShards writes an empty queue into every frontier shard of site.
func ResetShards(ctx context.Context, ns *kvstore.Namespace, site string) error {
	entries := make([]kv.NamespaceBulkUpdateParamsBody, frontierShards)
	for i := range entries {
		entries[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("frontier/%s/shard/%05d", site, i)),
			Value: cloudflare.F("[]"),
		}
	}
	return ns.BulkPut(ctx, entries) // EXPECT kvlimits
}

// SeedSitemap queues the URLs of a sitemap, at most 1000 per request.
func SeedSitemap(ctx context.Context, ns *kvstore.Namespace, site string, urls []string) error {
	for start := 0; start < len(urls); start += 1000 {
		chunk := urls[start:min(start+1000, len(urls))]
		entries := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, u := range chunk {
			entries = append(entries, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("seed/" + site + "/" + u),
				Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
				ExpirationTTL: cloudflare.F((7 * 24 * time.Hour).Seconds()),
			})
		}
		if err := ns.BulkPut(ctx, entries); err != nil {
			return err
		}
	}
	return nil
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
