//go:build !js

package menu

import (
	"context"
	"time"

	"brambling/internal/codec"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

// Ref points from a tag to a recipe.
type Ref struct {
	Slug    string
	Title   string
	Minutes int
}

// Index maps "tag/slug" to the recipe it lists. The Worker reads it to
// render tag pages without touching every recipe key.
type Index map[string]Ref

// Load replaces the contents of idx with the stored index.
func (idx Index) Load(ctx context.Context, kv *kvstore.Store) error {
	raw, found, err := kv.Get(ctx, keys.MenuIndex)
	if err != nil || !found {
		return err
	}
	var stored map[string]Ref
	if err := codec.Ungob(raw, &stored); err != nil {
		return err
	}
	clear(idx)
	for k, v := range stored {
		idx[k] = v
	}
	return nil
}

// Save stores the index.
func (idx Index) Save(ctx context.Context, kv *kvstore.Store) error {
	b, err := codec.Gob(map[string]Ref(idx))
	if err != nil {
		return err
	}
	return kv.Put(ctx, keys.MenuIndex, b, 0)
}

// AddToIndex files a newly published recipe under its tags.
func (s *Service) AddToIndex(ctx context.Context, r Recipe) error {
	idx := Index{}
	if err := idx.Load(ctx, s.kv); err != nil {
		return err
	}
	for _, tag := range r.Tags {
		idx[tag+"/"+r.Slug] = Ref{Slug: r.Slug, Title: r.Title, Minutes: r.Minutes}
	}
	return idx.Save(ctx, s.kv) // EXPECT kvrace
}

// RebuildIndex recomputes the index from the recipe database.
func (s *Service) RebuildIndex(ctx context.Context) error {
	all, err := s.src.Recipes(ctx)
	if err != nil {
		return err
	}
	idx := make(Index, len(all)*3)
	for _, r := range all {
		for _, tag := range r.Tags {
			idx[tag+"/"+r.Slug] = Ref{Slug: r.Slug, Title: r.Title, Minutes: r.Minutes}
		}
	}
	return idx.Save(ctx, s.kv)
}

// Refresher republishes menus on a timer.
type Refresher struct {
	Svc   *Service
	Every time.Duration
}

// Run publishes once per tick until ctx ends.
func (r *Refresher) Run(ctx context.Context) error {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			if err := r.once(ctx, now); err != nil {
				r.Svc.log.Warn("refresh failed", "err", err)
			}
		}
	}
}

func (r *Refresher) once(ctx context.Context, now time.Time) (err error) {
	defer func() {
		if err != nil {
			return
		}
		err = r.Svc.kv.Put(ctx, keys.MenuLastRun, []byte(now.UTC().Format(time.RFC3339)), 0)
	}()
	if err := r.Svc.Publish(ctx, now); err != nil {
		return err
	}
	return r.Svc.RebuildIndex(ctx)
}
