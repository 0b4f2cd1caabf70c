package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/enc"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

const (
	productPrefix = "product/"
	tagsPrefix    = "tags/"
	missingMarker = "\x00missing"
)

type entry struct {
	p       *Product
	fetched time.Time
}

// Service is the catalog read path with a two-level cache.
type Service struct {
	store kvstore.Store
	src   Source
	cfg   config.Catalog

	local      sync.Map // ids.SKU -> *entry
	refreshing sync.Map // ids.SKU -> struct{}
}

func NewService(store kvstore.Store, src Source, cfg config.Catalog) *Service {
	return &Service{store: store, src: src, cfg: cfg}
}

func productKey(sku ids.SKU) string { return productPrefix + sku.String() }

// Get returns the product, serving from the process cache when it is fresh
// and refreshing it in the background shortly before it goes stale.
func (s *Service) Get(ctx context.Context, sku ids.SKU) (*Product, error) {
	if v, ok := s.local.Load(sku); ok {
		e := v.(*entry)
		age := time.Since(e.fetched)
		if age < s.cfg.LocalTTL.D() {
			if age > s.cfg.RefreshAhead.D() {
				s.refreshAhead(sku)
			}
			return e.p, nil
		}
	}
	p, err := s.load(ctx, sku)
	if err != nil {
		return nil, err
	}
	s.local.Store(sku, &entry{p: p, fetched: time.Now()})
	return p, nil
}

func (s *Service) load(ctx context.Context, sku ids.SKU) (*Product, error) {
	key := productKey(sku)
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		if string(raw) == missingMarker {
			return nil, ErrNoSuchProduct
		}
		var p Product
		if err := enc.FromGobBase64(raw, &p); err != nil {
			return nil, fmt.Errorf("catalog: decode %s: %w", key, err)
		}
		return &p, nil
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}

	p, err := s.src.Product(ctx, sku)
	if IsUnknown(err) {
		// Remember the miss briefly so crawlers probing SKUs don't all reach the database.
		perr := s.store.Put(ctx, key, []byte(missingMarker), kvstore.PutOptions{
			TTL: 30 * time.Second, // EXPECT kvttl
		})
		if perr != nil {
			slog.WarnContext(ctx, "catalog: caching miss", "sku", sku, "err", perr)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, p, s.cfg.CacheTTL.D()); err != nil {
		slog.WarnContext(ctx, "catalog: caching product", "sku", sku, "err", err)
	}
	return p, nil
}

func (s *Service) write(ctx context.Context, p *Product, ttl time.Duration) error {
	b, err := enc.GobBase64(p)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, productKey(p.SKU), b, kvstore.PutOptions{
		TTL:      ttl,
		Metadata: map[string]string{"name": p.Name, "grower": p.Grower.String()},
	})
}

func (s *Service) refreshAhead(sku ids.SKU) {
	if _, busy := s.refreshing.LoadOrStore(sku, struct{}{}); busy {
		return
	}
	go func() {
		defer s.refreshing.Delete(sku)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, err := s.src.Product(ctx, sku)
		if err != nil {
			slog.Warn("catalog: refresh", "sku", sku, "err", err)
			return
		}
		if err := s.write(ctx, p, 10*time.Minute); err != nil {
			slog.Warn("catalog: refresh write", "sku", sku, "err", err)
		}
		s.local.Store(sku, &entry{p: p, fetched: time.Now()})
	}()
}

// AddTag attaches a search tag to a product.
func (s *Service) AddTag(ctx context.Context, sku ids.SKU, tag string) ([]string, error) {
	key := tagsPrefix + sku.String()
	var tags []string
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &tags); err != nil {
			return nil, err
		}
	case !kvstore.IsNotFound(err):
		return nil, err
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	for _, t := range tags {
		if t == tag {
			return tags, nil
		}
	}
	tags = append(tags, tag)
	b, _ := json.Marshal(tags)
	if err := s.store.Put(ctx, key, b, kvstore.PutOptions{}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return tags, nil
}

// SKUs streams the keys of every product cached in KV.
func (s *Service) SKUs(ctx context.Context) (<-chan string, <-chan error) {
	return kvstore.Keys(ctx, s.store, productPrefix, 20)
}
