// Package sqlstore is the authoritative D1 store behind the KV caches; Memory stands in for it.
package sqlstore

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNoRows is returned when a lookup finds nothing.
var ErrNoRows = errors.New("sqlstore: no rows")

// Product is a catalog row.
type Product struct {
	Tenant     string `json:"tenant"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PotSize    string `json:"pot_size"`
	PriceCents int64  `json:"price_cents"`
	Category   string `json:"category"`
}

// PriceChange is a scheduled price for one SKU.
type PriceChange struct {
	Tenant         string
	SKU            string
	PriceCents     int64
	EffectiveFrom  time.Time
	EffectiveUntil time.Time
	Promo          string
}

// Catalog reads products and prices.
type Catalog interface {
	Product(ctx context.Context, tenant, sku string) (Product, error)
	Category(ctx context.Context, tenant, category string) ([]Product, error)
	PriceChanges(ctx context.Context, from, to time.Time) ([]PriceChange, error)
}

// Counters keeps exact counts.
type Counters interface {
	// Add runs UPDATE counters SET n = n + ?1 WHERE name = ?2 RETURNING n.
	Add(ctx context.Context, name string, delta int64) (int64, error)
}

// Memory implements Catalog and Counters in process memory.
type Memory struct {
	mu       sync.Mutex
	Products []Product
	Prices   []PriceChange
	counts   map[string]int64
}

func NewMemory() *Memory { return &Memory{counts: map[string]int64{}} }

func (m *Memory) Product(_ context.Context, tenant, sku string) (Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.Products {
		if p.Tenant == tenant && p.SKU == sku {
			return p, nil
		}
	}
	return Product{}, ErrNoRows
}

func (m *Memory) Category(_ context.Context, tenant, category string) ([]Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Product
	for _, p := range m.Products {
		if p.Tenant == tenant && p.Category == category {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *Memory) PriceChanges(_ context.Context, from, to time.Time) ([]PriceChange, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []PriceChange
	for _, pc := range m.Prices {
		if !pc.EffectiveFrom.Before(from) && pc.EffectiveFrom.Before(to) {
			out = append(out, pc)
		}
	}
	return out, nil
}

func (m *Memory) Add(_ context.Context, name string, delta int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[name] += delta
	return m.counts[name], nil
}
