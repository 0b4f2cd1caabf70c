package cfkv

import (
	"context"
	"fmt"
	"sync"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/tundra/internal/storage"
)

// bulkChunk stays well under the API's 10,000 pairs per bulk request.
const bulkChunk = 5000

// Buffered queues writes in memory and sends them with the bulk endpoint on
// Flush or Close. Reads and lists go straight to the namespace. It is meant for
// batch jobs (imports, backfills) where per-key writes would be too slow.
type Buffered struct {
	inner *Adapter

	mu      sync.Mutex
	pending []kv.NamespaceBulkUpdateParamsBody
}

// NewBuffered wraps an adapter.
func NewBuffered(a *Adapter) *Buffered { return &Buffered{inner: a} }

func (b *Buffered) Get(ctx context.Context, key string) ([]byte, error) { return b.inner.Get(ctx, key) }

func (b *Buffered) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	return b.inner.List(ctx, q)
}

// Put queues one pair.
func (b *Buffered) Put(_ context.Context, key string, value []byte, opts storage.WriteOpts) error {
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		body.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if len(opts.Metadata) > 0 {
		body.Metadata = cloudflare.F[any](opts.Metadata)
	}
	b.mu.Lock()
	b.pending = append(b.pending, body)
	b.mu.Unlock()
	return nil
}

// Flush sends everything queued so far.
func (b *Buffered) Flush(ctx context.Context) error {
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()

	for start := 0; start < len(pending); start += bulkChunk {
		end := min(start+bulkChunk, len(pending))
		_, err := b.inner.client.KV.Namespaces.BulkUpdate(ctx, b.inner.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(b.inner.accountID),
			Body:      pending[start:end],
		})
		if err != nil {
			// Re-queue what was not sent so a later Flush can retry.
			b.mu.Lock()
			b.pending = append(pending[start:], b.pending...)
			b.mu.Unlock()
			return fmt.Errorf("kv bulk write (%d pairs): %w", end-start, err)
		}
	}
	return nil
}

// Close flushes pending writes.
func (b *Buffered) Close(ctx context.Context) error { return b.Flush(ctx) }
