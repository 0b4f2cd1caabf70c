//go:build js && wasm

package edgekv

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Batch stages writes and deletes made while handling one request and
// applies them in order when the handler is done. Nothing reaches KV until
// Commit.
type Batch struct {
	s    *Store
	ops  []stagedOp
	done bool
}

type stagedOp struct {
	key    string
	value  string
	ttl    time.Duration
	delete bool
}

// Batch starts a new unit of work against s.
func (s *Store) Batch() *Batch { return &Batch{s: s} }

// Put stages a write. ttl is passed to KV as expirationTtl; zero means the
// value does not expire.
func (b *Batch) Put(key fmt.Stringer, value string, ttl time.Duration) {
	b.ops = append(b.ops, stagedOp{key: key.String(), value: value, ttl: ttl})
}

// Delete stages a delete.
func (b *Batch) Delete(key fmt.Stringer) {
	b.ops = append(b.ops, stagedOp{key: key.String(), delete: true})
}

// Len reports how many operations are staged.
func (b *Batch) Len() int { return len(b.ops) }

// Commit applies the staged operations in order. It stops at the first
// failure or when ctx is done and reports how far it got.
func (b *Batch) Commit(ctx context.Context) (applied int, err error) {
	if b.done {
		return 0, fmt.Errorf("edgekv: batch already committed")
	}
	defer func() {
		b.done = true
		if err != nil {
			err = fmt.Errorf("edgekv: commit stopped after %d/%d ops: %w", applied, len(b.ops), err)
		}
	}()
apply:
	for _, op := range b.ops {
		select {
		case <-ctx.Done():
			err = ctx.Err()
			break apply
		default:
		}
		if op.delete {
			err = b.s.ns.Delete(op.key)
		} else {
			err = b.s.ns.PutString(op.key, op.value, b.opts(op.ttl))
		}
		if err != nil {
			break apply
		}
		applied++
	}
	return applied, err
}

func (b *Batch) opts(ttl time.Duration) *kv.PutOptions {
	if ttl == 0 {
		return nil
	}
	return &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
}
