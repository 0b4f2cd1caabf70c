// Package usage consumes the usage events that the edge gateway publishes to
// the "usage-events" queue and keeps monthly totals per API key.
package usage

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"sanderling/internal/config"
	"sanderling/internal/kvstore"
)

// Message is one queue message; Batch is one pull of the queue.
type Message struct {
	ID      string `json:"id"`
	Body    string `json:"body"`
	LeaseID string `json:"lease_id"`
}

type Batch struct {
	ID         string
	ReceivedAt time.Time
	Messages   []Message
}

// Event is the body of a usage message.
type Event struct {
	KeyID   string    `json:"key_id"`
	Account string    `json:"account"`
	Plan    string    `json:"plan"`
	Units   int64     `json:"units"`
	At      time.Time `json:"at"`
}

// Consumer applies batches to the state namespace.
type Consumer struct {
	state    kvstore.Store // state namespace, prefixed "usage:"
	log      *slog.Logger
	Parallel int
}

// NewConsumer returns a Consumer.
func NewConsumer(state kvstore.Store, log *slog.Logger) *Consumer {
	return &Consumer{state: state, log: log}
}

// HandleBatch adds the units of b to the monthly totals. A batch is applied at
// most once; redelivered batches are acknowledged without effect.
func (c *Consumer) HandleBatch(ctx context.Context, b Batch) error {
	receipt := kvstore.Key("receipt").Escaped(b.ID)
	if _, err := c.state.Get(ctx, receipt); err == nil {
		c.log.InfoContext(ctx, "batch already applied", "batch", b.ID)
		return nil
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	totals := map[string]int64{}
	plans := map[string]string{}
	for _, m := range b.Messages {
		var ev Event
		if err := json.Unmarshal([]byte(m.Body), &ev); err != nil || ev.KeyID == "" {
			c.log.WarnContext(ctx, "dropping malformed usage event", "msg", m.ID, "err", err)
			continue
		}
		totals[ev.KeyID] += ev.Units
		plans[ev.KeyID] = ev.Plan
		if err := c.state.Put(ctx, "lag:newest-event", []byte(ev.At.UTC().Format(time.RFC3339Nano)), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	month := b.ReceivedAt.UTC().Format("2006-01")
	ids := slices.Sorted(maps.Keys(totals))
	sem := make(chan struct{}, cmp.Or(c.Parallel, 8))
	errc := make(chan error, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := c.add(ctx, month, id, plans[id], totals[id]); err != nil {
				errc <- fmt.Errorf("usage of %s: %w", id, err)
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	return c.state.Put(ctx, receipt, []byte(b.ReceivedAt.UTC().Format(time.RFC3339)), kvstore.PutOptions{TTL: config.TTLs["receipt"]}) // EXPECT kvrace
}

func monthKey(month, keyID string) kvstore.Key {
	return kvstore.Key("month").Child(month).Escaped(keyID)
}

func quotaKey(month, keyID string) kvstore.Key {
	return kvstore.Key("quota").Child(month).Escaped(keyID)
}

// add adds units to the month's total of keyID and updates its remaining quota.
func (c *Consumer) add(ctx context.Context, month, keyID, plan string, units int64) error {
	k := monthKey(month, keyID)
	var used int64
	raw, err := c.state.Get(ctx, k)
	if err == nil {
		used, err = strconv.ParseInt(string(raw), 10, 64)
	}
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	used += units
	if err := c.state.Put(ctx, k, strconv.AppendInt(nil, used, 10), kvstore.PutOptions{TTL: config.UsageRetention}); err != nil { // EXPECT kvcounter
		return err
	}
	left := max(config.MonthlyQuota[plan]-used, 0)
	return c.state.Put(ctx, quotaKey(month, keyID), strconv.AppendInt(nil, left, 10), kvstore.PutOptions{TTL: 40 * 24 * time.Hour}) // EXPECT kvcounter
}
