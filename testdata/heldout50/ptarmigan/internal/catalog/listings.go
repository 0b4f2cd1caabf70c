// Package catalog keeps the per-show episode listings and the slug and
// domain claims that route listeners to a show.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"ptarmigan/internal/config"
	"ptarmigan/internal/kinds"
	"ptarmigan/internal/kvstore"
)

// EpisodeSummary is what a listing holds for each episode.
type EpisodeSummary struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
	DurationSec int       `json:"duration_sec"`
	Explicit    bool      `json:"explicit,omitempty"`
}

// Listings stores one listing document per show under listing:<show>:episodes.
type Listings struct {
	shows    kvstore.Scope
	pageSize int
	maxPages int
}

// NewListings returns the listings kept under root.
func NewListings(root kvstore.Scope, cfg config.Config) *Listings {
	return &Listings{
		shows:    root.Scope(kinds.ShowListing.Prefix()),
		pageSize: cfg.ListPageSize,
		maxPages: cfg.MaxListPages,
	}
}

// Show returns the scope that holds one show's listing documents.
func (l *Listings) Show(showID string) kvstore.Scope { return l.shows.Scope(showID) }

// Episodes returns the listing of a show, newest first.
func (l *Listings) Episodes(ctx context.Context, showID string) ([]EpisodeSummary, error) {
	eps, err := kvstore.Load[[]EpisodeSummary](ctx, l.Show(showID), "episodes")
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return eps, err
}

// Add puts ep at the head of the show's listing.
func (l *Listings) Add(ctx context.Context, showID string, ep EpisodeSummary) error {
	s := l.Show(showID)
	eps, err := kvstore.Load[[]EpisodeSummary](ctx, s, "episodes")
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	eps = append([]EpisodeSummary{ep}, eps...)
	b, err := json.Marshal(eps)
	if err != nil {
		return err
	}
	return s.Put(ctx, "episodes", b, 0) // EXPECT kvrace
}

// Replace overwrites the show's listing with eps, as rendered by the
// database.
func (l *Listings) Replace(ctx context.Context, showID string, eps []EpisodeSummary) error {
	b, err := json.Marshal(eps)
	if err != nil {
		return err
	}
	return l.Show(showID).Put(ctx, "episodes", b, 0)
}

// Rebuild writes the listings of many shows, in bulk.
func (l *Listings) Rebuild(ctx context.Context, byShow map[string][]EpisodeSummary) error {
	entries := make([]kvstore.Entry, 0, len(byShow))
	for _, id := range slices.Sorted(maps.Keys(byShow)) {
		b, err := json.Marshal(byShow[id])
		if err != nil {
			return fmt.Errorf("catalog: encode listing of %s: %w", id, err)
		}
		entries = append(entries, kvstore.Entry{Name: id + ":episodes", Value: b})
	}
	for batch := range slices.Chunk(entries, 10_000) {
		if err := l.shows.BulkPut(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// Browse returns one page of listing keys for the admin dashboard and the
// cursor of the next page.
func (l *Listings) Browse(ctx context.Context, cursor string) ([]string, string, error) {
	return l.shows.ListPage(ctx, cursor, 5) // EXPECT kvlimits
}

// Export writes every stored listing to w, one JSON line per show.
func (l *Listings) Export(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	cursor := ""
	for page := 0; page < l.maxPages; page++ {
		names, next, err := l.shows.ListPage(ctx, cursor, l.pageSize)
		if err != nil {
			return err
		}
		for _, name := range names {
			b, err := l.shows.Get(ctx, name) // EXPECT kvlist
			if err != nil {
				return err
			}
			if err := enc.Encode(map[string]json.RawMessage{name: b}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("catalog: export stopped after %d pages", l.maxPages)
}
