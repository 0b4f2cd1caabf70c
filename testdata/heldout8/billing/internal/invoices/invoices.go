// Package invoices caches rendered invoices from the billing database so the
// customer portal can show them without hitting the primary.
package invoices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
)

// Invoice is a finalised invoice.
type Invoice struct {
	ID          string    `json:"id"`
	CustomerID  string    `json:"customer_id"`
	Period      string    `json:"period"`
	Status      string    `json:"status"`
	AmountCents int64     `json:"amount_cents"`
	Currency    string    `json:"currency"`
	IssuedAt    time.Time `json:"issued_at"`
	Lines       []Line    `json:"lines"`
}

// Line is one invoice line item.
type Line struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitCents   int64  `json:"unit_cents"`
}

// Summary is what the invoice list shows; it lives in key metadata.
type Summary struct {
	ID          string
	Status      string
	AmountCents int64
}

const recentLimit = 12

// Cache stores invoices per customer.
type Cache struct {
	store  storage.Store
	recent *repo.Repo[[]string]
	ttl    time.Duration
	page   int
}

// New returns a Cache. ttl is config.Cache.InvoiceTTL, page the list page size.
func New(store storage.Store, ttl time.Duration, page int) *Cache {
	return &Cache{
		store:  store,
		recent: repo.New[[]string](store, keys.New(keys.Invoices, "recent").Prefix()),
		ttl:    ttl,
		page:   page,
	}
}

func invoiceKey(customerID, id string) string {
	return keys.Invoices + ":" + customerID + ":" + id
}

// Put caches inv and adds it to the customer's recent list.
func (c *Cache) Put(ctx context.Context, inv Invoice) error {
	meta := map[string]any{"status": inv.Status, "amount": inv.AmountCents}
	if err := repo.PutJSON(ctx, c.store, invoiceKey(inv.CustomerID, inv.ID), inv, storage.WithTTL(c.ttl), storage.WithMetadata(meta)); err != nil {
		return err
	}
	ids, err := c.recent.Get(ctx, inv.CustomerID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if slices.Contains(ids, inv.ID) {
		return nil
	}
	ids = append([]string{inv.ID}, ids...)
	if len(ids) > recentLimit {
		ids = ids[:recentLimit]
	}
	return c.recent.Put(ctx, inv.CustomerID, ids) // EXPECT kvrace
}

// Get returns one cached invoice.
func (c *Cache) Get(ctx context.Context, customerID, id string) (Invoice, error) {
	return repo.GetJSON[Invoice](ctx, c.store, invoiceKey(customerID, id))
}

// AmountDue returns the invoice total in minor units.
func (c *Cache) AmountDue(ctx context.Context, customerID, id string) (int64, string, error) {
	raw, _ := c.store.Get(ctx, invoiceKey(customerID, id)) // EXPECT kvnull
	var inv Invoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return 0, "", fmt.Errorf("invoice %s: %w", id, err)
	}
	if inv.Status == "paid" {
		return 0, inv.Currency, nil
	}
	return inv.AmountCents, inv.Currency, nil
}

// Recent returns the customer's most recent invoices, newest first.
func (c *Cache) Recent(ctx context.Context, customerID string) ([]Invoice, error) {
	ids, err := c.recent.Get(ctx, customerID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]Invoice, 0, len(ids))
	for _, id := range ids {
		inv, err := c.Get(ctx, customerID, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // expired from the cache
		}
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// List returns one page of a customer's cached invoices and the cursor for
// the next page ("" when done).
func (c *Cache) List(ctx context.Context, customerID, cursor string) ([]Invoice, string, error) {
	page, err := c.store.List(ctx, storage.ListOptions{Prefix: keys.Invoices + ":" + customerID + ":", Cursor: cursor, Limit: c.page})
	if err != nil {
		return nil, "", err
	}
	out := make([]Invoice, 0, len(page.Keys))
	for _, k := range page.Keys {
		inv, err := repo.GetJSON[Invoice](ctx, c.store, k.Name) // EXPECT kvlist
		if err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			return nil, "", err
		}
		out = append(out, inv)
	}
	return out, page.Cursor, nil
}

// Summaries is the cheap listing used by the portal sidebar: everything it
// needs is in key metadata.
func (c *Cache) Summaries(ctx context.Context, customerID, cursor string) ([]Summary, string, error) {
	page, err := c.store.List(ctx, storage.ListOptions{Prefix: keys.Invoices + ":" + customerID + ":", Cursor: cursor, Limit: c.page})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		s := Summary{ID: k.Name[len(keys.Invoices)+len(customerID)+2:]}
		s.Status, _ = k.Metadata["status"].(string)
		s.AmountCents, _ = k.Metadata["amount"].(int64)
		if f, ok := k.Metadata["amount"].(float64); ok { // JSON numbers from the API
			s.AmountCents = int64(f)
		}
		out = append(out, s)
	}
	return out, page.Cursor, nil
}
