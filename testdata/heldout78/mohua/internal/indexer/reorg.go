package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
)

// maxReorgDepth bounds how far back a rollback looks.
const maxReorgDepth = 128

// HandleReorgs subscribes the rollback to the reorg topic.
func (ix *Indexer) HandleReorgs(ctx context.Context) {
	ix.bus.Reorgs.Subscribe(func(r events.Reorg) {
		if r.ChainID != ix.cfg.ChainID {
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := ix.rollback(rctx, r); err != nil {
			ix.log.Error("rollback failed", "fork", r.Fork, "err", err)
		}
	})
}

// rollback deletes every key journalled for blocks in [Fork, Head] and moves
// the checkpoints back before the fork.
func (ix *Indexer) rollback(ctx context.Context, r events.Reorg) error {
	head := min(r.Head, r.Fork+maxReorgDepth)
	var orphaned, journals []string
	for b := r.Fork; b <= head; b++ {
		jk := ix.journalKey(b)
		raw, err := ix.store.Get(ctx, ix.ns, jk)
		if errors.Is(err, kvrest.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var keys []string
		if err := json.Unmarshal(raw, &keys); err != nil {
			return err
		}
		orphaned = append(orphaned, keys...)
		journals = append(journals, jk)
	}
	if err := ix.store.BulkDelete(ctx, ix.ns, append(orphaned, journals...)); err != nil {
		return err
	}
	for _, f := range ix.filterers {
		cp, err := ix.Checkpoint(ctx, f.Address())
		if err != nil {
			return err
		}
		if cp >= r.Fork {
			if err := ix.saveCheckpoint(ctx, f.Address(), r.Fork-1); err != nil {
				return err
			}
		}
	}
	return nil
}
