// Package catalog serves product data to the storefront, with Postgres as the
// source of truth and Workers KV as the edge copy.
package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"example.com/ops/internal/config"
	"example.com/ops/internal/edgecache"
)

// ErrNotFound is returned for unknown slugs.
var ErrNotFound = errors.New("catalog: product not found")

// Product is the public projection of a product row.
type Product struct {
	ID         int64    `json:"id"`
	Slug       string   `json:"slug"`
	Name       string   `json:"name"`
	PriceCents int64    `json:"price_cents"`
	HeroURL    string   `json:"hero_url"`
	Tags       []string `json:"tags,omitempty"`
}

// Service reads products.
type Service struct {
	db    *sql.DB
	cache *edgecache.Cache
}

// NewService returns a Service.
func NewService(db *sql.DB, cache *edgecache.Cache) *Service {
	return &Service{db: db, cache: cache}
}

func productKey(slug string) string { return "product:" + slug }

func (s *Service) queryProduct(ctx context.Context, q string, args ...any) (*Product, error) {
	var p Product
	var tags []byte
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&p.ID, &p.Slug, &p.Name, &p.PriceCents, &p.HeroURL, &tags)
	if err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &p.Tags); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// Product returns the product for slug, from the edge cache when possible.
func (s *Service) Product(ctx context.Context, slug string) (*Product, error) {
	key := productKey(slug)
	if raw, ok, err := s.cache.Get(ctx, key); err != nil {
		slog.Warn("product cache read failed", "slug", slug, "err", err)
	} else if ok {
		var p Product
		if err := json.Unmarshal([]byte(raw), &p); err == nil {
			return &p, nil
		}
	}

	p, err := s.queryProduct(ctx,
		`SELECT id, slug, name, price_cents, hero_url, tags FROM products WHERE slug = $1 AND published`, slug)
	if errors.Is(err, sql.ErrNoRows) {
		// Remember the miss for a bit so crawlers probing dead links don't
		// all land on Postgres.
		if err := s.cache.Put(ctx, "product-miss:"+slug, "1", 30*time.Second); err != nil {
			slog.Warn("negative cache write failed", "slug", slug, "err", err)
		}
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := s.cache.Put(ctx, key, string(b), config.ProductCacheTTL); err != nil {
		slog.Warn("product cache write failed", "slug", slug, "err", err)
	}
	return p, nil
}

// Reprice changes the price in Postgres and refreshes the edge copy.
func (s *Service) Reprice(ctx context.Context, slug string, cents int64) error {
	p, err := s.queryProduct(ctx,
		`UPDATE products SET price_cents = $1, updated_at = now() WHERE slug = $2
		 RETURNING id, slug, name, price_cents, hero_url, tags`, cents, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.cache.Put(ctx, productKey(slug), string(b), config.ProductCacheTTL)
}

// Unpublish hides a product and drops it from the edge.
func (s *Service) Unpublish(ctx context.Context, slug string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE products SET published = false WHERE slug = $1`, slug); err != nil {
		return err
	}
	return s.cache.Invalidate(ctx, productKey(slug))
}

// Category returns the product IDs of a category, cached at the edge.
func (s *Service) Category(ctx context.Context, categoryID int64) ([]int64, error) {
	key := "category:" + strconv.FormatInt(categoryID, 10)
	if raw, ok, err := s.cache.Get(ctx, key); err == nil && ok {
		var ids []int64
		if json.Unmarshal([]byte(raw), &ids) == nil {
			return ids, nil
		}
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT id FROM products WHERE category_id = $1 AND published ORDER BY rank`, categoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(ids)
	ttl := config.CategoryCacheTTL
	if len(ids) == 0 {
		ttl = config.CategoryCacheTTL / 30
	}
	_ = s.cache.Put(ctx, key, string(b), ttl)
	return ids, nil
}
