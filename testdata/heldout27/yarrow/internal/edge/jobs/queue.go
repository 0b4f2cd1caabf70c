//go:build js && wasm

package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/kvstore"
)

// Queue names configured in wrangler.toml.
const (
	pingQueue  = "courier-pings"
	hoursQueue = "restaurant-hours"
)

type hoursUpdate struct {
	Restaurant domain.RestaurantID `json:"restaurant"`
	Day        string              `json:"day"`
	Open       string              `json:"open"`
	Close      string              `json:"close"`
}

type window struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Consume is the queue consumer entry point.
func (j *Runner) Consume(batch *queues.MessageBatch) error {
	ctx := context.Background()
	switch batch.Queue {
	case pingQueue:
		return j.consumePings(ctx, batch)
	case hoursQueue:
		return j.consumeHours(ctx, batch)
	default:
		log.Printf("jobs: dropping %d messages from unknown queue %q", len(batch.Messages), batch.Queue)
		batch.AckAll()
		return nil
	}
}

func (j *Runner) consumePings(ctx context.Context, batch *queues.MessageBatch) error {
	ns, err := kv.NewNamespace(j.ns.Couriers)
	if err != nil {
		return err
	}
	for _, msg := range batch.Messages {
		if err := ctx.Err(); err != nil {
			return err
		}
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack() // malformed, retrying will not help
			continue
		}
		var p domain.Ping
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			msg.Ack()
			continue
		}
		if err := j.tracker.Record(ctx, p); err != nil {
			msg.Retry()
			continue
		}
		if err := ns.PutString("fleet:last-ping", body, nil); err != nil { // EXPECT kvhotkey
			msg.Retry()
			continue
		}
		if err := countPing(ns, p.Courier); err != nil {
			log.Printf("jobs: ping tally for courier %d: %v", p.Courier, err)
		}
		msg.Ack()
	}
	return nil
}

// countPing keeps the per-shift ping tally shown in the courier's earnings screen.
func countPing(ns *kv.Namespace, id domain.CourierID) error {
	key := id.PingCountKey()
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != kvstore.Null {
		if n, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("corrupt tally %q: %w", v, err)
		}
	}
	return ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 12 * 3600}) // EXPECT kvcounter
}

func (j *Runner) consumeHours(ctx context.Context, batch *queues.MessageBatch) error {
	ns, err := kv.NewNamespace(j.ns.Settings)
	if err != nil {
		return err
	}
	for _, msg := range batch.Messages {
		if err := ctx.Err(); err != nil {
			return err
		}
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var u hoursUpdate
		if err := json.Unmarshal([]byte(body), &u); err != nil || u.Restaurant == "" {
			msg.Ack()
			continue
		}
		key := "hours:" + string(u.Restaurant)
		apply := func() error {
			v, err := ns.GetString(key, nil)
			if err != nil {
				return err
			}
			week := make(map[string]window)
			if v != kvstore.Null {
				if err := json.Unmarshal([]byte(v), &week); err != nil {
					return err
				}
			}
			week[u.Day] = window{Open: u.Open, Close: u.Close}
			raw, err := json.Marshal(week)
			if err != nil {
				return err
			}
			return ns.PutString(key, string(raw), nil) // EXPECT kvrace
		}
		if err := apply(); err != nil {
			log.Printf("jobs: hours for %s: %v", u.Restaurant, err)
			msg.Retry()
			continue
		}
		msg.Ack()
	}
	return nil
}
