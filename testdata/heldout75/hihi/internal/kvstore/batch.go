package kvstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// maxBulkPairs is the largest number of pairs one bulk request may carry.
const maxBulkPairs = 10_000

// Batch collects writes and deletes and sends them as bulk requests on
// Commit. Reads go straight to the namespace. A Batch satisfies db.DBTX, so
// generated queries can be pointed at it with Queries.WithTx.
type Batch struct {
	ns      *Namespace
	puts    []Entry
	deletes []string
}

// Begin starts a batch on the namespace.
func (n *Namespace) Begin() *Batch { return &Batch{ns: n} }

func (b *Batch) Get(ctx context.Context, key string) ([]byte, error) {
	return b.ns.Get(ctx, key)
}

func (b *Batch) Put(_ context.Context, key string, value []byte, ttlSeconds int) error {
	b.puts = append(b.puts, Entry{Key: key, Value: string(value), TTLSeconds: ttlSeconds})
	return nil
}

func (b *Batch) Delete(_ context.Context, key string) error {
	b.deletes = append(b.deletes, key)
	return nil
}

func (b *Batch) List(ctx context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	return b.ns.List(ctx, prefix, cursor, limit)
}

// Commit sends the collected writes in chunks the bulk API accepts.
func (b *Batch) Commit(ctx context.Context) error {
	var errs []error
	for chunk := range slices.Chunk(b.puts, maxBulkPairs) {
		failed, err := b.ns.BulkPut(ctx, chunk)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(failed) > 0 {
			errs = append(errs, fmt.Errorf("kvstore: %d keys not written", len(failed)))
		}
	}
	for chunk := range slices.Chunk(b.deletes, maxBulkPairs) {
		if err := b.ns.BulkDelete(ctx, chunk); err != nil {
			errs = append(errs, err)
		}
	}
	b.puts, b.deletes = nil, nil
	return errors.Join(errs...)
}
