// Package warmer pre-populates edge caches ahead of traffic: the top
// products from analytics and every published regional price list.
package warmer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"example.com/commerce/internal/catalog"
	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform/cache"
)

type Warmer struct {
	Products      *cache.Cache[string, catalog.Product]
	Load          cache.Loader[string, catalog.Product]
	Top           func(ctx context.Context, n int) ([]string, error)
	Keys          ports.Lister
	RefreshPrices func(ctx context.Context, region string) error
	Config        config.WarmerConfig
	Log           *slog.Logger
}

// WarmTop loads the most viewed products through the read-through cache,
// Config.Concurrency at a time.
func (w *Warmer) WarmTop(ctx context.Context) error {
	skus, err := w.Top(ctx, w.Config.TopN)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, max(w.Config.Concurrency, 1))
	errs := make([]error, len(skus))
	var wg sync.WaitGroup
	for i, sku := range skus {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = w.Products.Get(ctx, sku, w.Load)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// WarmPrices republishes every region that currently has a price list.
func (w *Warmer) WarmPrices(ctx context.Context) error {
	cursor := ""
	for {
		page, err := w.Keys.List(ctx, ports.ListRequest{Prefix: "prices:", Cursor: cursor, Limit: 100}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			region := strings.TrimPrefix(k.Name, "prices:")
			if err := w.RefreshPrices(ctx, region); err != nil {
				w.Log.Warn("warm prices", "region", region, "err", err)
			}
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
}

// Run warms on a fixed schedule until ctx ends.
func (w *Warmer) Run(ctx context.Context) {
	t := time.NewTicker(w.Config.Every)
	defer t.Stop()
	for {
		if err := w.WarmTop(ctx); err != nil {
			w.Log.Warn("warm top", "err", err)
		}
		if err := w.WarmPrices(ctx); err != nil {
			w.Log.Warn("warm prices", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
