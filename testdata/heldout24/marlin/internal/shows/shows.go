// Package shows serves show pages and manages show-level state that the
// edge needs to read quickly: slug lookups, episode ordering and tags.
package shows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/repo"
)

// ErrSlugTaken is returned when a slug already belongs to another show.
var ErrSlugTaken = errors.New("shows: slug taken")

// Card is the cached projection of a show rendered on directory pages.
type Card struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	Author     string    `json:"author"`
	ImageURL   string    `json:"image_url"`
	EpisodeIDs []string  `json:"episode_ids"`
	Tags       []string  `json:"tags,omitempty"`
	CachedAt   time.Time `json:"cached_at"`
}

// StorageKey implements kv.Keyed.
func (c Card) StorageKey() string { return cardKey.For(c.ID) }

var (
	cardKey  = kv.NewKey[Card]("show:card:")
	slugKey  = kv.NewKey[string]("show:slug:")
	tagsKey  = kv.NewKey[[]string]("show:tags:")
	orderKey = kv.NewKey[[]string]("show:order:")
)

// Service manages show projections.
type Service struct {
	store   kv.Store
	cards   *repo.Repo[Card]
	catalog catalog.Catalog
	clock   clock.Clock
	cardTTL time.Duration

	mu sync.Mutex // serialises tag edits
}

// Option configures a Service.
type Option func(*Service)

// WithCardTTL sets how long rendered cards stay cached.
func WithCardTTL(d time.Duration) Option { return func(s *Service) { s.cardTTL = d } }

// WithClock injects a clock.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// New wires a Service.
func New(store kv.Store, cat catalog.Catalog, opts ...Option) *Service {
	s := &Service{store: store, catalog: cat, clock: clock.System{}, cardTTL: time.Hour}
	for _, o := range opts {
		o(s)
	}
	s.cards = repo.New[Card](store, cardKey.Prefix(), repo.WithTTL(kv.ClampTTL(s.cardTTL)))
	return s
}

// Card returns the cached card for a show, building it from the catalog on
// a miss.
func (s *Service) Card(ctx context.Context, id string) (Card, error) {
	c, err := s.cards.Get(ctx, id)
	if err == nil {
		return c, nil
	}
	if !kv.IsNotFound(err) {
		return Card{}, err
	}
	c, err = s.build(ctx, id)
	if err != nil {
		return Card{}, err
	}
	if err := s.cards.Put(ctx, c); err != nil {
		return Card{}, err
	}
	return c, nil
}

func (s *Service) build(ctx context.Context, id string) (Card, error) {
	show, err := s.catalog.Show(ctx, id)
	if err != nil {
		return Card{}, fmt.Errorf("show %s: %w", id, err)
	}
	eps, err := s.catalog.Episodes(ctx, id)
	if err != nil {
		return Card{}, err
	}
	c := Card{ID: show.ID, Slug: show.Slug, Title: show.Title, Author: show.Author, ImageURL: show.ImageURL, CachedAt: s.clock.Now()}
	for _, e := range eps {
		c.EpisodeIDs = append(c.EpisodeIDs, e.ID)
	}
	return c, nil
}

// Refresh rebuilds the card from the catalog and overwrites the cache. It
// is called after every catalog write for the show.
func (s *Service) Refresh(ctx context.Context, id string) error {
	c, err := s.build(ctx, id)
	if err != nil {
		return err
	}
	return s.cards.Put(ctx, c)
}

// ClaimSlug reserves a vanity slug for a show.
func (s *Service) ClaimSlug(ctx context.Context, slug, showID string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if _, err := s.store.Get(ctx, slugKey.For(slug)); err == nil {
		return ErrSlugTaken
	} else if !kv.IsNotFound(err) {
		return err
	}
	return s.store.Put(ctx, slugKey.For(slug), []byte(showID), kv.PutOptions{}) // EXPECT kvrace
}

// Create inserts a show in the catalog (whose unique index arbitrates slug
// ownership) and then publishes the slug mapping for edge lookups.
func (s *Service) Create(ctx context.Context, show catalog.Show) error {
	if err := s.catalog.InsertShow(ctx, show); err != nil {
		if errors.Is(err, catalog.ErrConflict) {
			return ErrSlugTaken
		}
		return err
	}
	return s.store.Put(ctx, slugKey.For(show.Slug), []byte(show.ID), kv.PutOptions{})
}

// Resolve maps a slug to a show id.
func (s *Service) Resolve(ctx context.Context, slug string) (string, error) {
	b, err := s.store.Get(ctx, slugKey.For(strings.ToLower(slug)))
	if err == nil {
		return string(b), nil
	}
	if !kv.IsNotFound(err) {
		return "", err
	}
	show, err := s.catalog.ShowBySlug(ctx, slug)
	if err != nil {
		return "", err
	}
	return show.ID, s.store.Put(ctx, slugKey.For(show.Slug), []byte(show.ID), kv.PutOptions{})
}

// AppendEpisode adds a freshly published episode to the cached card so the
// directory shows it before the next refresh.
func (s *Service) AppendEpisode(ctx context.Context, showID, episodeID string) error {
	c, err := s.cards.Get(ctx, showID)
	if err != nil {
		return err
	}
	if slices.Contains(c.EpisodeIDs, episodeID) {
		return nil
	}
	c.EpisodeIDs = append([]string{episodeID}, c.EpisodeIDs...)
	return s.cards.Put(ctx, c) // EXPECT kvrace
}

// AddTag attaches a tag to a show.
func (s *Service) AddTag(ctx context.Context, showID, tag string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var tags []string
	b, err := s.store.Get(ctx, tagsKey.For(showID))
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &tags); err != nil {
			return err
		}
	case !kv.IsNotFound(err):
		return err
	}
	if slices.Contains(tags, tag) {
		return nil
	}
	tags = append(tags, tag)
	out, _ := json.Marshal(tags)
	return s.store.Put(ctx, tagsKey.For(showID), out, kv.PutOptions{}) // EXPECT kvrace
}

// SetOrder replaces the manual episode order chosen by the creator. The
// whole list comes from the request; nothing is merged with the old value.
func (s *Service) SetOrder(ctx context.Context, showID string, ids []string) error {
	return orderKey.Write(ctx, s.store, showID, slices.Compact(ids), kv.PutOptions{})
}

// Directory returns one page of show ids and the cursor of the next page.
func (s *Service) Directory(ctx context.Context, cursor string) ([]string, string, error) {
	return s.cards.Page(ctx, cursor)
}
