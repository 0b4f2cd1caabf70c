//go:build js && wasm

package jobs

import (
	"context"
	"strings"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/edge/kvstore"
	"example.com/alder/internal/storage"
)

// sweepHooks are the steps a concrete sweeper supplies to the shared walk.
type sweepHooks interface {
	// Prefix selects the keys to walk.
	Prefix() string
	// Stale decides from the key alone whether it can go.
	Stale(key string, now time.Time) bool
}

// sweeper walks a prefix page by page and deletes stale keys. It stops after
// pageBudget pages; the next run continues where the listing is then.
type sweeper struct {
	store      *kvstore.Store
	hooks      sweepHooks
	pageBudget int
	removed    int
}

// Run performs one sweep.
func (s *sweeper) Run(ctx context.Context, now time.Time) error {
	q := storage.ListQuery{Prefix: s.hooks.Prefix(), Limit: 1000}
	for page := 0; page < s.pageBudget; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := s.store.List(ctx, q)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if !s.hooks.Stale(k, now) {
				continue
			}
			if err := s.store.Delete(ctx, k); err != nil {
				return err
			}
			s.removed++
		}
		if res.Complete {
			return nil
		}
		q.Cursor = res.Cursor
	}
	return nil
}

// dayFromKey reads the YYYY-MM-DD segment at position idx of a colon key.
func dayFromKey(key string, idx int) (time.Time, bool) {
	parts := strings.Split(key, ":")
	if idx >= len(parts) {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", parts[idx])
	return t, err == nil
}

// holdSweeper removes checkout holds for days already past.
type holdSweeper struct {
	sweeper
	site domain.SiteID
}

func newHoldSweeper(st *kvstore.Store, site domain.SiteID) *holdSweeper {
	h := &holdSweeper{site: site}
	h.sweeper = sweeper{store: st, hooks: h, pageBudget: 10}
	return h
}

func (h *holdSweeper) Prefix() string { return "hold:" + string(h.site.Normalize()) + ":" }

func (h *holdSweeper) Stale(key string, now time.Time) bool {
	day, ok := dayFromKey(key, 3)
	return ok && day.Before(now.Truncate(24*time.Hour))
}
