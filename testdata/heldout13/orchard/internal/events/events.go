// Package events applies order events from the queue to the read-side
// projections the storefront and the farm dashboard read from KV.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/store"
)

// Event is one order event as published by the orders service.
type Event struct {
	Seq        string    `json:"seq"`
	Type       string    `json:"type"`
	OrderID    string    `json:"order_id"`
	FarmID     string    `json:"farm_id"`
	BuyerID    string    `json:"buyer_id"`
	ListingID  string    `json:"listing_id,omitempty"`
	TotalCents int64     `json:"total_cents"`
	At         time.Time `json:"at"`
}

// Handler applies one event type.
type Handler func(ctx context.Context, ev Event) error

// UnknownTypeError is returned for an event no handler is registered for.
type UnknownTypeError struct{ Type string }

func (e *UnknownTypeError) Error() string { return "events: no handler for " + e.Type }

// Projector dispatches events to their handlers.
type Projector struct {
	st       store.Store
	handlers map[string]Handler
	log      *slog.Logger
}

// NewProjector registers the built-in projections.
func NewProjector(st store.Store, log *slog.Logger) *Projector {
	p := &Projector{st: st, log: log}
	p.handlers = map[string]Handler{
		"order.placed":    p.onPlaced,
		"order.cancelled": p.onClosed,
		"order.picked_up": p.onClosed,
		"order.confirmed": p.onStatus,
		"order.packed":    p.onStatus,
		"listing.soldout": p.onSoldOut,
	}
	return p
}

// Apply runs every event through its handler. One bad event does not stop
// the rest of the batch.
func (p *Projector) Apply(ctx context.Context, evs []Event) error {
	var errs []error
	for _, ev := range evs {
		h, ok := p.handlers[ev.Type]
		if !ok {
			errs = append(errs, &UnknownTypeError{Type: ev.Type})
			continue
		}
		if err := h(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("event %s (%s): %w", ev.Seq, ev.Type, err))
			continue
		}
		if err := p.st.Put(ctx, "projection:checkpoint", ev.Seq); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FarmActivity is the dashboard's "recent orders" card.
type FarmActivity struct {
	FarmID string    `json:"farm_id"`
	Recent []string  `json:"recent"`
	At     time.Time `json:"at"`
}

const recentMax = 20

func (p *Projector) onPlaced(ctx context.Context, ev Event) error {
	key := "proj:activity:" + ev.FarmID
	a, _, err := store.Load[FarmActivity](ctx, p.st, key)
	if err != nil {
		return err
	}
	a.FarmID = ev.FarmID
	a.Recent = append([]string{ev.OrderID}, a.Recent...)
	a.Recent = a.Recent[:min(len(a.Recent), recentMax)]
	a.At = ev.At
	if err := store.Save(ctx, p.st, key, a); err != nil { // EXPECT kvrace
		return err
	}
	return p.onStatus(ctx, ev)
}

// onStatus records the order's latest status for the buyer's order page.
// The value comes from the event alone.
func (p *Projector) onStatus(ctx context.Context, ev Event) error {
	v := struct {
		Type string    `json:"type"`
		At   time.Time `json:"at"`
	}{ev.Type, ev.At}
	return store.Save(ctx, p.st, "proj:open:"+ev.OrderID, v, store.WithTTL(30*24*time.Hour))
}

func (p *Projector) onClosed(ctx context.Context, ev Event) error {
	return p.st.Delete(ctx, "proj:open:"+ev.OrderID)
}

func (p *Projector) onSoldOut(ctx context.Context, ev Event) error {
	return p.st.Put(ctx, "proj:soldout:"+ev.ListingID, ev.At.UTC().Format(time.RFC3339),
		store.WithTTL(time.Hour))
}
