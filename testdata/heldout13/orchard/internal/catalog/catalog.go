// Package catalog owns produce listings: what a farm has for sale, at what
// price, and until when.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store"
)

// Listing is one product a farm offers.
type Listing struct {
	ID             string    `json:"id"`
	FarmID         string    `json:"farm_id"`
	Title          string    `json:"title"`
	Category       string    `json:"category"`
	Unit           string    `json:"unit"`
	PriceCents     int64     `json:"price_cents"`
	Organic        bool      `json:"organic"`
	HarvestedAt    time.Time `json:"harvested_at"`
	AvailableUntil time.Time `json:"available_until"`
	CreatedAt      time.Time `json:"created_at"`
}

// ValidationError lists what is wrong with a submitted listing.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid listing: " + strings.Join(e.Problems, "; ")
}

// ErrNoListing is returned for an unknown listing id.
var ErrNoListing = errors.New("catalog: no such listing")

// Lookup reads one raw value from the edge namespace.
type Lookup func(key string) (string, error)

// Service is the catalog backed by a store.
type Service struct {
	st        store.Store
	edge      store.Store
	lookup    Lookup
	summaries *store.Cached[Storefront]
	certs     *store.Cached[FarmCert]
	log       *slog.Logger
	now       func() time.Time
}

// Deps are the collaborators of a Service.
type Deps struct {
	Main     store.Store
	Edge     store.Store
	Lookup   Lookup
	Registry Registry
	Policies config.Policies
	Log      *slog.Logger
}

// New wires a Service.
func New(d Deps) *Service {
	s := &Service{st: d.Main, edge: d.Edge, lookup: d.Lookup, log: d.Log, now: time.Now}
	lc := d.Policies.Get("listings")
	s.summaries = store.NewCached(d.Main, lc.Prefix, lc.TTL, s.buildStorefront, d.Log)
	fc := d.Policies.Get("farms")
	s.certs = store.NewCached(d.Main, fc.Prefix, fc.TTL, d.Registry.Certification, d.Log)
	return s
}

func listingKey(id string) string           { return "listing:" + id }
func farmListingKey(farm, id string) string { return "farmlisting:" + farm + ":" + id }
func farmIndexKey(farm string) string       { return "farmidx:" + farm }

func (l *Listing) validate(now time.Time) error {
	var p []string
	if l.FarmID == "" {
		p = append(p, "farm_id is required")
	}
	if strings.TrimSpace(l.Title) == "" || len(l.Title) > 120 {
		p = append(p, "title must be 1-120 characters")
	}
	if l.PriceCents <= 0 {
		p = append(p, "price must be positive")
	}
	if !l.AvailableUntil.IsZero() && l.AvailableUntil.Before(now) {
		p = append(p, "available_until is in the past")
	}
	if len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

// Create stores a new listing under a fresh id.
func (s *Service) Create(ctx context.Context, l Listing) (Listing, error) {
	now := s.now().UTC()
	if err := l.validate(now); err != nil {
		return Listing{}, err
	}
	l.ID = codec.ID()
	l.CreatedAt = now
	if err := store.Save(ctx, s.st, listingKey(l.ID), l); err != nil {
		return Listing{}, err
	}
	if err := s.st.Put(ctx, farmListingKey(l.FarmID, l.ID), l.ID); err != nil {
		return Listing{}, err
	}
	if err := s.addToFarmIndex(ctx, l.FarmID, l.ID); err != nil {
		s.log.WarnContext(ctx, "farm index not updated", "farm", l.FarmID, "err", err)
	}
	return l, s.summaries.Forget(ctx, l.FarmID)
}

// addToFarmIndex keeps the farmer's display order of listings.
func (s *Service) addToFarmIndex(ctx context.Context, farm, id string) error {
	ids, _, err := store.Load[[]string](ctx, s.st, farmIndexKey(farm))
	if err != nil {
		return err
	}
	ids = append(ids, id)
	return store.Save(ctx, s.st, farmIndexKey(farm), ids) // EXPECT kvrace
}

// Get returns one listing.
func (s *Service) Get(ctx context.Context, id string) (Listing, error) {
	l, ok, err := store.Load[Listing](ctx, s.st, listingKey(id))
	if err != nil {
		return Listing{}, err
	}
	if !ok {
		return Listing{}, fmt.Errorf("%w: %s", ErrNoListing, id)
	}
	return l, nil
}

// Page is one page of the public browse view.
type Page struct {
	IDs    []string `json:"ids"`
	Cursor string   `json:"cursor,omitempty"`
}

// Browse returns one page of listing ids; the caller passes the cursor back
// for the next one.
func (s *Service) Browse(ctx context.Context, cursor string, limit int) (Page, error) {
	limit = min(max(limit, 1), 100)
	p, err := s.st.List(ctx, store.ListQuery{Prefix: "listing:", Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, err
	}
	out := Page{IDs: make([]string, 0, len(p.Keys))}
	for _, k := range p.Keys {
		out.IDs = append(out.IDs, strings.TrimPrefix(k.Name, "listing:"))
	}
	if !p.Complete {
		out.Cursor = p.Cursor
	}
	return out, nil
}
