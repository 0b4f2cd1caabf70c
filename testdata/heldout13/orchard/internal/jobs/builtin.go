package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/metrics"
	"example.com/orchard/internal/store"
)

// archivePageSize is the page size of the archive walk; the archive runs
// off-peak, so it reads in big pages.
const archivePageSize = 1500

// Builtins are the jobs every deployment runs.
type Builtins struct {
	Main     store.Store
	Catalog  *catalog.Service
	Metrics  *metrics.Aggregator
	MaxPages int
}

// RegisterAll adds the built-in jobs to r.
func (b Builtins) RegisterAll(r *Runner) {
	r.Register("flush-metrics", func(ctx context.Context, _ *slog.Logger) error {
		return b.Metrics.Flush(ctx)
	})
	r.Register("home-facets", b.homeFacets)
	r.Register("archive-orders", b.archiveOrders)
	r.Register("warm-storefronts", b.warmStorefronts)
}

func (b Builtins) homeFacets(ctx context.Context, log *slog.Logger) error {
	f, err := b.Catalog.Reindex(ctx, b.MaxPages)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "facets", "categories", len(f.ByCategory))
	return b.Catalog.PublishHomeFacets(ctx, f)
}

// archiveOrders writes the monthly manifest of order keys that the export
// pipeline copies to R2.
func (b Builtins) archiveOrders(ctx context.Context, log *slog.Logger) error {
	var names []string
	cursor := ""
	for {
		page, err := b.Main.List(ctx, store.ListQuery{ // EXPECT kvlist
			Prefix: "farmorder:",
			Cursor: cursor,
			Limit:  archivePageSize, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		names = append(names, page.Names()...)
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	manifest, err := codec.Gob(names)
	if err != nil {
		return err
	}
	month := time.Now().UTC().Format("2006-01")
	log.InfoContext(ctx, "archive manifest", "month", month, "keys", len(names))
	return b.Main.Put(ctx, "archive:manifest:"+month, manifest, store.WithTTL(90*24*time.Hour))
}

// warmStorefronts rebuilds the cached storefronts of every farm with an
// index, a few farms at a time, and records progress for the ops page.
func (b Builtins) warmStorefronts(ctx context.Context, log *slog.Logger) error {
	farms, err := store.Scan(b.Main).Prefix("farmidx:").Limit(500).Pages(b.MaxPages).Names(ctx)
	if err != nil {
		log.WarnContext(ctx, "farm list incomplete", "err", err)
	}
	const batch = 10
	n := (len(farms) + batch - 1) / batch
	for i := range n {
		for _, key := range farms[i*batch : min((i+1)*batch, len(farms))] {
			farm := strings.TrimPrefix(key, "farmidx:")
			if _, err := b.Catalog.Storefront(ctx, farm); err != nil {
				log.WarnContext(ctx, "storefront", "farm", farm, "err", err)
			}
		}
		progress := fmt.Sprintf("%d/%d", i+1, n)
		if err := b.Main.Put(ctx, "jobs:warm-storefronts:progress", progress); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
