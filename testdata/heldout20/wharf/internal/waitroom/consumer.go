package waitroom

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Event is one message from the waiting-room event queue.
type Event struct {
	ID   string          `json:"id"`
	Kind string          `json:"kind"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Message is what the queue consumer hands over per delivered message.
type Message interface {
	MessageID() string
	Body() ([]byte, error)
	Ack()
	Retry()
}

// Consumer applies waiting-room events delivered by the queue.
type Consumer struct {
	Store storage.Store
}

// Handle applies a batch. A message that fails is retried on its own.
func (c Consumer) Handle(ctx context.Context, batch []Message) error {
	for _, m := range batch {
		if err := c.apply(ctx, m); err != nil {
			m.Retry()
			continue
		}
		m.Ack()
		if err := c.Store.Put(ctx, keys.ConsumerCheckpoint, []byte(m.MessageID()), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	return nil
}

func (c Consumer) apply(ctx context.Context, m Message) error {
	body, err := m.Body()
	if err != nil {
		return err
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return fmt.Errorf("event %s: %w", m.MessageID(), err)
	}
	switch ev.Kind {
	case "lobby.left":
		var d struct{ Room, Visitor string }
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return err
		}
		return c.Store.Delete(ctx, keys.Presence(d.Room, d.Visitor))
	case "drop.capacity":
		var d struct {
			Drop     string
			Capacity int
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return err
		}
		return c.Store.Put(ctx, keys.DropCapacity(d.Drop), fmt.Appendf(nil, "%d", d.Capacity),
			storage.PutOptions{TTL: 12 * time.Hour})
	default:
		return nil
	}
}
