// Package consumer processes the CLICKS queue: it archives raw click events
// and maintains per-day totals.
package consumer

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/shortlinks/internal/analytics"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

const (
	archiveFor  = 30 * 24 * time.Hour
	dayTotalTTL = 90 * 24 * 3600
)

type Consumer struct {
	ns   *kv.Namespace
	feed *repo.Repo[analytics.ClickEvent]
	log  *slog.Logger
}

func New(ns *kv.Namespace, st store.Store, log *slog.Logger) *Consumer {
	return &Consumer{ns: ns, feed: repo.New[analytics.ClickEvent](st, "feed:"), log: log}
}

// Handle is registered with queues.Consume.
func (c *Consumer) Handle(batch *queues.MessageBatch) error {
	events := make([]analytics.ClickEvent, 0, len(batch.Messages))
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			c.log.Warn("dropping non-text message", "id", msg.ID)
			msg.Ack()
			continue
		}
		var ev analytics.ClickEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil || ev.Slug == "" {
			c.log.Warn("dropping malformed click", "id", msg.ID)
			msg.Ack()
			continue
		}
		archive := &kv.PutOptions{Expiration: int(ev.At.Add(archiveFor).UnixMilli())} // EXPECT kvttl
		if err := c.ns.PutString("click:"+msg.ID, body, archive); err != nil {
			msg.Retry(queues.WithRetryDelay(30 * time.Second))
			continue
		}
		if err := c.ns.PutString(keys.Checkpoint, msg.ID, nil); err != nil { // EXPECT kvhotkey
			c.log.Warn("checkpoint", "err", err)
		}
		events = append(events, ev)
		msg.Ack()
	}
	if err := c.addDayTotals(events); err != nil {
		return err
	}
	return c.publishRecent(context.Background(), events)
}

func (c *Consumer) addDayTotals(events []analytics.ClickEvent) error {
	delta := map[string]int{}
	for _, ev := range events {
		delta[analytics.DayKey(ev.At, ev.Slug)]++
	}
	ks := make([]string, 0, len(delta))
	for k := range delta {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		cur, err := c.ns.GetString(k, nil)
		if err != nil {
			return err
		}
		n := 0
		if cur != "<null>" {
			n, _ = strconv.Atoi(cur)
		}
		if err := c.ns.PutString(k, strconv.Itoa(n+delta[k]), &kv.PutOptions{ExpirationTTL: dayTotalTTL}); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// publishRecent keeps the newest click for the live ticker on the status page.
func (c *Consumer) publishRecent(ctx context.Context, events []analytics.ClickEvent) error {
	for _, ev := range events {
		if err := c.feed.Save(ctx, "latest", ev); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
