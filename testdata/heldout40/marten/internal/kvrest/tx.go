package kvrest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Tx stages the KV effects of one audit step. Commit writes all staged pairs
// in one bulk request, then runs the deletes; if a delete fails the pairs
// written by this Tx are removed again (the rollback list).
type Tx struct {
	ns       Namespace
	puts     []Item
	dels     []string
	rollback []string
}

// Stage starts a transaction-like batch on ns.
func Stage(ns Namespace) *Tx { return &Tx{ns: ns} }

// Put stages a write with a relative lifetime (0 for none).
func (t *Tx) Put(key string, val []byte, ttl time.Duration) {
	t.puts = append(t.puts, Item{Key: key, Value: string(val), TTL: ttl})
}

// Delete stages a delete.
func (t *Tx) Delete(key string) { t.dels = append(t.dels, key) }

// Commit applies the staged operations.
func (t *Tx) Commit(ctx context.Context) (err error) {
	defer func() {
		if err == nil || len(t.rollback) == 0 {
			return
		}
		var errs []error
		for _, k := range t.rollback {
			errs = append(errs, t.ns.Delete(ctx, k))
		}
		if rbErr := errors.Join(errs...); rbErr != nil {
			err = fmt.Errorf("%w (rollback: %v)", err, rbErr)
		}
	}()
	if len(t.puts) > 0 {
		if err = t.ns.PutMany(ctx, t.puts); err != nil {
			return err
		}
		for _, it := range t.puts {
			t.rollback = append(t.rollback, it.Key)
		}
	}
	for _, k := range t.dels {
		if err = t.ns.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete %q: %w", k, err)
		}
	}
	return nil
}
