package feeds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"example.com/marlin/internal/kv"
)

// Rebuilder re-renders cached feeds after catalog migrations.
type Rebuilder struct {
	cache    *Cache
	maxPages int
}

// NewRebuilder returns a Rebuilder that walks at most maxPages pages of keys
// per kind in one run.
func NewRebuilder(c *Cache, maxPages int) *Rebuilder {
	return &Rebuilder{cache: c, maxPages: max(maxPages, 1)}
}

// Rebuild re-renders every cached public feed, one key per show.
func (r *Rebuilder) Rebuild(ctx context.Context, showIDs []string) error {
	for _, id := range showIDs {
		b, err := r.cache.Render(ctx, KindPublic, id)
		if err != nil {
			return fmt.Errorf("render %s: %w", id, err)
		}
		if err := r.cache.store.Put(ctx, KindPublic.prefix()+id, b, kv.PutOptions{TTL: ttlFor[KindPublic]}); err != nil {
			return err
		}
		status := fmt.Appendf(nil, "%s %s", id, r.cache.clock.Now().Format(time.RFC3339))
		if err := r.cache.store.Put(ctx, "feeds:rebuild:last", status, kv.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SweepArchive drops cached archive feeds of shows that no longer exist.
func (r *Rebuilder) SweepArchive(ctx context.Context, exists func(string) bool) (int, error) {
	removed, cursor := 0, ""
	for page := 0; page < r.maxPages; page++ {
		res, err := r.cache.store.List(ctx, kv.ListRequest{Prefix: KindArchive.prefix(), Cursor: cursor, Limit: pageLimit[KindArchive]}) // EXPECT kvlimits
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, KindArchive.prefix())
			if exists(id) {
				continue
			}
			if err := r.cache.store.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	return removed, nil
}
