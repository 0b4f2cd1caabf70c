package kvstore

import (
	"context"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// bulkChunk is how many pairs go into one bulk request.
const bulkChunk = 10_000

// Entry is one pending write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

// Batch collects writes to one namespace and sends them with the bulk API.
type Batch []Entry

// Add appends a write.
func (b *Batch) Add(key string, value []byte, ttl time.Duration) {
	*b = append(*b, Entry{Key: key, Value: value, TTL: ttl})
}

// Flush writes every entry, bulkChunk pairs per request.
func (b Batch) Flush(ctx context.Context, ns string) error {
	for start := 0; start < len(b); start += bulkChunk {
		end := min(start+bulkChunk, len(b))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range b[start:end] {
			p := &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value), Metadata: e.Meta}
			if e.TTL > 0 {
				p.ExpirationTTL = int(e.TTL.Seconds())
			}
			pairs = append(pairs, p)
		}
		if _, err := API.WriteWorkersKVEntries(ctx, Account, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: ns,
			KVs:         pairs,
		}); err != nil {
			return fmt.Errorf("kv bulk write %d..%d: %w", start, end, err)
		}
	}
	return nil
}

// Keys returns the keys of the batch in order.
func (b Batch) Keys() []string {
	out := make([]string, len(b))
	for i, e := range b {
		out[i] = e.Key
	}
	return out
}
