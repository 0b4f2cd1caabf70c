// Package delivery consumes delivery events and Workers tail events.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

var now = time.Now

// Event types, in the order a message normally goes through them.
const (
	Queued     = "queued"
	Bounced    = "bounced"
	Complained = "complained"
)

var rank = map[string]int{Queued: 0, "delivered": 1, "opened": 2, Bounced: 3, Complained: 4}

// Event is one provider webhook event, as queued by the webhook Worker.
type Event struct {
	MessageID string    `json:"message_id"`
	Tenant    string    `json:"tenant"`
	Issue     int       `json:"issue"`
	Email     string    `json:"email"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason,omitempty"`
}

// Record is the delivery status of one message.
type Record struct {
	MessageID string    `json:"message_id"`
	Issue     int       `json:"issue"`
	Status    string    `json:"status"`
	History   []string  `json:"history"`
	Updated   time.Time `json:"updated"`
}

// Message is a queue message.
type Message struct {
	ID       string
	Body     []byte
	Attempts int
}

// Result tells the queue which messages to acknowledge and which to retry.
type Result struct{ Ack, Retry []string }

// Consumer handles batches from the delivery-events queue.
type Consumer struct{ router *storage.Router }

func NewConsumer(router *storage.Router) *Consumer { return &Consumer{router: router} }

// Handle processes one batch.
func (c *Consumer) Handle(ctx context.Context, batch []Message) Result {
	var res Result
	for _, m := range batch {
		var ev Event
		if err := json.Unmarshal(m.Body, &ev); err != nil || ev.MessageID == "" {
			log.Printf("delivery: dropping malformed message %s: %v", m.ID, err)
			res.Ack = append(res.Ack, m.ID)
			continue
		}
		if err := c.apply(ctx, ev); err != nil {
			log.Printf("delivery: %s (attempt %d): %v", m.ID, m.Attempts, err)
			res.Retry = append(res.Retry, m.ID)
			continue
		}
		res.Ack = append(res.Ack, m.ID)
	}
	return res
}

func (c *Consumer) apply(ctx context.Context, ev Event) error {
	rw := c.router.For(ev.Tenant)
	key := keys.Delivery(ev.MessageID)
	rec, err := storage.GetJSON[Record](ctx, rw, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		rec = Record{MessageID: ev.MessageID, Issue: ev.Issue, Status: Queued}
	case err != nil:
		return err
	}
	if rank[ev.Type] >= rank[rec.Status] {
		rec.Status = ev.Type
	}
	rec.History = append(rec.History, fmt.Sprintf("%s %s", ev.At.UTC().Format(time.RFC3339), ev.Type))
	rec.Updated = now().UTC()
	if err := storage.PutJSON(ctx, rw, key, rec, storage.PutOptions{TTL: 30 * 24 * time.Hour}); err != nil { // EXPECT kvrace
		return err
	}
	if ev.Type == Bounced || ev.Type == Complained {
		reason := []byte(ev.Type + ": " + ev.Reason)
		if err := rw.Put(ctx, keys.Bounce(ev.Email), reason, storage.PutOptions{TTL: 90 * 24 * time.Hour}); err != nil {
			return err
		}
	}
	last, _ := json.Marshal(map[string]any{"type": ev.Type, "message": ev.MessageID, "at": ev.At})
	if err := rw.Put(ctx, keys.LastDeliveryEvent, last, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
		log.Printf("delivery: last-event marker: %v", err)
	}
	return nil
}
