//go:build !js

// Package menu publishes weekly menus and recipe cards to KV, where the
// Worker serves them from.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"brambling/internal/codec"
	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

// Recipe is a recipe card as the storefront renders it.
type Recipe struct {
	Slug     string   `json:"slug"`
	Title    string   `json:"title"`
	Minutes  int      `json:"minutes"`
	Tags     []string `json:"tags"`
	Ratings  []int    `json:"ratings,omitempty"`
	Updated  int64    `json:"updated"`
	Featured bool     `json:"featured,omitempty"`
}

// Source is the recipe database the kitchen team edits.
type Source interface {
	Recipe(ctx context.Context, slug string) (Recipe, error)
	Recipes(ctx context.Context) ([]Recipe, error)
	Menu(ctx context.Context, week, region string) ([]string, error)
}

// Service owns the menu and recipe keys.
type Service struct {
	kv  *kvstore.Store
	src Source
	cfg *config.Config
	log *slog.Logger
}

func New(kv *kvstore.Store, src Source, cfg *config.Config) *Service {
	return &Service{kv: kv, src: src, cfg: cfg, log: slog.Default().With("svc", "menu")}
}

// Recipe returns a recipe card, filling the cache from the database on a miss.
func (s *Service) Recipe(ctx context.Context, slug string) (Recipe, error) {
	key := keys.Recipe(slug)
	raw, found, err := s.kv.Get(ctx, key)
	if err != nil {
		return Recipe{}, err
	}
	var r Recipe
	if found && json.Unmarshal(raw, &r) == nil {
		return r, nil
	}
	r, err = s.src.Recipe(ctx, slug)
	if err != nil {
		return Recipe{}, err
	}
	b, _ := json.Marshal(r)
	return r, s.kv.PutCache(ctx, key, b, config.TierCold.TTL())
}

// Rate appends a customer rating to the cached recipe card.
func (s *Service) Rate(ctx context.Context, slug string, stars int) error {
	key := keys.Recipe(slug)
	raw, found, err := s.kv.Get(ctx, key)
	if err != nil || !found {
		return fmt.Errorf("menu: rate %s: not cached (%v)", slug, err)
	}
	var r Recipe
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	r.Ratings = append(r.Ratings, stars)
	r.Updated = time.Now().Unix()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, key, b, config.TierCold.TTL()) // EXPECT kvrace
}

// Publish renders this week's menu for every region. The pointer to the
// current week is written once all regions are stored.
func (s *Service) Publish(ctx context.Context, now time.Time) (err error) {
	week := keys.Week(now)
	start := time.Now()
	defer func() {
		s.log.Info("publish", "week", week, "took", time.Since(start), "err", err)
	}()

	save := func(k string, v []byte) error {
		return s.kv.PutCache(ctx, k, v, s.cfg.MenuTTL)
	}
	var errs []error
	for _, region := range s.cfg.Regions {
		slugs, err := s.src.Menu(ctx, week, region)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", region, err))
			continue
		}
		errs = append(errs, save(keys.Menu(week, region), []byte(strings.Join(slugs, "\n"))))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return save(keys.MenuCurrent, []byte(week))
}

// Republish re-renders a menu for each kitchen that edited it. The
// current-week pointer is bumped after every kitchen so the Worker picks
// the change up as soon as possible.
func (s *Service) Republish(ctx context.Context, week string, kitchens map[string][]string) error {
	save := func(k string, v []byte) error {
		return s.kv.Put(ctx, k, v, s.cfg.MenuTTL)
	}
	var errs []error
	for region, slugs := range kitchens {
		if err := save(keys.Menu(week, region), []byte(strings.Join(slugs, "\n"))); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, save(keys.MenuCurrent, []byte(week))) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// WarmHot stores the hot-tier copy of the homepage recipe strip.
func (s *Service) WarmHot(ctx context.Context, strip []Recipe) error {
	b, err := codec.Gob(strip)
	if err != nil {
		return err
	}
	if err := s.kv.Put(ctx, "menu/strip/hot", b, config.TierHot.TTL()); err != nil { // EXPECT kvttl
		return err
	}
	return s.kv.PutCache(ctx, "menu/strip/hot-fallback", b, config.TierHot.TTL())
}

// Prune deletes menus of past weeks. Menus are stored as
// menu/<week>/<region> so the walk goes one level down.
func (s *Service) Prune(ctx context.Context, keep string) (int, error) {
	var doomed kvstore.Keys
	err := s.kv.Folders(ctx, "menu/", 3, s.cfg.MaxPages, func(key string) error {
		parts := strings.Split(key, "/")
		if len(parts) == 3 && parts[1] < keep {
			doomed = append(doomed, key)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(doomed), doomed.Drop(ctx, s.kv)
}
