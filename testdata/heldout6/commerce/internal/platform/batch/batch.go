// Package batch provides a unit of work that buffers KV writes and commits
// them through the bulk endpoint.
package batch

import (
	"context"
	"encoding/json"
	"fmt"

	"example.com/commerce/internal/core/ports"
)

// maxPairs is the bulk endpoint's per-request limit.
const maxPairs = 10_000

type UnitOfWork struct {
	w    ports.BulkWriter
	puts []ports.Entry
	dels []string
}

func New(w ports.BulkWriter) *UnitOfWork { return &UnitOfWork{w: w} }

// Put buffers a write; ttlSeconds of zero means no expiry.
func (u *UnitOfWork) Put(key string, value []byte, ttlSeconds int64) {
	u.puts = append(u.puts, ports.Entry{Key: key, Value: value, ExpirationTTL: ttlSeconds})
}

// PutMeta buffers a write carrying list-visible metadata.
func (u *UnitOfWork) PutMeta(key string, value []byte, ttlSeconds int64, meta map[string]any) {
	u.puts = append(u.puts, ports.Entry{Key: key, Value: value, ExpirationTTL: ttlSeconds, Metadata: meta})
}

// PutJSON encodes v and buffers it.
func (u *UnitOfWork) PutJSON(key string, v any, ttlSeconds int64) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("batch: encode %s: %w", key, err)
	}
	u.Put(key, raw, ttlSeconds)
	return nil
}

func (u *UnitOfWork) Delete(key string) { u.dels = append(u.dels, key) }

func (u *UnitOfWork) Len() int { return len(u.puts) + len(u.dels) }

// Commit flushes buffered writes then deletes, in chunks the API accepts.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	for start := 0; start < len(u.puts); start += maxPairs {
		end := min(start+maxPairs, len(u.puts))
		if err := u.w.BulkWrite(ctx, u.puts[start:end]); err != nil {
			return fmt.Errorf("batch: write %d..%d: %w", start, end, err)
		}
	}
	for start := 0; start < len(u.dels); start += maxPairs {
		end := min(start+maxPairs, len(u.dels))
		if err := u.w.BulkDelete(ctx, u.dels[start:end]); err != nil {
			return fmt.Errorf("batch: delete %d..%d: %w", start, end, err)
		}
	}
	u.puts, u.dels = nil, nil
	return nil
}
