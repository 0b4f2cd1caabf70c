// Package orders publishes order status and delivery estimates from the
// origin database into KV, where the edge Worker serves them to customers.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
)

// Status is where an order is in its life.
type Status string

const (
	Placed     Status = "placed"
	Accepted   Status = "accepted"
	Preparing  Status = "preparing"
	PickedUp   Status = "picked_up"
	Delivered  Status = "delivered"
	Cancelled  Status = "cancelled"
	statusKeep        = 72 * time.Hour
)

// Event is one entry of an order's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	Actor  string    `json:"actor,omitempty"`
}

// Order is the customer-facing projection of an order.
type Order struct {
	ID           string    `json:"id"`
	RestaurantID string    `json:"restaurant_id"`
	CustomerID   string    `json:"customer_id"`
	Status       Status    `json:"status"`
	TotalCents   int       `json:"total_cents"`
	Timeline     []Event   `json:"timeline"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Key returns the KV key of the order's projection.
func Key(id string) string { return "order:" + id }

// writeEntry performs the KV write; tests replace it.
var writeEntry = func(ctx context.Context, ns cfkv.Namespace, key string, value []byte, ttl time.Duration) error {
	return ns.Put(ctx, key, value, ttl)
}

// Publisher writes order projections.
type Publisher struct {
	ns  cfkv.Namespace
	log *slog.Logger
}

// NewPublisher returns a Publisher writing into ns.
func NewPublisher(ns cfkv.Namespace, log *slog.Logger) *Publisher {
	return &Publisher{ns: ns, log: log}
}

// Publish writes the projection of o as read from the database, retrying
// transient failures with exponential backoff.
func (p *Publisher) Publish(ctx context.Context, o Order) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		err = writeEntry(ctx, p.ns, Key(o.ID), raw, statusKeep)
		if err == nil || attempt == 5 {
			return err
		}
		p.log.Warn("publish order", "order", o.ID, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// Record appends a status change to the order's timeline in KV.
func (p *Publisher) Record(ctx context.Context, orderID string, ev Event) error {
	raw, err := p.ns.Get(ctx, Key(orderID))
	if err != nil {
		return err
	}
	var o Order
	if err := json.Unmarshal(raw, &o); err != nil {
		return err
	}
	o.Status = ev.Status
	o.Timeline = append(o.Timeline, ev)
	o.UpdatedAt = ev.At
	raw, err = json.Marshal(o)
	if err != nil {
		return err
	}
	return writeEntry(ctx, p.ns, Key(orderID), raw, statusKeep) // EXPECT kvrace
}

// PublishBatch writes many projections at once after a database backfill.
func (p *Publisher) PublishBatch(ctx context.Context, os []Order) error {
	entries := make([]cfkv.Entry, 0, len(os))
	for _, o := range os {
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		entries = append(entries, cfkv.Entry{
			Key:      Key(o.ID),
			Value:    string(raw),
			TTL:      statusKeep,
			Metadata: map[string]string{"status": string(o.Status)},
		})
	}
	return p.ns.PutMany(ctx, entries)
}

// PublishRestaurantFeed writes each order of the batch and keeps the
// restaurant's "latest order" pointer for the tablet.
func (p *Publisher) PublishRestaurantFeed(ctx context.Context, restaurantID string, batch []Order) error {
	for _, o := range batch {
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := writeEntry(ctx, p.ns, Key(o.ID), raw, statusKeep); err != nil {
			return err
		}
		if err := writeEntry(ctx, p.ns, "restaurant:"+restaurantID+":latest", []byte(o.ID), statusKeep); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Open returns the orders of a restaurant that are not yet delivered.
// Projections are indexed under "open:<restaurant>:<order>".
func (p *Publisher) Open(ctx context.Context, restaurantID string) ([]Order, error) {
	prefix := "open:" + restaurantID + ":"
	var out []Order
	cursor := ""
	for {
		page, err := p.ns.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := p.ns.Get(ctx, Key(strings.TrimPrefix(k, prefix))) // EXPECT kvlist
			if cfkv.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var o Order
			if err := json.Unmarshal(raw, &o); err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		if page.Cursor == "" {
			return out, nil
		}
		cursor = page.Cursor
	}
}

// OpenIDs returns up to maxPages pages of open order IDs of a restaurant.
func (p *Publisher) OpenIDs(ctx context.Context, restaurantID string, maxPages int) ([]string, bool, error) {
	prefix := "open:" + restaurantID + ":"
	var ids []string
	cursor := ""
	for range maxPages {
		page, err := p.ns.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k, prefix))
		}
		if page.Cursor == "" {
			return ids, true, nil
		}
		cursor = page.Cursor
	}
	return ids, false, nil
}

// ETA is a delivery estimate.
type ETA struct {
	OrderID   string    `json:"order_id"`
	Arrive    time.Time `json:"arrive"`
	CourierID string    `json:"courier_id"`
}

// ETACache publishes estimates for the edge.
type ETACache struct {
	store cfkv.Store[string, ETA]
	ns    cfkv.Namespace
}

// NewETACache returns an ETACache over ns.
func NewETACache(ns cfkv.Namespace) *ETACache {
	return &ETACache{store: cfkv.NewJSONStore[string, ETA](ns, "eta:"), ns: ns}
}

// Put keeps the estimate until the courier is due.
func (c *ETACache) Put(ctx context.Context, e ETA) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return c.ns.Put(ctx, "eta:"+e.OrderID, raw, time.Until(e.Arrive)) // EXPECT kvttl
}

// PutWithGrace keeps the estimate until the courier is due plus a grace
// period, and never less than KV's minimum lifetime.
func (c *ETACache) PutWithGrace(ctx context.Context, e ETA, grace time.Duration) error {
	ttl := max(time.Until(e.Arrive)+grace, time.Minute)
	return c.store.Put(ctx, e.OrderID, e, ttl)
}

// PutQuick stores an estimate through the typed store, which raises short
// lifetimes to KV's minimum.
func (c *ETACache) PutQuick(ctx context.Context, e ETA) error {
	return c.store.Put(ctx, e.OrderID, e, 30*time.Second)
}

// Rush stores a short-lived estimate during the lunch peak.
func (c *ETACache) Rush(ctx context.Context, e ETA, window time.Duration) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return c.ns.Put(ctx, "eta:"+e.OrderID, raw, max(2*window, 3*time.Second)) // EXPECT kvttl
}

// Pin keeps the estimate for a fixed half minute while the courier is at
// the door.
func (c *ETACache) Pin(ctx context.Context, e ETA) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return c.ns.PutUntil(ctx, "eta:"+e.OrderID, raw, time.Now().Add(20*time.Second)) // EXPECT kvttl
}

// Refresh recomputes estimates concurrently, one goroutine per order, with
// a per-call deadline.
func (c *ETACache) Refresh(ctx context.Context, etas []ETA) []error {
	errs := make([]error, len(etas))
	var wg sync.WaitGroup
	for i, e := range etas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			errs[i] = c.PutWithGrace(cctx, e, 10*time.Minute)
		}()
	}
	wg.Wait()
	return errs
}

// Lookup returns the estimate, if any.
func (c *ETACache) Lookup(ctx context.Context, orderID string) (ETA, bool, error) {
	e, err := c.store.Get(ctx, orderID)
	if errors.Is(err, cfkv.ErrNotFound) {
		return ETA{}, false, nil
	}
	if err != nil {
		return ETA{}, false, fmt.Errorf("eta %s: %w", orderID, err)
	}
	return e, true, nil
}
