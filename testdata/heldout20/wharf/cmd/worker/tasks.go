//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/edge/dropkv"
	"example.com/wharf/internal/edge/sweep"
	"example.com/wharf/internal/stampede"
	"example.com/wharf/internal/waitroom"
)

// queueMessage adapts a queue message to waitroom.Message.
type queueMessage struct{ m *queues.Message }

func (q queueMessage) MessageID() string { return q.m.ID }
func (q queueMessage) Ack()              { q.m.Ack() }
func (q queueMessage) Retry()            { q.m.Retry(queues.WithRetryDelay(30 * time.Second)) }

func (q queueMessage) Body() ([]byte, error) {
	if s, err := q.m.StringBody(); err == nil {
		return []byte(s), nil
	}
	return q.m.BytesBody()
}

func consume(batch *queues.MessageBatch) error {
	a, err := build()
	if err != nil {
		return err
	}
	msgs := make([]waitroom.Message, len(batch.Messages))
	for i, m := range batch.Messages {
		msgs[i] = queueMessage{m}
	}
	return waitroom.Consumer{Store: a.store}.Handle(context.Background(), msgs)
}

// scheduled runs every minute: admit the next batch of every open drop,
// publish inventory hints, sweep, and keep the busiest lobby fresh.
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	a, err := build()
	if err != nil {
		return err
	}
	run := sweep.Run{Cron: ev.Cron, Started: time.Now().UTC(), Results: map[string]int{}}
	sw, err := sweep.Open(a.cfg.KVBinding, a.cfg.SweepKeyBudget)
	if err != nil {
		return err
	}
	drops, err := dropkv.Open(a.cfg.KVBinding, a.cfg.HoldTTL)
	if err != nil {
		return err
	}

	lock := stampede.Lock{Store: a.store, Owner: "cron:" + ev.Cron, TTL: 2 * time.Minute}
	err = lock.Rebuild(ctx, "admit", func(ctx context.Context) error {
		upcoming, err := a.catalog.Upcoming(ctx)
		if err != nil {
			return err
		}
		admit := waitroom.AdmitBatch{Store: a.store, Drops: a.catalog, Counter: a.counter, Clock: time.Now, Interval: time.Minute}
		for _, d := range upcoming {
			head, err := admit.Execute(ctx, d.ID)
			if errors.Is(err, domain.ErrClosed) {
				continue
			}
			if err != nil {
				run.Errors = append(run.Errors, fmt.Sprintf("admit %s: %v", d.ID, err))
				continue
			}
			run.Results["head:"+d.ID] = int(head)
			if sold, err := soldSeats(ctx, a, d.ID); err == nil {
				_ = drops.PublishInventoryHint(d.ID, max(d.Capacity-sold, 0))
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, stampede.ErrBusy) {
		run.Errors = append(run.Errors, err.Error())
	}

	rooms, err := sw.ActiveRooms(ctx)
	if err != nil {
		run.Errors = append(run.Errors, err.Error())
	}
	for _, room := range rooms {
		n, err := sw.DropStalePresence(ctx, room)
		if err != nil {
			run.Errors = append(run.Errors, err.Error())
		}
		run.Results["presence:"+room] = n
	}

	if len(rooms) > 0 {
		live, cancel := context.WithTimeout(ctx, 40*time.Second)
		if err := a.presence.PublishLive(live, rooms[0]); err != nil {
			log.Printf("publish lobby %s: %v", rooms[0], err)
		}
		cancel()
	}

	run.Finished = time.Now().UTC()
	return sw.RecordRun(run)
}

func soldSeats(ctx context.Context, a *app, drop string) (int, error) {
	var n int
	err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE drop_id = ? AND status = 'paid'`, drop).Scan(&n)
	return n, err
}
