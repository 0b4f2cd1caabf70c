package catalog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"strings"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/storage/decorate"
)

var pageTemplate = template.Must(template.New("event").Parse(
	`<article><h1>{{.Title}}</h1><p class="when">{{.StartsAt.Format "Mon 2 Jan 15:04"}}</p>{{.Description}}</article>`))

// Service implements the catalog use cases.
type Service struct {
	st     storage.Store
	events d1.Table[Event]
	clock  clock.Clock
	log    *slog.Logger
	pages  *decorate.ReadThrough[Page]
	codec  codec.JSON[Event]
}

// NewService returns a Service.
func NewService(st storage.Store, events d1.Table[Event], c clock.Clock, log *slog.Logger) *Service {
	s := &Service{st: st, events: events, clock: c, log: log}
	s.pages = &decorate.ReadThrough[Page]{
		Store: st,
		Codec: codec.JSON[Page]{},
		TTL:   20 * time.Second, // EXPECT kvttl
		Load:  s.renderPage,
		Log:   log,
	}
	return s
}

// Create stores a new draft event.
func (s *Service) Create(ctx context.Context, e Event) (Event, error) {
	if err := e.Validate(s.clock.Now()); err != nil {
		return Event{}, err
	}
	e.ID = rand.Text()[:12]
	e.Status = Draft
	if err := s.events.Insert(ctx, e.ID, e); err != nil {
		return Event{}, err
	}
	return e, storage.PutAs(ctx, s.st, keys.Event(e.ID).String(), e, s.codec, storage.PutOptions{})
}

// EditDraft applies edit to a draft event and saves it.
func (s *Service) EditDraft(ctx context.Context, id string, edit func(*Event) error) (err error) {
	k := keys.Event(id).String()
	e, err := storage.GetAs(ctx, s.st, k, s.codec)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			err = storage.PutAs(ctx, s.st, k, e, s.codec, storage.PutOptions{}) // EXPECT kvrace
		}
	}()
	if e.Status != Draft {
		return ErrNotDraft
	}
	if err := edit(&e); err != nil {
		return err
	}
	return e.Validate(s.clock.Now())
}

// Schedule sets the publication time of a draft. The cron job publishes it.
func (s *Service) Schedule(ctx context.Context, id string, at time.Time) (Event, error) {
	e, err := s.events.Get(ctx, id)
	if errors.Is(err, d1.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, err
	}
	if !canTransition(e.Status, Scheduled) {
		return e, fmt.Errorf("catalog: cannot schedule a %s event", e.Status)
	}
	if !at.After(s.clock.Now()) {
		return e, fmt.Errorf("%w: publication time is in the past", ErrInvalid)
	}
	e.PublishAt, e.Status = at.UTC(), Scheduled
	if err := e.Validate(s.clock.Now()); err != nil {
		return e, err
	}
	if err := s.events.Upsert(ctx, id, e); err != nil {
		return e, err
	}
	marker := keys.ScheduleTemplate.Expand("day", at.UTC().Format(time.DateOnly)) + keys.Key(":"+id)
	if err := s.st.Put(ctx, marker.String(), []byte(id), storage.PutOptions{ExpireAt: at.Add(48 * time.Hour)}); err != nil {
		return e, err
	}
	return e, storage.PutAs(ctx, s.st, keys.Event(id).String(), e, s.codec, storage.PutOptions{})
}

// Page returns the rendered public page of a published event.
func (s *Service) Page(ctx context.Context, id string) (Page, error) {
	return s.pages.Get(ctx, "page:"+id)
}

func (s *Service) renderPage(ctx context.Context, key string) (Page, error) {
	id := strings.TrimPrefix(key, "page:")
	e, err := s.events.Get(ctx, id)
	if err != nil || e.Status != Published {
		return Page{}, ErrNotFound
	}
	var b strings.Builder
	if err := pageTemplate.Execute(&b, e); err != nil {
		return Page{}, err
	}
	return Page{ID: e.ID, Title: e.Title, Venue: e.VenueSlug, StartsAt: e.StartsAt, HTML: b.String()}, nil
}

// CacheDoorsOpen caches the doors-open banner until the event starts.
func (s *Service) CacheDoorsOpen(ctx context.Context, e Event, banner string) error {
	ttl := e.StartsAt.Sub(s.clock.Now())
	if ttl <= 0 {
		return nil
	}
	return s.st.Put(ctx, "banner:"+e.ID, []byte(banner), storage.PutOptions{
		TTL: ttl, // EXPECT kvttl
	})
}

// CacheLineup caches the published lineup until the event ends.
func (s *Service) CacheLineup(ctx context.Context, e Event, lineup []string) error {
	b, err := codec.Lines{}.Encode(lineup)
	if err != nil {
		return err
	}
	ttl := max(e.EndsAt.Sub(s.clock.Now()), time.Minute)
	return s.st.Put(ctx, "lineup:"+e.ID, b, storage.PutOptions{TTL: ttl})
}

// RetagAll sets tag on every listed event and rebuilds the tag's index.
func (s *Service) RetagAll(ctx context.Context, tag string, ids []string) error {
	indexKey := "tag:" + strings.ToLower(tag)
	index := make([]string, 0, len(ids))
	for _, id := range ids {
		e, err := s.events.Get(ctx, id)
		if err != nil {
			return err
		}
		e.Tags = append(e.Tags, tag)
		if err := s.events.Upsert(ctx, id, e); err != nil {
			return err
		}
		index = append(index, id)
		b, _ := codec.Lines{}.Encode(index)
		if err := s.st.Put(ctx, indexKey, b, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
