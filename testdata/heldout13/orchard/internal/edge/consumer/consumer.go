//go:build js && wasm

// Package consumer is the queue consumer for order events: it keeps the raw
// event for a day, feeds the projections and maintains the per-farm
// dashboard figures.
package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/orchard/internal/events"
	"example.com/orchard/internal/platform/kvio"
)

// Consumer handles batches from the order-events queue.
type Consumer struct {
	ns      *kv.Namespace
	proj    *events.Projector
	timeout time.Duration
	log     *slog.Logger
}

// New wires a Consumer.
func New(ns *kv.Namespace, proj *events.Projector, timeout time.Duration, log *slog.Logger) *Consumer {
	return &Consumer{ns: ns, proj: proj, timeout: timeout, log: log}
}

// Handle is the queues.Consumer.
func (c *Consumer) Handle(batch *queues.MessageBatch) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	log := c.log.With("queue", batch.Queue, "size", len(batch.Messages))

	var evs []events.Event
	var errs []error
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		var ev events.Event
		if err == nil {
			err = json.Unmarshal([]byte(body), &ev)
		}
		if err != nil {
			log.ErrorContext(ctx, "dropping undecodable message", "id", msg.ID, "err", err)
			msg.Ack()
			continue
		}
		if ev.Seq == "" {
			ev.Seq = msg.ID
		}
		if err := c.ns.PutString("order-event:"+msg.ID, body, &kv.PutOptions{ExpirationTTL: 86400}); err != nil {
			errs = append(errs, err)
		}
		if err := c.ns.PutString("orders:latest", body, nil); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
		if ev.Type == "order.placed" {
			if err := c.bumpFarm(ev.FarmID); err != nil {
				log.WarnContext(ctx, "farm figure not updated", "farm", ev.FarmID, "err", err)
			}
		}
		evs = append(evs, ev)
	}
	if err := c.proj.Apply(ctx, evs); err != nil {
		errs = append(errs, err)
	}
	c.trace(batch, evs)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	batch.AckAll()
	return nil
}

// bumpFarm adds one to the farm's order figure on the dashboard.
func (c *Consumer) bumpFarm(farmID string) error {
	key := "count:orders:" + farmID
	v, err := c.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		v = "0"
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return err
	}
	return c.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// trace keeps a gob dump of the batch for a short while for debugging
// replays.
func (c *Consumer) trace(batch *queues.MessageBatch, evs []events.Event) {
	key := "trace:" + batch.Queue + ":" + time.Now().UTC().Format("20060102T150405.000")
	if err := kvio.PutGob(c.ns, key, evs, 15*time.Second); err != nil {
		c.log.Warn("trace not written", "err", err)
	}
}
