//go:build js && wasm

// Package views counts photo views. Views are buffered in the isolate and
// flushed in batches to the VIEW_COUNTER Durable Object, which owns the
// authoritative counts.
package views

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// Event is one view of one photo.
type Event struct {
	PhotoID string
	AlbumID string
}

// Sink receives aggregated deltas.
type Sink interface {
	Add(ctx context.Context, deltas map[string]int) error
}

// Batcher aggregates events and flushes when size distinct photos were
// seen or every interval, whichever comes first.
type Batcher struct {
	in      chan Event
	sink    Sink
	size    int
	log     *slog.Logger
	onFlush func(deltas map[string]int)
}

// NewBatcher starts the batching goroutine.
func NewBatcher(sink Sink, size int, interval time.Duration, log *slog.Logger) *Batcher {
	b := &Batcher{in: make(chan Event, size*4), sink: sink, size: size, log: log}
	go b.loop(interval)
	return b
}

// OnFlush registers a hook called with each flushed batch.
func (b *Batcher) OnFlush(fn func(map[string]int)) { b.onFlush = fn }

// Record enqueues a view, dropping it if the batcher is saturated.
func (b *Batcher) Record(e Event) {
	select {
	case b.in <- e:
	default:
		b.log.Warn("view dropped, batcher saturated", "photo", e.PhotoID)
	}
}

func (b *Batcher) loop(interval time.Duration) {
	pending := map[string]int{}
	t := time.NewTicker(interval)
	defer t.Stop()
	flush := func() {
		if len(pending) == 0 {
			return
		}
		batch := pending
		pending = map[string]int{}
		if err := b.sink.Add(context.Background(), batch); err != nil {
			b.log.Error("view flush failed", "photos", len(batch), "err", err)
		} else if b.onFlush != nil {
			b.onFlush(batch)
		}
	}
	for {
		select {
		case e := <-b.in:
			pending[e.PhotoID]++
			if len(pending) >= b.size {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}

// DurableSink posts deltas to one Durable Object per photo.
type DurableSink struct {
	ns *cloudflare.DurableObjectNamespace
}

// NewDurableSink binds the counter namespace.
func NewDurableSink(binding string) (*DurableSink, error) {
	ns, err := cloudflare.NewDurableObjectNamespace(binding)
	return &DurableSink{ns: ns}, err
}

// Add implements Sink.
func (d *DurableSink) Add(ctx context.Context, deltas map[string]int) error {
	for photoID, n := range deltas {
		stub, err := d.ns.Get(d.ns.IdFromName(photoID))
		if err != nil {
			return err
		}
		body := bytes.NewReader([]byte(`{"delta":` + strconv.Itoa(n) + `}`))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://counter/add", body)
		if err != nil {
			return err
		}
		res, err := stub.Fetch(req)
		if err != nil {
			return fmt.Errorf("views: counter %s: %w", photoID, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("views: counter %s: status %d", photoID, res.StatusCode)
		}
	}
	return nil
}

// PublishTrending returns a flush hook that publishes the most viewed
// photo of each batch for the home page hero.
func PublishTrending(ns *kv.Namespace) func(map[string]int) {
	return func(deltas map[string]int) {
		best := 0
		for photoID, n := range deltas {
			if n <= best {
				continue
			}
			best = n
			_ = ns.PutString("views:trending", photoID, &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvhotkey
		}
	}
}

// LegacyCounter keeps per-photo counts in KV for deployments created
// before the Durable Object existed.
type LegacyCounter struct {
	ns *kv.Namespace
}

// NewLegacyCounter returns a counter over ns.
func NewLegacyCounter(ns *kv.Namespace) *LegacyCounter { return &LegacyCounter{ns: ns} }

// Incr adds one view and returns the new count.
func (c *LegacyCounter) Incr(photoID string) (int, error) {
	key := "views:photo:" + photoID
	v, err := c.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(v)
	n++
	if err := c.ns.PutString(key, strconv.Itoa(n), nil); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}
