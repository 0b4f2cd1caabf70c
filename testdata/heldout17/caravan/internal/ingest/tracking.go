package ingest

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
)

// PingEvent is what the driver app enqueues every few seconds while on shift.
type PingEvent struct {
	Tenant     string    `json:"tenant"`
	DriverID   string    `json:"driver_id"`
	ShipmentID string    `json:"shipment_id,omitempty"`
	Carrier    string    `json:"carrier"`
	Fix        fleet.Fix `json:"fix"`
}

const (
	maxTrail      = 500
	checkpointKey = "ingest:tracking:checkpoint"
	// The queue redelivers unacknowledged messages after 30 seconds.
	dedupeWindow = 45 * time.Second
)

// TrackingConsumer processes GPS pings: it keeps each shipment's breadcrumb
// trail, each driver's last position and per-carrier daily tallies.
type TrackingConsumer struct {
	Store       storage.Store
	Positions   *fleet.Positions
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	Clock       clock.Clock
	Log         *slog.Logger
}

func (c *TrackingConsumer) seen(ctx context.Context, msgs []*Message) (map[string]bool, error) {
	names := make([]string, len(msgs))
	for i, m := range msgs {
		names[i] = "seen:" + m.ID
	}
	res, err := c.Client.KV.Namespaces.BulkGet(ctx, c.NamespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(c.AccountID),
		Keys:      cloudflare.F(names[:min(len(names), 100)]),
	})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for i, name := range names {
			out[msgs[i].ID] = r.Values[name] != nil
		}
	}
	return out, nil
}

func (c *TrackingConsumer) markSeen(ctx context.Context, ids []string) error {
	now := c.Clock.Now()
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, id := range ids {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("seen:" + id),
			Value:      cloudflare.F("1"),
			Expiration: cloudflare.F(float64(now.Add(dedupeWindow).Unix())), // EXPECT kvttl
		})
	}
	_, err := c.Client.KV.Namespaces.BulkUpdate(ctx, c.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.AccountID),
		Body:      body,
	})
	return err
}

// Consume implements Consumer.
func (c *TrackingConsumer) Consume(ctx context.Context, b Batch) error {
	seen, err := c.seen(ctx, b.Messages)
	if err != nil {
		for _, m := range b.Messages {
			m.Retry(10 * time.Second)
		}
		return err
	}
	type job struct {
		msg *Message
		ev  PingEvent
		err error
	}
	var jobs []*job
	for _, m := range b.Messages {
		var ev PingEvent
		if seen[m.ID] || json.Unmarshal(m.Body, &ev) != nil {
			m.Ack()
			continue
		}
		jobs = append(jobs, &job{msg: m, ev: ev})
	}

	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.ev.ShipmentID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "trail:" + j.ev.ShipmentID
			var trail []fleet.Fix
			raw, err := c.Store.Get(ctx, key)
			if err == nil {
				err = json.Unmarshal(raw, &trail)
			} else if storage.IsNotFound(err) {
				err = nil
			}
			if err != nil {
				j.err = err
				return
			}
			trail = append(trail, j.ev.Fix)
			body, _ := json.Marshal(trail[max(0, len(trail)-maxTrail):])
			j.err = c.Store.Put(ctx, key, body, 7*24*time.Hour) // EXPECT kvrace
		}()
	}
	wg.Wait()

	counts := map[string]int64{}
	var done []string
	for _, j := range jobs {
		if j.err == nil {
			j.err = c.Positions.Record(ctx, keys.Driver{Tenant: j.ev.Tenant, ID: j.ev.DriverID}, j.ev.Fix)
		}
		if j.err != nil {
			j.msg.Retry(30 * time.Second)
			continue
		}
		j.msg.Ack()
		done = append(done, j.msg.ID)
		counts[j.ev.Carrier]++
		if err := c.Store.Put(ctx, checkpointKey, []byte(j.msg.ID), 0); err != nil { // EXPECT kvhotkey
			c.Log.Warn("checkpoint not stored", "err", err)
		}
	}
	if len(done) > 0 {
		if err := c.markSeen(ctx, done); err != nil { // DEBATABLE kvrace
			c.Log.Warn("dedupe markers not stored", "err", err)
		}
	}
	return c.tally(ctx, counts)
}

func (c *TrackingConsumer) tally(ctx context.Context, counts map[string]int64) error {
	day := keys.Day(c.Clock.Now())
	names := make([]string, 0, len(counts))
	for carrier := range counts {
		names = append(names, "tally:"+carrier+":"+day)
	}
	current, err := storage.GetAll(ctx, c.Store, names)
	if err != nil {
		return err
	}
	items := make([]storage.Item, 0, len(counts))
	for carrier, n := range counts {
		k := "tally:" + carrier + ":" + day
		prev, _ := codec.Int64{}.Decode(current[k])
		v, _ := codec.Int64{}.Encode(prev + n)
		items = append(items, storage.Item{Key: k, Value: v, TTL: 90 * 24 * time.Hour})
	}
	return storage.PutAll(ctx, c.Store, items) // EXPECT kvcounter
}
