// Package catalog publishes product data, regional price lists and stock
// levels to the edge namespace.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/batch"
	"example.com/commerce/internal/platform/cache"
	"example.com/commerce/internal/platform/kvjson"
)

type Product struct {
	SKU        string    `json:"sku"`
	Name       string    `json:"name"`
	PriceCents int64     `json:"price_cents"`
	Tags       []string  `json:"tags,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type Snapshot struct {
	Version string    `json:"version"`
	SKUs    []string  `json:"skus"`
	At      time.Time `json:"at"`
}

type PriceList struct {
	Region string           `json:"region"`
	Prices map[string]int64 `json:"prices"`
	At     time.Time        `json:"at"`
}

// Source is the origin of truth (the core API, Postgres behind it).
type Source interface {
	Products(ctx context.Context) ([]Product, error)
	Product(ctx context.Context, sku string) (Product, error)
	PriceList(ctx context.Context, region string) (PriceList, error)
	StockLevel(ctx context.Context, sku string) (int, error)
}

type Store interface {
	ports.ReadWriter
	ports.BulkWriter
}

// KeyScanner enumerates every key name under a prefix.
type KeyScanner interface {
	Keys(ctx context.Context, prefix string) ([]string, error)
}

type Deps struct {
	KV       Store
	Keys     KeyScanner
	Source   Source
	Config   config.CatalogConfig
	Clock    platform.Clock
	IDs      platform.IDGen
	Products *cache.Cache[string, Product]
	Stock    *cache.Cache[string, int]
}

type Service struct{ Deps }

func NewService(d Deps) *Service { return &Service{d} }

func priceKey(region string) string { return "prices:" + region }
func stockKey(sku string) string    { return "stock:" + sku }

// PublishSnapshot pushes every product (name and tags in metadata for the
// search indexer), removes products the origin no longer has, writes a
// versioned manifest and flips catalog:current.
func (s *Service) PublishSnapshot(ctx context.Context) (string, error) {
	products, err := s.Source.Products(ctx)
	if err != nil {
		return "", err
	}
	existing, err := s.Keys.Keys(ctx, "product:")
	if err != nil {
		return "", err
	}
	snap := Snapshot{Version: s.IDs.NewID(), At: s.Clock.Now()}
	tx := batch.New(s.KV)
	for _, p := range products {
		raw, _ := json.Marshal(p)
		tx.PutMeta("product:"+p.SKU, raw, 0, map[string]any{"name": p.Name, "tags": p.Tags})
		snap.SKUs = append(snap.SKUs, p.SKU)
	}
	for _, k := range existing {
		if !slices.Contains(snap.SKUs, strings.TrimPrefix(k, "product:")) {
			tx.Delete(k)
		}
	}
	if err := tx.PutJSON("catalog:snapshot:"+snap.Version, snap, int64(s.Config.SnapshotTTL/time.Second)); err != nil {
		return "", err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", err
	}
	return snap.Version, s.KV.Put(ctx, "catalog:current", []byte(snap.Version))
}

// PublishPrices copies the origin price list for a region.
func (s *Service) PublishPrices(ctx context.Context, region string) error {
	pl, err := s.Source.PriceList(ctx, region)
	if err != nil {
		return err
	}
	pl.At = s.Clock.Now()
	return kvjson.Put(ctx, s.KV, priceKey(region), pl, ports.WithTTL(s.Config.PriceTTL))
}

// OverridePrice patches one SKU in the published regional list; used by
// merchandisers for quick corrections between origin syncs.
func (s *Service) OverridePrice(ctx context.Context, region, sku string, cents int64) error {
	return kvjson.Update(ctx, s.KV, priceKey(region), func(pl *PriceList) error {
		if pl.Prices == nil {
			pl.Prices = map[string]int64{}
		}
		pl.Region, pl.Prices[sku], pl.At = region, cents, s.Clock.Now()
		return nil
	}, ports.WithTTL(s.Config.PriceTTL))
}

// SetStock publishes the absolute level reported by the warehouse feed.
func (s *Service) SetStock(ctx context.Context, sku string, qty int) error {
	return s.KV.Put(ctx, stockKey(sku), []byte(strconv.Itoa(qty)))
}

// AdjustStock applies a delta from the POS terminals between feed runs.
func (s *Service) AdjustStock(ctx context.Context, sku string, delta int) (int, error) {
	raw, err := s.KV.Get(ctx, stockKey(sku))
	if err != nil && !errors.Is(err, ports.ErrNotFound) {
		return 0, err
	}
	level := 0
	if len(raw) > 0 {
		if level, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("catalog: stock %s: %w", sku, err)
		}
	}
	level = max(level+delta, 0)
	return level, s.KV.Put(ctx, stockKey(sku), []byte(strconv.Itoa(level))) // EXPECT kvcounter
}

// AddToCollection appends a SKU to a merchandising collection.
func (s *Service) AddToCollection(ctx context.Context, slug, sku string) error {
	key := "collection:" + slug
	skus, _, err := kvjson.Get[[]string](ctx, s.KV, key)
	if err != nil || slices.Contains(skus, sku) {
		return err
	}
	return kvjson.Put(ctx, s.KV, key, append(skus, sku)) // EXPECT kvrace
}

type priceEdit struct {
	SKU   string `json:"sku"`
	Cents int64  `json:"cents"`
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("GET /products/{sku}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Product, error) {
		return s.Products.Get(r.Context(), r.PathValue("sku"), s.Source.Product)
	}))
	mux.Handle("GET /products/{sku}/stock", platform.Endpoint(func(r *http.Request, _ platform.Empty) (int, error) {
		return s.Stock.Get(r.Context(), r.PathValue("sku"), s.Source.StockLevel)
	}))
	mux.Handle("POST /admin/catalog/publish", platform.Endpoint(func(r *http.Request, _ platform.Empty) (string, error) {
		return s.PublishSnapshot(r.Context())
	}))
	mux.Handle("POST /admin/prices/{region}", platform.Do(func(r *http.Request, e priceEdit) error {
		if e.SKU == "" {
			return s.PublishPrices(r.Context(), r.PathValue("region"))
		}
		return s.OverridePrice(r.Context(), r.PathValue("region"), e.SKU, e.Cents)
	}))
	mux.Handle("PUT /admin/stock/{sku}", platform.Do(func(r *http.Request, qty int) error {
		return s.SetStock(r.Context(), r.PathValue("sku"), qty)
	}))
	mux.Handle("POST /pos/stock/{sku}", platform.Endpoint(func(r *http.Request, delta int) (int, error) {
		return s.AdjustStock(r.Context(), r.PathValue("sku"), delta)
	}))
	mux.Handle("POST /admin/collections/{slug}", platform.Do(func(r *http.Request, sku string) error {
		return s.AddToCollection(r.Context(), r.PathValue("slug"), sku)
	}))
}
