// Package trending builds the "Most read" rail from the view totals in D1.
package trending

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/newsroom/internal/store"
)

// Item is one entry in the rail.
type Item struct {
	ArticleID string `json:"id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Score     int64  `json:"score"`
}

// Source ranks articles by recent reads; backed by D1.
type Source interface {
	Top(ctx context.Context, since time.Time, n int) ([]Item, error)
}

const railKey = "trending:rail"

// Rail serves and refreshes the trending rail.
type Rail struct {
	st     store.Store
	src    Source
	size   int
	ttl    time.Duration
	window time.Duration
}

// Option configures a Rail.
type Option func(*Rail)

// Size sets the number of items.
func Size(n int) Option { return func(r *Rail) { r.size = n } }

// CacheTTL sets how long the computed rail stays in KV.
func CacheTTL(d time.Duration) Option { return func(r *Rail) { r.ttl = d } }

// New returns a rail.
func New(st store.Store, src Source, opts ...Option) *Rail {
	r := &Rail{st: st, src: src, size: 10, ttl: 5 * time.Minute, window: 6 * time.Hour}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Get returns the cached rail, computing it on a miss.
func (r *Rail) Get(ctx context.Context) ([]Item, error) {
	b, err := r.st.Get(ctx, railKey)
	if err == nil {
		var items []Item
		if err := json.Unmarshal(b, &items); err == nil {
			return items, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	items, err := r.src.Top(ctx, time.Now().Add(-r.window), r.size)
	if err != nil {
		return nil, err
	}
	enc, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	if err := r.st.Put(ctx, railKey, enc, store.WithTTL(r.ttl)); err != nil {
		return items, nil // serve what we computed; next request retries the fill
	}
	return items, nil
}

// Refresh recomputes the rail after a read so breaking stories climb quickly.
func (r *Rail) Refresh(ctx context.Context) error {
	items, err := r.src.Top(ctx, time.Now().Add(-r.window), r.size)
	if err != nil {
		return err
	}
	enc, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, railKey, enc, store.WithTTL(r.ttl)) // EXPECT kvhotkey
}

// Section returns the rail for one desk; those are cheap, so they are kept
// only briefly.
func (r *Rail) Section(ctx context.Context, desk string) ([]Item, error) {
	key := "trending:desk:" + desk
	if b, err := r.st.Get(ctx, key); err == nil {
		var items []Item
		if json.Unmarshal(b, &items) == nil {
			return items, nil
		}
	}
	items, err := r.src.Top(ctx, time.Now().Add(-time.Hour), r.size)
	if err != nil {
		return nil, err
	}
	enc, _ := json.Marshal(items)
	_ = r.st.Put(ctx, key, enc, store.WithTTL(15*time.Second)) // EXPECT kvttl
	return items, nil
}
