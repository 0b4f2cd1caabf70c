// Package orders handles order placement and status. Every change is also
// appended to the order's event log, from which the order view is projected.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/enc"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

type Line struct {
	SKU        ids.SKU `json:"sku"`
	Qty        int     `json:"qty"`
	PriceCents int64   `json:"price_cents"`
}

type Order struct {
	ID       ids.OrderID   `json:"id"`
	Account  ids.AccountID `json:"account"`
	Lines    []Line        `json:"lines"`
	Status   string        `json:"status"`
	Total    int64         `json:"total_cents"`
	PickupAt time.Time     `json:"pickup_at"`
	Created  time.Time     `json:"created"`
}

// Enqueuer is the outbox.
type Enqueuer interface {
	Enqueue(ctx context.Context, topic string, payload []byte) error
}

type Service struct {
	store  kvstore.Store
	outbox Enqueuer
	keys   config.KeyFormats
}

func NewService(store kvstore.Store, outbox Enqueuer, keys config.KeyFormats) *Service {
	return &Service{store: store, outbox: outbox, keys: keys}
}

type orderError struct {
	id   ids.OrderID
	code int
	msg  string
}

func (e *orderError) Error() string   { return fmt.Sprintf("order %s: %s", e.id, e.msg) }
func (e *orderError) StatusCode() int { return e.code }

var ErrNoOrder = errors.New("orders: no such order")

func (s *Service) orderKey(id ids.OrderID) string { return fmt.Sprintf(s.keys.Order, id) }

// Place stores a new order and queues the confirmation.
func (s *Service) Place(ctx context.Context, acct ids.AccountID, lines []Line, pickup time.Time) (*Order, error) {
	if len(lines) == 0 {
		return nil, &orderError{code: http.StatusBadRequest, msg: "no lines"}
	}
	o := &Order{ID: ids.NewOrderID(), Account: acct, Lines: lines, Status: "placed", PickupAt: pickup, Created: time.Now().UTC()}
	for _, l := range lines {
		o.Total += int64(l.Qty) * l.PriceCents
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	if err := s.store.Put(ctx, s.orderKey(o.ID), b, kvstore.PutOptions{ExpiresAt: retention(pickup)}); err != nil {
		return nil, err
	}
	if err := s.appendEvent(ctx, o.ID, Event{Kind: EventPlaced, At: o.Created, Payload: b}); err != nil {
		return nil, err
	}
	if err := s.outbox.Enqueue(ctx, "order.placed", []byte(o.ID.String())); err != nil {
		return nil, fmt.Errorf("orders: queue confirmation: %w", err)
	}
	return o, nil
}

// SetStatus moves the order to a new status.
func (s *Service) SetStatus(ctx context.Context, id ids.OrderID, status string) (*Order, error) {
	key := s.orderKey(id)
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoOrder
	}
	var o Order
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	if o.Status == "cancelled" {
		return nil, &orderError{id: id, code: http.StatusConflict, msg: "order is cancelled"}
	}
	o.Status = status
	b, _ := json.Marshal(&o)
	if err := s.store.Put(ctx, key, b, kvstore.PutOptions{ExpiresAt: retention(o.PickupAt)}); err != nil { // EXPECT kvrace
		return nil, err
	}
	payload, _ := json.Marshal(map[string]string{"status": status})
	return &o, s.appendEvent(ctx, id, Event{Kind: EventStatus, At: time.Now(), Payload: payload})
}

// retention is when an order record expires: orders are kept for a month
// after pickup for receipts and disputes.
func retention(pickup time.Time) int64 {
	from := time.Now()
	if pickup.After(from) {
		from = pickup
	}
	return from.Add(30 * 24 * time.Hour).Unix()
}

// Hold reserves the order's lines while the buyer completes payment. The hold
// lasts as long as the checkout request is allowed to run.
func (s *Service) Hold(ctx context.Context, id ids.OrderID) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * time.Minute)
	}
	return s.store.Put(ctx, "holds/"+id.String(), []byte("1"), kvstore.PutOptions{
		TTL: time.Until(deadline), // EXPECT kvttl
	})
}

// appendEvent writes the event under the next sequence number and advances
// the log head.
func (s *Service) appendEvent(ctx context.Context, id ids.OrderID, ev Event) error {
	prefix := fmt.Sprintf(s.keys.Events, id)
	head := prefix + "head"
	var seq uint64
	raw, err := s.store.Get(ctx, head)
	switch {
	case err == nil:
		if seq, err = enc.Uvarint(raw); err != nil {
			return fmt.Errorf("orders: head %s: %w", head, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	seq++
	ev.Seq = uint32(seq)
	b, err := enc.Hex(ev)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, prefix+fmt.Sprintf("%08d", seq), b, kvstore.PutOptions{
		Metadata: map[string]string{"kind": strconv.Itoa(int(ev.Kind))},
	}); err != nil {
		return err
	}
	return s.store.Put(ctx, head, enc.PutUvarint(seq), kvstore.PutOptions{}) // EXPECT kvcounter|kvrace
}
