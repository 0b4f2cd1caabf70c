// Package edgecron holds the edge worker's scheduled jobs.
package edgecron

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"godwit/internal/catalog"
	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/stock"
	"godwit/internal/web"
)

// Schedules, as configured in wrangler.toml.
const (
	EveryFiveMinutes = "*/5 * * * *"
	Nightly          = "17 3 * * *"
)

// Jobs runs the scheduled work.
type Jobs struct {
	Catalog kvstore.Namespace // the catalog cache stack
	Shop    kvstore.Namespace // the SHOP namespace, unscoped
	Nav     kvstore.Putter    // the NAV namespace
	Origin  string
	Client  *http.Client
	Log     *slog.Logger
}

// Run dispatches one cron trigger.
func (j *Jobs) Run(ctx context.Context, schedule string, at time.Time) error {
	switch schedule {
	case EveryFiveMinutes:
		return j.refreshHints(ctx, at)
	case Nightly:
		return j.nightly(ctx, at)
	}
	j.Log.WarnContext(ctx, "no job for schedule", "cron", schedule)
	return nil
}

// group runs functions concurrently, at most cap(sem) at a time, and keeps
// the first error.
type group struct {
	wg   sync.WaitGroup
	sem  chan struct{}
	once sync.Once
	err  error
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.sem <- struct{}{}
		defer func() { <-g.sem }()
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

func (j *Jobs) fetch(ctx context.Context, path string, v any) error {
	return web.GetJSON(ctx, j.Client, j.Origin+path, v)
}

// refreshHints copies the warehouse's levels into the hints of cached
// products, a hundred SKUs per origin call.
func (j *Jobs) refreshHints(ctx context.Context, at time.Time) error {
	skus, err := catalog.SKUs(ctx, j.Catalog, 2000)
	if err != nil {
		return err
	}
	hints := kvstore.Stack(j.Shop, kvstore.WithPrefix(stock.HintPrefix))
	for chunk := range slices.Chunk(skus, 100) {
		levels := map[string]int{}
		if err := j.fetch(ctx, "/stock?skus="+url.QueryEscape(strings.Join(chunk, ",")), &levels); err != nil {
			return err
		}
		g := &group{sem: make(chan struct{}, 6)}
		for sku, level := range levels {
			g.Go(func() error {
				h := stock.Hint{SKU: sku, Level: level, UpdatedAt: at}
				return kvstore.Save(ctx, hints, kvstore.Key(sku), h, stock.HintCodec, config.TTL("stock"))
			})
		}
		if err := g.Wait(); err != nil {
			j.Log.WarnContext(ctx, "some hints not refreshed", "err", err)
		}
		if err := j.Shop.Put(ctx, "cron:hints-checkpoint", chunk[len(chunk)-1], config.SessionTTL/4); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return j.Shop.Put(ctx, "cron:hints-last-run", at.Format(time.RFC3339), 0)
}

// nightly publishes the navigation tree, rebuilds the sitemap, drops stale
// product copies and reports abandoned carts.
func (j *Jobs) nightly(ctx context.Context, at time.Time) error {
	var tree []catalog.Category
	if err := j.fetch(ctx, "/categories/tree", &tree); err != nil {
		return err
	}
	if err := catalog.PublishTree(ctx, j.Nav, tree); err != nil {
		return err
	}
	skus, err := catalog.Sitemap(ctx, j.Catalog)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(slices.Compact(slices.Sorted(slices.Values(skus))))
	if err := j.Shop.Put(ctx, "sitemap:products", string(b), 0); err != nil {
		return err
	}

	stale, err := catalog.StaleProducts(ctx, j.Catalog, at.Add(-24*time.Hour), 20)
	for _, k := range stale {
		err = j.Catalog.Delete(ctx, k)
	}
	if err != nil {
		j.Log.WarnContext(ctx, "stale product cleanup incomplete", "err", err)
	}

	abandoned := 0
	cutoff := at.Add(config.CartTTL - 7*24*time.Hour)
	cursor := ""
	for {
		page, err := j.Shop.List(ctx, kvstore.ListOptions{Prefix: "cart:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, e := range page.Keys {
			if !e.Expiration.IsZero() && e.Expiration.Before(cutoff) {
				abandoned++
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return j.Shop.Put(ctx, "report:abandoned-carts", strconv.Itoa(abandoned), 0)
}
