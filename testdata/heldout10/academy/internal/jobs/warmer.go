package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"example.com/academy/internal/courses"
	"example.com/academy/internal/kvstore"
)

// rail is one precomputed block of the public home page.
type rail struct {
	key   string
	ttl   time.Duration
	build func(ctx context.Context, cat *courses.Catalog) (any, error)
}

var rails = []rail{
	{key: "home:popular", ttl: 15 * time.Minute, build: func(ctx context.Context, cat *courses.Catalog) (any, error) { return cat.Popular(ctx, 12) }},
	{key: "home:new-this-week", ttl: 20 * time.Second, build: newThisWeek}, // EXPECT kvttl
	{key: "home:staff-picks", ttl: 6 * time.Hour, build: staffPicks},
}

func newThisWeek(ctx context.Context, cat *courses.Catalog) (any, error) {
	return cat.Popular(ctx, 6)
}

func staffPicks(ctx context.Context, cat *courses.Catalog) (any, error) {
	return nil, errors.New("staff picks not configured")
}

// Warmer rebuilds the home page rails; the scheduler calls Warm every minute.
type Warmer struct {
	out     kvstore.Putter
	catalog *courses.Catalog
	log     *slog.Logger
}

func NewWarmer(out kvstore.Putter, catalog *courses.Catalog, log *slog.Logger) *Warmer {
	return &Warmer{out: out, catalog: catalog, log: log}
}

func (w *Warmer) Warm(ctx context.Context) {
	for _, r := range rails {
		v, err := r.build(ctx, w.catalog)
		if err != nil {
			w.log.DebugContext(ctx, "warmer: skipped rail", "rail", r.key, "err", err)
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if err := w.out.Put(ctx, r.key, raw, kvstore.WithTTL(r.ttl)); err != nil {
			w.log.WarnContext(ctx, "warmer: rail not written", "rail", r.key, "err", err)
		}
	}
}
