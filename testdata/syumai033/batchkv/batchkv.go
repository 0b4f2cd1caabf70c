// Package batchkv queues KV writes and deletes and runs them in one
// commit: kvsession's case of an executor whose keys come from a batch.
package batchkv

import "github.com/syumai/workers/cloudflare/kv"

// Op is one queued operation.
type Op struct {
	Delete     bool
	Key, Value string
}

// Batch is an ordered list of queued operations.
type Batch struct{ ops []Op }

// Put queues a write.
func (b *Batch) Put(key, value string) { b.ops = append(b.ops, Op{Key: key, Value: value}) }

// Remove queues a delete.
func (b *Batch) Remove(key string) { b.ops = append(b.ops, Op{Delete: true, Key: key}) }

// Ops returns the queued operations.
func (b *Batch) Ops() []Op { return b.ops }

// Store is one namespace.
type Store struct{ NS *kv.Namespace }

// Commit runs what b queued.
func (s *Store) Commit(b *Batch) error {
	for _, op := range b.Ops() {
		var err error
		if op.Delete {
			err = s.NS.Delete(op.Key)
		} else {
			err = s.NS.PutString(op.Key, op.Value, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
