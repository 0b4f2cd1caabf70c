package kvstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

type stagedOp struct {
	key    string
	val    []byte
	ttl    time.Duration
	delete bool
}

// Batch collects the writes and deletes of one request and applies them at
// the end, so that a handler that fails half-way leaves nothing behind.
type Batch struct {
	s   *Store
	mu  sync.Mutex
	ops []stagedOp
}

// Begin starts an empty batch on the store.
func (s *Store) Begin() *Batch { return &Batch{s: s} }

// Put stages a write. A zero ttl means the value does not expire.
func (b *Batch) Put(key string, val []byte, ttl time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops = append(b.ops, stagedOp{key: key, val: val, ttl: ttl})
}

// Delete stages a delete.
func (b *Batch) Delete(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops = append(b.ops, stagedOp{key: key, delete: true})
}

// Len is the number of staged operations.
func (b *Batch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.ops)
}

// Commit applies all staged writes in one bulk request and all staged deletes
// in a second one. The batch is empty afterwards whether or not it succeeded.
func (b *Batch) Commit(ctx context.Context) (err error) {
	b.mu.Lock()
	ops := b.ops
	b.ops = nil
	b.mu.Unlock()

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kv batch: %v", r)
		}
	}()

	var pairs []*cloudflare.WorkersKVPair
	var dels []string
	for _, op := range ops {
		if op.delete {
			dels = append(dels, op.key)
			continue
		}
		p := &cloudflare.WorkersKVPair{
			Key:    op.key,
			Value:  base64.StdEncoding.EncodeToString(op.val),
			Base64: true,
		}
		if op.ttl > 0 {
			p.ExpirationTTL = int(op.ttl.Seconds())
		}
		pairs = append(pairs, p)
	}
	api, rc := b.s.API()
	if len(pairs) > 0 {
		if _, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: b.s.Namespace(),
			KVs:         pairs,
		}); err != nil {
			return fmt.Errorf("kv batch write (%d pairs): %w", len(pairs), err)
		}
	}
	if len(dels) > 0 {
		if _, err = api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: b.s.Namespace(),
			Keys:        dels,
		}); err != nil {
			return fmt.Errorf("kv batch delete (%d keys): %w", len(dels), err)
		}
	}
	return nil
}
