package jobs

import (
	"context"
	"encoding/json"
	"log"
	"strconv"
	"sync"
	"time"

	"hawfinch/internal/events"
	"hawfinch/internal/restkv"
)

// Consumer applies outbox events to the backend-owned KV views.
type Consumer struct {
	KV  restkv.Scope
	API *API

	mu    sync.Mutex
	quota map[string]int // remaining free-plan bookings per tutor this month
}

// NewConsumer starts with the remaining quotas the API reported at start-up.
func NewConsumer(s restkv.Scope, api *API, quota map[string]int) *Consumer {
	return &Consumer{KV: s, API: api, quota: quota}
}

// Poll reads one batch from the outbox after cursor and applies it.
func (c *Consumer) Poll(ctx context.Context, cursor string) (string, error) {
	batch, err := c.API.Events(ctx, cursor)
	if err != nil {
		return cursor, err
	}
	for _, raw := range batch {
		ev, err := events.Decode(raw)
		if err != nil {
			log.Printf("consumer: skip: %v", err)
			continue
		}
		if err := c.Handle(ctx, ev); err != nil {
			return cursor, err
		}
		cursor = ev.OccurredAt().Format(time.RFC3339Nano)
	}
	return cursor, nil
}

// Handle applies one event.
func (c *Consumer) Handle(ctx context.Context, ev events.Event) error {
	switch e := ev.(type) {
	case events.BookingConfirmed:
		c.mu.Lock()
		left, limited := c.quota[e.TutorID]
		if limited {
			left--
			c.quota[e.TutorID] = left
		}
		c.mu.Unlock()
		if !limited {
			return nil
		}
		month := e.At.UTC().Format("2006-01")
		return c.KV.Scope("quota", e.TutorID).PutTTL(ctx, month, []byte(strconv.Itoa(left)), 40*24*time.Hour) // EXPECT kvcounter
	case events.BookingCancelled:
		notice, _ := json.Marshal(map[string]string{"booking_id": e.BookingID, "reason": e.Reason})
		return c.KV.Scope("notice", "cancelled").PutTTL(ctx, e.BookingID, notice, 45*time.Second) // EXPECT kvttl
	case events.PayoutSettled:
		b, _ := json.Marshal(e)
		return c.KV.Scope("tutor", e.TutorID).Scope("payout").PutTTL(ctx, e.PayoutID, b, 90*24*time.Hour)
	case events.ReviewPosted:
		return c.KV.Scope("profile").Delete(ctx, e.TutorID)
	default:
		return nil
	}
}
