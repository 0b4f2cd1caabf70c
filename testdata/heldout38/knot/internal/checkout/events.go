//go:build js && wasm

package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/boxoffice/knot/internal/edgekv"
	"github.com/boxoffice/knot/internal/retry"
)

// Event is something that happened to an order.
type Event interface{ orderEvent() }

// OrderPlaced is emitted when payment succeeds.
type OrderPlaced struct {
	OrderID string
	EventID string
	Buyer   string
	Items   []Item
	Cents   int64
	At      time.Time
}

// OrderRefunded is emitted when the box office refunds an order.
type OrderRefunded struct {
	OrderID string
	Reason  string
	At      time.Time
}

// TicketIssued is emitted for each ticket and carries its door QR code.
type TicketIssued struct {
	OrderID    string
	Code       string
	Seat       string
	DoorsClose time.Time
}

// SeatsReleased is emitted when holds are given back after a failed payment.
type SeatsReleased struct {
	EventID string
	Items   []Item
}

func (OrderPlaced) orderEvent()   {}
func (OrderRefunded) orderEvent() {}
func (TicketIssued) orderEvent()  {}
func (SeatsReleased) orderEvent() {}

// Order is the edge copy of an order, for the "my tickets" page.
type Order struct {
	ID       string    `json:"id"`
	EventID  string    `json:"event_id"`
	Buyer    string    `json:"buyer"`
	Items    []Item    `json:"items"`
	Cents    int64     `json:"cents"`
	Status   string    `json:"status"`
	Refunded time.Time `json:"refunded,omitzero"`
}

// Key of the order.
func (o Order) Key() string { return "order:" + o.ID }

// TTL: orders are kept at the edge for a season.
func (o Order) TTL() time.Duration { return 120 * 24 * time.Hour }

// Ticket is what the door scanner looks up by code.
type Ticket struct {
	Code    string `json:"code"`
	OrderID string `json:"order_id"`
	Seat    string `json:"seat"`
}

// Recorder applies order events to the edge namespaces.
type Recorder struct {
	orders *edgekv.Store
	doors  *edgekv.Store
	holds  *edgekv.Store
}

// NewRecorder returns a recorder.
func NewRecorder(orders, doors, holds *edgekv.Store) *Recorder {
	return &Recorder{orders: orders, doors: doors, holds: holds}
}

// Record applies each event in order.
func (r *Recorder) Record(ctx context.Context, events ...Event) error {
	for _, ev := range events {
		if err := r.apply(ctx, ev); err != nil {
			return fmt.Errorf("checkout: %T: %w", ev, err)
		}
	}
	return nil
}

func (r *Recorder) apply(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case OrderPlaced:
		o := Order{ID: e.OrderID, EventID: e.EventID, Buyer: e.Buyer, Items: e.Items, Cents: e.Cents, Status: "paid"}
		if err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			return edgekv.Save(ctx, r.orders, o)
		}); err != nil {
			return err
		}
		return r.addSales(ctx, e.EventID, e.Cents)

	case OrderRefunded:
		o, err := edgekv.Load[Order](ctx, r.orders, "order:"+e.OrderID)
		if err != nil {
			return err
		}
		o.Status = "refunded"
		o.Refunded = e.At
		return edgekv.Save(ctx, r.orders, o) // EXPECT kvrace

	case TicketIssued:
		t := Ticket{Code: e.Code, OrderID: e.OrderID, Seat: e.Seat}
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		ttl := time.Until(e.DoorsClose.Add(6 * time.Hour)) // EXPECT kvttl
		return r.doors.Put(ctx, "qr:"+e.Code, string(b), ttl)

	case SeatsReleased:
		for _, it := range e.Items {
			if err := r.holds.Delete(ctx, "hold:"+e.EventID+":"+it.Seat); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
				return err
			}
		}
		return nil

	default:
		return fmt.Errorf("unknown event %T", ev)
	}
}

// addSales keeps the running gross shown on the promoter dashboard.
func (r *Recorder) addSales(ctx context.Context, eventID string, cents int64) error {
	key := "gross:" + eventID
	cur := int64(0)
	raw, err := r.orders.Get(ctx, key)
	switch {
	case err == nil:
		cur, err = strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
	case errors.Is(err, edgekv.ErrNotFound):
	default:
		return err
	}
	return r.orders.Put(ctx, key, strconv.FormatInt(cur+cents, 10), 0) // EXPECT kvcounter|kvrace
}
