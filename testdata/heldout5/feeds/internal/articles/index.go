// Package articles turns crawled items into the documents the edge site
// reads: article bodies, teasers, section index pages, tag pages and slugs.
package articles

import (
	"context"
	"slices"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
	"example.com/feeds/internal/source"
)

// Summary is one entry of an index page.
type Summary struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary,omitempty"`
	Published time.Time `json:"published"`
}

// IndexPages maintains index:<section>:latest.
type IndexPages struct {
	store kv.Store
	db    source.Articles
	ttl   time.Duration
	size  int
}

// IndexOption configures IndexPages.
type IndexOption func(*IndexPages)

// WithIndexTTL sets how long an index page lives without a rebuild.
func WithIndexTTL(d time.Duration) IndexOption { return func(x *IndexPages) { x.ttl = d } }

// WithPageSize sets the number of entries per page.
func WithPageSize(n int) IndexOption { return func(x *IndexPages) { x.size = n } }

// NewIndexPages returns the index maintainer.
func NewIndexPages(store kv.Store, db source.Articles, opts ...IndexOption) *IndexPages {
	x := &IndexPages{store: store, db: db, ttl: time.Hour, size: 50}
	for _, o := range opts {
		o(x)
	}
	return x
}

func (x *IndexPages) key(section string) string { return "index:" + section + ":latest" }

// Prepend puts s at the top of the section's page so that a new article is
// visible before the next rebuild.
func (x *IndexPages) Prepend(ctx context.Context, section string, s Summary) error {
	key := x.key(section)
	page, _, err := kvjson.GetJSON[[]Summary](ctx, x.store, key)
	if err != nil {
		return err
	}
	page = slices.DeleteFunc(page, func(e Summary) bool { return e.ID == s.ID })
	page = append([]Summary{s}, page...)
	if len(page) > x.size {
		page = page[:x.size]
	}
	return kvjson.PutJSON(ctx, x.store, key, page, kv.PutOptions{TTL: x.ttl}) // EXPECT kvrace
}

// Rebuild replaces the section's page with the newest rows of the database.
func (x *IndexPages) Rebuild(ctx context.Context, section string) error {
	rows, err := x.db.LatestInSection(ctx, section, x.size)
	if err != nil {
		return err
	}
	page := make([]Summary, 0, len(rows))
	for _, a := range rows {
		page = append(page, Summary{ID: a.ID, Slug: a.Slug, Title: a.Title, Summary: a.Summary, Published: a.PublishedAt})
	}
	return kvjson.PutJSON(ctx, x.store, x.key(section), page, kv.PutOptions{TTL: x.ttl})
}

// Latest returns the current page, rebuilding it from the database on a miss.
func (x *IndexPages) Latest(ctx context.Context, section string) ([]Summary, error) {
	page, found, err := kvjson.GetJSON[[]Summary](ctx, x.store, x.key(section))
	if err != nil || found {
		return page, err
	}
	if err := x.Rebuild(ctx, section); err != nil {
		return nil, err
	}
	page, _, err = kvjson.GetJSON[[]Summary](ctx, x.store, x.key(section))
	return page, err
}
