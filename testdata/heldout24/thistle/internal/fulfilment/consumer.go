// Package fulfilment consumes the order queue and keeps the edge's
// read models in step with the order system.
package fulfilment

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/events"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/sessions"
	"example.com/thistle/internal/slots"
	"example.com/thistle/internal/store"
)

// Receipt is the customer-facing order summary.
type Receipt struct {
	OrderID    string    `json:"order_id"`
	Week       string    `json:"week"`
	TotalCents int       `json:"total_cents"`
	At         time.Time `json:"at"`
}

// StorageKey implements store.Keyed.
func (r Receipt) StorageKey() string { return receiptKey.For(r.OrderID) }

var (
	receiptKey = keys.New[Receipt]("receipt")
	weekOrders = keys.New[[]string]("week-orders")
)

// receiptTTL keeps receipts for the 90-day complaint window.
const receiptTTL = 90 * 24 * time.Hour

// checkpointKey records the last message handled, for the ops dashboard.
const checkpointKey = "fulfilment/checkpoint"

// Consumer applies queue messages.
type Consumer struct {
	s        store.Store
	clock    clock.Clock
	slots    *slots.Service
	sessions *sessions.Service
	catalog  *recipes.Catalog
}

// NewConsumer builds a Consumer.
func NewConsumer(s store.Store, c clock.Clock, sl *slots.Service, ss *sessions.Service, cat *recipes.Catalog) *Consumer {
	return &Consumer{s: s, clock: c, slots: sl, sessions: ss, catalog: cat}
}

// Handle applies a batch of decoded messages in order.
func (c *Consumer) Handle(ctx context.Context, msgs []any) error {
	for i, msg := range msgs {
		var err error
		switch m := msg.(type) {
		case *events.OrderPlaced:
			err = c.orderPlaced(ctx, m)
		case *events.BoxSkipped:
			err = c.s.Delete(ctx, "box-snapshot/"+m.CustomerID+"/"+m.Week)
		case *events.OrderCancelled:
			err = c.slots.Release(ctx, slots.Zone(m.Zone), m.WindowID)
		case *events.MenuPublished:
			err = c.menuPublished(ctx, m)
		case *events.RecipeChanged:
			err = c.s.Delete(ctx, recipes.RecipeKey.For(m.RecipeID))
		case *events.PasswordChanged:
			err = c.sessions.RevokeAll(ctx, m.SessionIDs)
		default:
			err = fmt.Errorf("fulfilment: unhandled %T", msg)
		}
		if err != nil {
			return fmt.Errorf("fulfilment: message %d: %w", i, err)
		}
		mark, _ := json.Marshal(map[string]any{"index": i, "at": c.clock.Now()})
		if err := c.s.Put(ctx, checkpointKey, mark, store.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (c *Consumer) orderPlaced(ctx context.Context, m *events.OrderPlaced) error {
	r := Receipt{OrderID: m.OrderID, Week: m.Week, TotalCents: m.TotalCents, At: m.At}
	if err := store.Save(ctx, c.s, r, receiptTTL); err != nil {
		return err
	}
	if m.WindowID != "" {
		return c.slots.Book(ctx, slots.Zone(m.Zone), m.WindowID)
	}
	return nil
}

func (c *Consumer) menuPublished(ctx context.Context, m *events.MenuPublished) error {
	for _, id := range m.RecipeIDs {
		if err := c.s.Delete(ctx, recipes.RecipeKey.For(id)); err != nil {
			return err
		}
	}
	return nil
}

// OrdersByWeek writes the packing list index for a week from the order
// system's export. Each week's list is written once per export.
func (c *Consumer) OrdersByWeek(ctx context.Context, export map[string][]string) error {
	for week, orders := range export {
		b, _ := json.Marshal(orders)
		if err := c.s.Put(ctx, weekOrders.For(strings.ToLower(week)), b, store.PutOptions{TTL: 60 * 24 * time.Hour}); err != nil {
			return err
		}
	}
	return nil
}
