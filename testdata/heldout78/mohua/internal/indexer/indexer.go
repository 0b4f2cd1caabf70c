// Package indexer follows Transfer events of the tracked contracts, publishes
// them on the event registry and keeps per-contract checkpoints in KV.
package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/mohua-labs/mohua/internal/chain"
	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
)

// Config tunes one indexer.
type Config struct {
	ChainID       uint64
	BatchBlocks   uint64
	Confirmations uint64
	CursorEvery   time.Duration
}

// HeadSource reports the current chain head.
type HeadSource interface {
	BlockNumber(ctx context.Context) (uint64, error)
}

// Indexer owns the filterers of one chain.
type Indexer struct {
	cfg       Config
	store     *kvrest.Store
	ns        kvrest.Namespace
	heads     HeadSource
	filterers []*chain.TokenFilterer
	bus       *events.Registry
	log       *slog.Logger
}

// New returns an Indexer.
func New(cfg Config, store *kvrest.Store, ns kvrest.Namespace, heads HeadSource, bus *events.Registry, filterers ...*chain.TokenFilterer) *Indexer {
	return &Indexer{cfg: cfg, store: store, ns: ns, heads: heads, filterers: filterers, bus: bus, log: slog.Default().With("chain", cfg.ChainID)}
}

func (ix *Indexer) cursorKey(contract chain.Address) string {
	return fmt.Sprintf("cursor:%d:%s", ix.cfg.ChainID, contract.Hex())
}

func (ix *Indexer) journalKey(block uint64) string {
	return fmt.Sprintf("journal:%d:%d", ix.cfg.ChainID, block)
}

// Checkpoint reads the last indexed block of a contract.
func (ix *Indexer) Checkpoint(ctx context.Context, contract chain.Address) (uint64, error) {
	raw, err := ix.store.Get(ctx, ix.ns, ix.cursorKey(contract))
	if errors.Is(err, kvrest.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(raw), 10, 64)
}

func (ix *Indexer) saveCheckpoint(ctx context.Context, contract chain.Address, block uint64) error {
	return ix.store.Put(ctx, ix.ns, ix.cursorKey(contract), []byte(strconv.FormatUint(block, 10)))
}

// Backfill indexes every contract from its checkpoint up to the confirmed head.
func (ix *Indexer) Backfill(ctx context.Context) error {
	head, err := ix.heads.BlockNumber(ctx)
	if err != nil {
		return err
	}
	safe := head - ix.cfg.Confirmations
	for _, f := range ix.filterers {
		from, err := ix.Checkpoint(ctx, f.Address())
		if err != nil {
			return err
		}
		for start := from + 1; start <= safe; start += ix.cfg.BatchBlocks {
			end := min(start+ix.cfg.BatchBlocks-1, safe)
			n, err := ix.indexRange(ctx, f, start, end)
			if err != nil {
				return fmt.Errorf("index %s [%d,%d]: %w", f.Address().Hex(), start, end, err)
			}
			ix.log.Debug("batch indexed", "contract", f.Address().Hex(), "to", end, "events", n)
			if err := ix.store.Put(ctx, ix.ns, ix.cursorKey(f.Address()), []byte(strconv.FormatUint(end, 10))); err != nil { // DEBATABLE kvhotkey
				return err
			}
		}
	}
	return nil
}

func (ix *Indexer) indexRange(ctx context.Context, f *chain.TokenFilterer, start, end uint64) (int, error) {
	it, err := f.FilterTransfer(&chain.FilterOpts{Start: start, End: &end, Context: ctx}, nil, nil)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	n := 0
	for it.Next() {
		ev := it.Event
		ix.bus.Transfers.Publish(events.Transfer{Ctx: ctx, ChainID: ix.cfg.ChainID, Contract: f.Address(), Event: ev})
		n++
	}
	return n, it.Error()
}

// Journal records which keys were written for a block so that a reorg can
// roll them back.
func (ix *Indexer) Journal(ctx context.Context, block uint64, keys ...string) error {
	jk := ix.journalKey(block)
	var written []string
	raw, err := ix.store.Get(ctx, ix.ns, jk)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &written); err != nil {
			return err
		}
	}
	written = append(written, keys...)
	buf, _ := json.Marshal(written)
	return ix.store.PutTTL(ctx, ix.ns, jk, buf, 72*time.Hour) // EXPECT kvrace
}

// Watch follows new events of one contract and keeps the chain head key up to date.
func (ix *Indexer) Watch(ctx context.Context, f *chain.TokenFilterer) error {
	from, err := ix.Checkpoint(ctx, f.Address())
	if err != nil {
		return err
	}
	start := from + 1
	sink := make(chan *chain.TokenTransfer, 256)
	sub, err := f.WatchTransfer(&chain.WatchOpts{Start: &start, Context: ctx}, sink, nil, nil)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()

	every := ix.cfg.CursorEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	headKey := fmt.Sprintf("head:%d", ix.cfg.ChainID)
	var last uint64
	for {
		select {
		case ev := <-sink:
			if ev.Raw.Removed {
				ix.bus.Reorgs.Publish(events.Reorg{ChainID: ix.cfg.ChainID, Fork: ev.Raw.BlockNumber, Head: last})
				continue
			}
			ix.bus.Transfers.Publish(events.Transfer{Ctx: ctx, ChainID: ix.cfg.ChainID, Contract: f.Address(), Event: ev})
			if ev.Raw.BlockNumber > last {
				last = ev.Raw.BlockNumber
				if err := ix.store.Put(ctx, ix.ns, headKey, []byte(strconv.FormatUint(last, 10))); err != nil { // EXPECT kvhotkey
					ix.log.Warn("head update failed", "err", err)
				}
			}
		case <-ticker.C:
			if last > ix.cfg.Confirmations {
				if err := ix.saveCheckpoint(ctx, f.Address(), last-ix.cfg.Confirmations); err != nil {
					ix.log.Warn("checkpoint failed", "err", err)
				}
			}
		case err := <-sub.Err():
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
