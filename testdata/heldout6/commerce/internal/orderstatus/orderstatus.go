// Package orderstatus renders the public order-tracking pages and publishes
// them to the orders namespace over the KV REST API.
package orderstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/commerce/internal/adapters/kvrest"
	"example.com/commerce/internal/config"
	"example.com/commerce/internal/platform"
)

// PageStore is satisfied by *kvrest.Client.
type PageStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	PutTTL(ctx context.Context, key string, value []byte, ttlSeconds int) error
	PutUntil(ctx context.Context, key string, value []byte, expiresAt int64) error
	Delete(ctx context.Context, key string) error
	ListKeys(ctx context.Context, prefix, cursor string, limit int) (kvrest.KeysPage, error)
	BulkPut(ctx context.Context, pairs []kvrest.Pair) error
}

type Event struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

type Page struct {
	OrderID   string     `json:"order_id"`
	Status    string     `json:"status"`
	Carrier   string     `json:"carrier,omitempty"`
	ETA       *time.Time `json:"eta,omitempty"`
	History   []Event    `json:"history"`
	UpdatedAt time.Time  `json:"updated_at"`
}

type Publisher struct {
	store PageStore
	cfg   config.OrdersConfig
	clock platform.Clock
}

func NewPublisher(store PageStore, cfg config.OrdersConfig, clock platform.Clock) *Publisher {
	return &Publisher{store: store, cfg: cfg, clock: clock}
}

func pageKey(id string) string { return "order:" + id }

func (p *Publisher) ttlSeconds() int { return int(p.cfg.PageTTL / time.Second) }

// Publish writes freshly rendered pages from the order service. Status goes
// into key metadata for the review-request sweep.
func (p *Publisher) Publish(ctx context.Context, pages ...Page) error {
	pairs := make([]kvrest.Pair, 0, len(pages))
	for _, pg := range pages {
		pg.UpdatedAt = p.clock.Now()
		raw, _ := json.Marshal(pg)
		pairs = append(pairs, kvrest.Pair{Key: pageKey(pg.OrderID), Value: string(raw),
			ExpirationTTL: p.ttlSeconds(), Metadata: map[string]any{"status": pg.Status}})
	}
	return p.store.BulkPut(ctx, pairs)
}

// Advance appends a status event to the published page.
func (p *Publisher) Advance(ctx context.Context, orderID, status string) error {
	raw, err := p.store.Get(ctx, pageKey(orderID))
	if err != nil {
		return fmt.Errorf("orderstatus: load %s: %w", orderID, err)
	}
	var pg Page
	if err := json.Unmarshal(raw, &pg); err != nil {
		return err
	}
	pg.Status = status
	pg.History = append(pg.History, Event{Status: status, At: p.clock.Now()})
	return p.Publish(ctx, pg) // EXPECT kvrace
}

// PublishETA writes the carrier's delivery estimate card, kept until two
// days after the estimate.
func (p *Publisher) PublishETA(ctx context.Context, orderID, carrier string, eta time.Time) error {
	raw, _ := json.Marshal(map[string]any{"order_id": orderID, "carrier": carrier, "eta": eta})
	return p.store.PutUntil(ctx, "order:eta:"+orderID, raw, eta.Add(48*time.Hour).UnixMilli()) // EXPECT kvttl
}

// Cancel replaces the page with the cancellation notice.
func (p *Publisher) Cancel(ctx context.Context, orderID, reason string) error {
	pg := Page{OrderID: orderID, Status: "cancelled", UpdatedAt: p.clock.Now(),
		History: []Event{{Status: "cancelled: " + reason, At: p.clock.Now()}}}
	raw, _ := json.Marshal(pg)
	return p.store.PutTTL(ctx, pageKey(orderID), raw, int(p.cfg.CancelledTTL)) // EXPECT kvttl
}

// Placeholders publishes "we're preparing your order" pages for orders that
// were just accepted, so the confirmation e-mail link never 404s before the
// first real render lands.
func (p *Publisher) Placeholders(ctx context.Context, orderIDs []string) error {
	pairs := make([]kvrest.Pair, 0, len(orderIDs))
	for _, id := range orderIDs {
		raw, _ := json.Marshal(Page{OrderID: id, Status: "processing", UpdatedAt: p.clock.Now()})
		pairs = append(pairs, kvrest.Pair{
			Key:           pageKey(id),
			Value:         string(raw),
			ExpirationTTL: 30, // EXPECT kvttl
		})
	}
	return p.store.BulkPut(ctx, pairs)
}

// Purge removes an order's public pages after an erasure request.
func (p *Publisher) Purge(ctx context.Context, orderID string) error {
	return errors.Join(p.store.Delete(ctx, pageKey(orderID)), p.store.Delete(ctx, "order:eta:"+orderID))
}

// CountView bumps the "viewed N times" figure shown to support agents.
func (p *Publisher) CountView(ctx context.Context, orderID string) (int, error) {
	key := "order:views:" + orderID
	n := 0
	raw, err := p.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvrest.ErrNotFound):
		return 0, err
	}
	n++
	return n, p.store.PutTTL(ctx, key, []byte(strconv.Itoa(n)), p.ttlSeconds()) // EXPECT kvcounter
}

// Delivered collects the IDs of delivered orders for the review-request
// mailer. Status is read from key metadata written by the order service.
func (p *Publisher) Delivered(ctx context.Context) ([]string, error) {
	var ids []string
	cursor := ""
	for {
		page, err := p.store.ListKeys(ctx, "order:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			if k.Metadata["status"] == "delivered" {
				ids = append(ids, k.Name[len("order:"):])
			}
		}
		if page.Cursor == "" {
			return ids, nil
		}
		cursor = page.Cursor
	}
}

// Recent returns one page of order keys for the support console; the console
// passes the cursor back for the next page.
func (p *Publisher) Recent(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := p.store.ListKeys(ctx, "order:", cursor, 50)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	return names, page.Cursor, nil
}

type event struct {
	Status  string     `json:"status"`
	Carrier string     `json:"carrier"`
	ETA     *time.Time `json:"eta"`
	Reason  string     `json:"reason"`
}

func (p *Publisher) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		raw, err := p.store.Get(r.Context(), pageKey(r.PathValue("id")))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		go p.CountView(context.WithoutCancel(r.Context()), r.PathValue("id"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
	})
	mux.Handle("POST /internal/orders/{id}/events", platform.Do(func(r *http.Request, e event) error {
		switch id := r.PathValue("id"); {
		case e.Status == "cancelled":
			return p.Cancel(r.Context(), id, e.Reason)
		case e.ETA != nil:
			return p.PublishETA(r.Context(), id, e.Carrier, *e.ETA)
		default:
			return p.Advance(r.Context(), id, e.Status)
		}
	}))
	mux.Handle("DELETE /internal/orders/{id}", platform.Do(func(r *http.Request, _ platform.Empty) error {
		return p.Purge(r.Context(), r.PathValue("id"))
	}))
	mux.Handle("POST /internal/orders/placeholders", platform.Do(func(r *http.Request, ids []string) error {
		return p.Placeholders(r.Context(), ids)
	}))
	mux.Handle("POST /internal/orders/render", platform.Do(func(r *http.Request, pages []Page) error {
		return p.Publish(r.Context(), pages...)
	}))
	mux.Handle("GET /support/orders", platform.Endpoint(func(r *http.Request, _ platform.Empty) (map[string]any, error) {
		names, next, err := p.Recent(r.Context(), r.URL.Query().Get("cursor"))
		return map[string]any{"keys": names, "cursor": next}, err
	}))
}
