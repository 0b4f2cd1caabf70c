//go:build js && wasm

package stock

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"godwit/internal/config"
	"godwit/internal/kvstore"
)

// Consumer applies batches from the stock-events queue.
type Consumer struct {
	levels *kv.Namespace
	hints  kvstore.Namespace
	recent kvstore.Namespace
	status kvstore.Store
	log    *slog.Logger
}

// NewConsumer builds the consumer's stacks over the SHOP binding.
func NewConsumer(shop *kvstore.Binding, log *slog.Logger, m *kvstore.Metrics) *Consumer {
	return &Consumer{
		levels: shop.Raw(),
		hints:  kvstore.Stack(shop, kvstore.WithPrefix(HintPrefix), kvstore.WithTTLFloor(config.MinTTL)),
		recent: kvstore.Stack(shop, kvstore.WithPrefix("stock:recent:"), kvstore.WithMetrics(m)),
		status: kvstore.Stack(shop, kvstore.WithPrefix("stock:")),
		log:    log,
	}
}

// Handle applies one batch. A failed SKU fails the batch, which the queue
// then redelivers.
func (c *Consumer) Handle(batch *queues.MessageBatch) error {
	ctx := context.Background()
	bySKU := map[string][]Event{}
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		var ev Event
		if err == nil {
			err = json.Unmarshal([]byte(body), &ev)
		}
		if err != nil || ev.SKU == "" {
			c.log.Warn("dropping malformed stock event", "id", msg.ID, "err", err)
			msg.Ack()
			continue
		}
		if ev.At.IsZero() {
			ev.At = msg.Timestamp
		}
		bySKU[ev.SKU] = append(bySKU[ev.SKU], ev)
		_ = c.status.Put(ctx, "last-event", msg.ID, 0) // EXPECT kvhotkey
	}

	levels := make(map[string]int, len(bySKU))
	for _, sku := range slices.Sorted(maps.Keys(bySKU)) {
		level, err := c.applyLevel(sku, bySKU[sku])
		if err != nil {
			return err
		}
		levels[sku] = level
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	errs := make(chan error, len(bySKU))
	for sku, evs := range bySKU {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := c.updateHint(ctx, sku, levels[sku], evs); err != nil {
				errs <- err
				return
			}
			errs <- c.status.Put(ctx, "hints-updated-at", time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	_ = c.status.Put(ctx, "consumer:last-batch", strconv.Itoa(len(batch.Messages)), 0) // DEBATABLE kvhotkey
	batch.AckAll()
	return nil
}

// applyLevel moves the SKU's level by the batch's deltas.
func (c *Consumer) applyLevel(sku string, evs []Event) (int, error) {
	key := "stock:level:" + sku
	cur, err := c.levels.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	level, err := strconv.Atoi(cur)
	if err != nil {
		return 0, fmt.Errorf("stock level %s: %w", sku, err)
	}
	for _, ev := range evs {
		level += ev.Delta
	}
	level = max(level, 0)
	return level, c.levels.PutString(key, strconv.Itoa(level), nil) // EXPECT kvcounter
}

// updateHint refreshes the hint with the new level and the latest events.
func (c *Consumer) updateHint(ctx context.Context, sku string, level int, evs []Event) error {
	hint, err := kvstore.Load(ctx, c.hints, kvstore.Key(sku), HintCodec)
	if err != nil {
		return err
	}
	hint.SKU = sku
	hint.Level = level
	hint.Recent = append(hint.Recent, evs...)
	hint.Recent = hint.Recent[max(0, len(hint.Recent)-10):]
	hint.UpdatedAt = time.Now().UTC()
	if err := kvstore.Save(ctx, c.hints, kvstore.Key(sku), hint, HintCodec, config.StockHintTTL/4); err != nil { // EXPECT kvrace
		return err
	}
	last := evs[len(evs)-1]
	line := fmt.Sprint(last.Warehouse, " ", last.Delta)
	return c.recent.Put(ctx, kvstore.Key(sku).ChildID(last.At.Unix()), line, config.StockHintTTL/4) // EXPECT kvttl
}
