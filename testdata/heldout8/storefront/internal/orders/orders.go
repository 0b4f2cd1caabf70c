// Package orders stores placed orders and serves the order status page.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/storefront/internal/cart"
	"example.com/storefront/internal/checkout"
	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

// Order is the customer-visible order document.
type Order struct {
	ID        string         `json:"id"`
	Customer  string         `json:"customer"`
	Lines     []cart.Line    `json:"lines"`
	Shipping  checkout.Quote `json:"shipping"`
	Total     int64          `json:"total"`
	CreatedAt time.Time      `json:"created_at"`
}

// Status is what the status page renders.
type Status struct {
	OrderID   string    `json:"order_id"`
	State     string    `json:"state"`
	Carrier   string    `json:"carrier,omitempty"`
	Tracking  string    `json:"tracking,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is one entry of the order timeline.
type Event struct {
	OrderID string    `json:"order_id"`
	State   string    `json:"state"`
	Note    string    `json:"note,omitempty"`
	At      time.Time `json:"at"`
}

// Window is a promised delivery window.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Service implements checkout.OrderSink and the status page queries.
type Service struct {
	store      kvstore.Store
	pageSize   int
	historyCap int
}

var _ checkout.OrderSink = (*Service)(nil)

// New returns an order service.
func New(store kvstore.Store, cfg config.Orders) *Service {
	return &Service{store: store, pageSize: cfg.PageSize, historyCap: cfg.HistoryCap}
}

func orderKey(customer, id string) string { return fmt.Sprintf("order:%s:%s", customer, id) }
func statusKey(id string) string          { return "orderstatus:" + id }
func timelineKey(id string) string        { return "ordertl:" + id }

// Create stores a new order and its initial status.
func (s *Service) Create(ctx context.Context, customer string, c cart.Cart, q checkout.Quote) (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	o := Order{ID: hex.EncodeToString(b), Customer: customer, Lines: c.Lines, Shipping: q, Total: c.Total() + q.PriceCents, CreatedAt: time.Now().UTC()}
	if err := repo.PutJSON(ctx, s.store, orderKey(customer, o.ID), o, kvstore.WithMetadata(map[string]any{"total": o.Total, "at": o.CreatedAt.Unix()})); err != nil {
		return "", err
	}
	st := Status{OrderID: o.ID, State: "placed", UpdatedAt: o.CreatedAt}
	return o.ID, repo.PutJSON(ctx, s.store, statusKey(o.ID), st)
}

// StatusPage returns the status shown at /orders/{id}.
func (s *Service) StatusPage(ctx context.Context, id string) Status {
	st, _ := repo.GetJSON[Status](ctx, s.store, statusKey(id)) // EXPECT kvnull
	if st.State == "" {
		st.State = "processing"
	}
	return st
}

// ForCustomer returns one page of the customer's orders, newest keys last,
// and the cursor for "load more".
func (s *Service) ForCustomer(ctx context.Context, customer, cursor string) ([]Order, string, error) {
	page, err := s.store.List(ctx, "order:"+customer+":", cursor, s.pageSize)
	if err != nil {
		return nil, "", err
	}
	out := make([]Order, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, "", err
		}
		var o Order
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, "", err
		}
		out = append(out, o)
	}
	return out, page.Cursor, nil
}

// CacheETA keeps the carrier's ETA next to the status until it passes.
func (s *Service) CacheETA(ctx context.Context, id string, eta time.Time) error {
	ttl := time.Until(eta) // EXPECT kvttl
	return s.store.Put(ctx, "eta:"+id, []byte(eta.UTC().Format(time.RFC3339)), kvstore.WithTTL(ttl))
}

// CacheWindow stores the promised delivery window until it closes.
func (s *Service) CacheWindow(ctx context.Context, id string, w Window) error {
	ttl := time.Until(w.End)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return repo.PutJSON(ctx, s.store, "window:"+id, w, kvstore.WithTTL(ttl))
}
