// Package events serves the public event catalogue. D1 owns the data; KV
// holds edge copies of listings and the organiser page overrides.
package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/repo"
)

const (
	listingPrefix   = "listing:"
	featuredKey     = "listing:featured"
	countdownPrefix = "countdown:"
	salesPrefix     = "sales-window:"
	overridesPrefix = "page:"
)

type Catalog struct {
	db     *sql.DB
	store  domain.Store
	events *repo.Repo[domain.Event]
	log    *slog.Logger
	now    func() time.Time
}

func NewCatalog(db *sql.DB, store domain.Store, events *repo.Repo[domain.Event], log *slog.Logger) *Catalog {
	return &Catalog{db: db, store: store, events: events, log: log, now: time.Now}
}

// Get returns an event, filling the edge cache from D1 on a miss.
func (c *Catalog) Get(ctx context.Context, id string) (*domain.Event, error) {
	return c.events.GetOrLoad(ctx, id, func(ctx context.Context) (*domain.Event, error) {
		return c.load(ctx, id)
	})
}

func (c *Catalog) load(ctx context.Context, id string) (*domain.Event, error) {
	const q = `SELECT id, slug, title, venue, capacity, price_cents,
	                  sales_start, sales_end, starts_at, ends_at
	           FROM events WHERE id = ?`
	var (
		ev                                 domain.Event
		salesStart, salesEnd, starts, ends int64
	)
	err := c.db.QueryRowContext(ctx, q, id).Scan(&ev.ID, &ev.Slug, &ev.Title, &ev.Venue,
		&ev.Capacity, &ev.PriceCents, &salesStart, &salesEnd, &starts, &ends)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("events: load %s: %w", id, err)
	}
	ev.SalesStart = time.Unix(salesStart, 0).UTC()
	ev.SalesEnd = time.Unix(salesEnd, 0).UTC()
	ev.StartsAt = time.Unix(starts, 0).UTC()
	ev.EndsAt = time.Unix(ends, 0).UTC()
	return &ev, nil
}

// Refresh re-reads an event from D1 and overwrites the edge copy. Called after
// an organiser edits the event in the dashboard.
func (c *Catalog) Refresh(ctx context.Context, id string) error {
	ev, err := c.load(ctx, id)
	if err != nil {
		return err
	}
	return c.events.Put(ctx, id, ev)
}

// PublishListing writes the public listing card. It should disappear from the
// edge the moment doors open, so it expires at the start time.
func (c *Catalog) PublishListing(ctx context.Context, ev *domain.Event) error {
	ttl := time.Until(ev.StartsAt)
	if ttl <= 0 {
		return domain.ErrEventStarted
	}
	b, err := json.Marshal(listingCard(ev))
	if err != nil {
		return err
	}
	return c.store.Set(ctx, listingPrefix+ev.ID, b, ttl) // EXPECT kvttl
}

// PublishFeatured writes the homepage "featured" card. Same idea as the
// listing, but KV will not take anything under a minute.
func (c *Catalog) PublishFeatured(ctx context.Context, ev *domain.Event) error {
	ttl := time.Until(ev.StartsAt)
	if ttl <= 0 {
		return domain.ErrEventStarted
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, err := json.Marshal(listingCard(ev))
	if err != nil {
		return err
	}
	return c.store.Set(ctx, featuredKey, b, ttl)
}

// PublishSalesWindow caches whether sales are open until the window closes.
func (c *Catalog) PublishSalesWindow(ctx context.Context, ev *domain.Event) error {
	b, err := json.Marshal(map[string]any{"event_id": ev.ID, "open": true, "closes_at": ev.SalesEnd})
	if err != nil {
		return err
	}
	return c.store.Set(ctx, salesPrefix+ev.ID, b, max(time.Until(ev.SalesEnd), 30*time.Second)) // EXPECT kvttl
}

// PublishDoorsInfo keeps the venue/doors card around until shortly after the
// event ends; the floor keeps late publishes valid for KV.
func (c *Catalog) PublishDoorsInfo(ctx context.Context, ev *domain.Event) error {
	b, err := json.Marshal(map[string]any{"venue": ev.Venue, "starts_at": ev.StartsAt, "ends_at": ev.EndsAt})
	if err != nil {
		return err
	}
	ttl := max(time.Until(ev.EndsAt.Add(time.Hour)), 2*time.Minute)
	return c.store.Set(ctx, "doors:"+ev.ID, b, ttl)
}

// PublishCountdown caches the "sales open in …" banner until sales start.
func (c *Catalog) PublishCountdown(ctx context.Context, ev *domain.Event) error {
	now := c.now()
	if !now.Before(ev.SalesStart) {
		return c.store.Delete(ctx, countdownPrefix+ev.ID)
	}
	remaining := ev.SalesStart.Sub(now)
	b, err := json.Marshal(map[string]any{"event_id": ev.ID, "opens_at": ev.SalesStart})
	if err != nil {
		return err
	}
	return c.store.Set(ctx, countdownPrefix+ev.ID, b, remaining) // EXPECT kvttl
}

// Overrides returns the organiser page overrides (zero value if none).
func (c *Catalog) Overrides(ctx context.Context, id string) (*domain.PageOverrides, error) {
	o, err := repo.GetJSON[domain.PageOverrides](ctx, c.store, overridesPrefix+id)
	if errors.Is(err, domain.ErrNotFound) {
		return &domain.PageOverrides{}, nil
	}
	return o, err
}

// OverridePatch carries only the fields the organiser touched.
type OverridePatch struct {
	Banner       *string `json:"banner"`
	Accent       *string `json:"accent"`
	PinnedNotice *string `json:"pinned_notice"`
	Hidden       *bool   `json:"hidden"`
}

// PatchOverrides applies a partial update from the organiser dashboard.
func (c *Catalog) PatchOverrides(ctx context.Context, id, editor string, p OverridePatch) (*domain.PageOverrides, error) {
	cur, err := c.Overrides(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Banner != nil {
		cur.Banner = *p.Banner
	}
	if p.Accent != nil {
		cur.Accent = *p.Accent
	}
	if p.PinnedNotice != nil {
		cur.PinnedNotice = *p.PinnedNotice
	}
	if p.Hidden != nil {
		cur.Hidden = *p.Hidden
	}
	cur.UpdatedBy = editor
	cur.UpdatedAt = c.now().UTC()
	b, err := json.Marshal(cur)
	if err != nil {
		return nil, err
	}
	if err := c.store.Set(ctx, overridesPrefix+id, b, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	c.log.InfoContext(ctx, "page overrides updated", "event", id, "editor", editor)
	return cur, nil
}

// ReplaceOverrides stores a full overrides document sent by the dashboard.
func (c *Catalog) ReplaceOverrides(ctx context.Context, id, editor string, o domain.PageOverrides) error {
	o.UpdatedBy = editor
	o.UpdatedAt = c.now().UTC()
	return repo.PutJSON(ctx, c.store, overridesPrefix+id, o, 0)
}

type card struct {
	ID       string    `json:"id"`
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	Venue    string    `json:"venue"`
	From     int64     `json:"from_cents"`
	StartsAt time.Time `json:"starts_at"`
}

func listingCard(ev *domain.Event) card {
	return card{ID: ev.ID, Slug: ev.Slug, Title: ev.Title, Venue: ev.Venue, From: ev.PriceCents, StartsAt: ev.StartsAt}
}
