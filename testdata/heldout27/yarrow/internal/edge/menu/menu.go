// Package menu serves restaurant menus at the edge.
//
// Menus are owned by the backend catalog. The edge keeps a copy in KV and a
// second, very short-lived copy in process memory so that a burst of
// requests for the same restaurant does not turn into a burst of KV reads.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// Origin is the source of truth for menus.
type Origin interface {
	FetchMenu(ctx context.Context, r domain.RestaurantID) (*domain.Menu, error)
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// ErrUnknownItem is returned when an item id is not on the menu.
var ErrUnknownItem = errors.New("menu: unknown item")

type localCopy struct {
	menu    *domain.Menu
	fetched time.Time
}

// Service reads and publishes menus.
type Service struct {
	store    storage.Store
	origin   Origin
	clock    Clock
	ttl      time.Duration
	localFor time.Duration
	local    sync.Map // domain.RestaurantID -> localCopy
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(st storage.Store, o Origin, c Clock, cfg config.Config) *Service {
	return &Service{store: st, origin: o, clock: c, ttl: cfg.MenuTTL(), localFor: 20 * time.Second}
}

// Menu returns the current menu, reading through both cache tiers.
func (s *Service) Menu(ctx context.Context, r domain.RestaurantID) (*domain.Menu, error) {
	now := s.clock.Now()
	if v, ok := s.local.Load(r); ok {
		if lc := v.(localCopy); now.Sub(lc.fetched) < s.localFor {
			return lc.menu, nil
		}
	}
	m, err := storage.Load[domain.Menu](ctx, s.store, string(r))
	switch {
	case err == nil:
	case errors.Is(err, storage.ErrNotFound):
		m, err = s.origin.FetchMenu(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("menu %s: origin: %w", r, err)
		}
		if err := storage.Save(ctx, s.store, m, storage.WriteOptions{TTL: s.ttl}); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	s.local.Store(r, localCopy{menu: m, fetched: now})
	return m, nil
}

// Publish stores a new menu version in both tiers.
func (s *Service) Publish(ctx context.Context, m *domain.Menu) error {
	m.Published = s.clock.Now()
	if err := storage.Save(ctx, s.store, m, storage.WriteOptions{TTL: s.ttl}); err != nil {
		return err
	}
	s.local.Store(m.Restaurant, localCopy{menu: m, fetched: m.Published})
	return nil
}

// SetAvailability marks an item as sold out or back in stock.
func (s *Service) SetAvailability(ctx context.Context, r domain.RestaurantID, itemID string, available bool) error {
	err := storage.Mutate(ctx, s.store, string(r), storage.WriteOptions{TTL: s.ttl}, func(m *domain.Menu) error {
		it, ok := m.Item(itemID)
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownItem, itemID)
		}
		it.Available = available
		return nil
	})
	s.local.Delete(r)
	return err
}

// Price returns the current unit price of an item.
func (s *Service) Price(ctx context.Context, r domain.RestaurantID, itemID string) (domain.Cents, error) {
	m, err := s.Menu(ctx, r)
	if err != nil {
		return 0, err
	}
	it, ok := m.Item(itemID)
	if !ok || !it.Available {
		return 0, fmt.Errorf("%w: %s", ErrUnknownItem, itemID)
	}
	return it.Price, nil
}

// RecordView tallies a menu page view for the restaurant dashboard.
func (s *Service) RecordView(ctx context.Context, r domain.RestaurantID) error {
	key := r.ViewsKey()
	n := 0
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !storage.IsNotFound(err):
		return err
	}
	return s.store.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), storage.WriteOptions{}) // EXPECT kvcounter
}

// PublishHappyHour stores discounted prices that apply until ends.
func (s *Service) PublishHappyHour(ctx context.Context, r domain.RestaurantID, prices map[string]domain.Cents, ends time.Time) error {
	raw, err := json.Marshal(prices)
	if err != nil {
		return err
	}
	ttl := max(ends.Sub(s.clock.Now()), 15*time.Second) // EXPECT kvttl
	return s.store.Put(ctx, "happy-hour:"+string(r), raw, storage.WriteOptions{TTL: ttl})
}

// WarmNotices stores the translated allergen notice for each language so
// that storefronts do not call the translation API on every page view.
func (s *Service) WarmNotices(ctx context.Context, translations map[string]string) error {
	for lang, text := range translations {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.cacheTranslation(ctx, lang, domain.AllergenNotice, text); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

func (s *Service) cacheTranslation(ctx context.Context, lang, source, text string) error {
	key := "i18n:" + lang + ":" + source
	return s.store.Put(ctx, key, []byte(text), storage.WriteOptions{TTL: 30 * 24 * time.Hour})
}
