//go:build js && wasm

package edgekv

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// MinTTL is the shortest lifetime KV accepts.
const MinTTL = time.Minute

type pending struct {
	key    string
	val    string
	ttl    time.Duration
	remove bool
	fresh  bool
}

// Batch collects writes and deletes during a request and applies them in
// order at the end. KV has no transactions; Commit undoes the keys the batch
// created itself when a later operation fails.
type Batch struct {
	s       *Store
	ops     []pending
	created []string
	applied int
}

// Batch starts an empty unit of work on s.
func (s *Store) Batch() *Batch { return &Batch{s: s} }

// Put stages a write of val under key.
func (b *Batch) Put(key fmt.Stringer, val string, ttl time.Duration) {
	b.ops = append(b.ops, pending{key: key.String(), val: val, ttl: ttl})
}

// Create stages a write of a key the caller has just minted; it is removed
// again if the batch fails.
func (b *Batch) Create(key fmt.Stringer, val string, ttl time.Duration) {
	b.ops = append(b.ops, pending{key: key.String(), val: val, ttl: ttl, fresh: true})
}

// Delete stages the removal of key.
func (b *Batch) Delete(key fmt.Stringer) {
	b.ops = append(b.ops, pending{key: key.String(), remove: true})
}

// Len reports the number of staged operations.
func (b *Batch) Len() int { return len(b.ops) }

// Commit applies the staged operations one by one. Lifetimes shorter than
// KV's minimum are raised to it.
func (b *Batch) Commit(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("edgekv: commit: %v", r)
		}
		if err != nil {
			b.rollback()
		}
		b.ops = b.ops[:0]
	}()

apply:
	for i, op := range b.ops {
		select {
		case <-ctx.Done():
			err = ctx.Err()
			break apply
		default:
		}
		if op.remove {
			err = b.s.ns.Delete(op.key)
		} else {
			err = b.s.ns.PutString(op.key, op.val, putOptions(op.ttl))
		}
		if err != nil {
			err = fmt.Errorf("edgekv: commit op %d (%s): %w", i, op.key, err)
			break apply
		}
		if op.fresh {
			b.created = append(b.created, op.key)
		}
		b.applied = i + 1
	}
	return err
}

func putOptions(ttl time.Duration) *cloudflare.KVNamespacePutOptions {
	if ttl <= 0 {
		return nil
	}
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
}

func (b *Batch) rollback() {
	for i := len(b.created) - 1; i >= 0; i-- {
		_ = b.s.ns.Delete(b.created[i])
	}
	b.created = nil
}
