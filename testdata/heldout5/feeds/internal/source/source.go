// Package source describes the system of record: the editorial Postgres
// database. KV only ever holds projections of what is here.
package source

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("source: not found")

// ErrConflict is returned when a unique constraint rejects a write.
var ErrConflict = errors.New("source: conflict")

// Article is the canonical article row.
type Article struct {
	ID          string
	Slug        string
	Section     string
	Title       string
	Summary     string
	Body        string
	Hash        string // sha256 of the rendered JSON published to KV
	PublishedAt time.Time
	UpdatedAt   time.Time
}

// Articles reads and writes article rows.
type Articles interface {
	Get(ctx context.Context, id string) (Article, error)
	Upsert(ctx context.Context, a Article) error
	// ListAfter returns up to limit articles with ID > after, ordered by ID.
	ListAfter(ctx context.Context, after string, limit int) ([]Article, error)
	LatestInSection(ctx context.Context, section string, limit int) ([]Article, error)
	MostViewed(ctx context.Context, since time.Time, limit int) ([]Article, error)
}

// Slugs claims slugs with a unique index.
type Slugs interface {
	ClaimSlug(ctx context.Context, slug, articleID string) error
}

// Counters are atomic increments done in SQL.
type Counters interface {
	Increment(ctx context.Context, name string, delta int64) (int64, error)
}

// Feeds lists the configured feeds.
type Feeds interface {
	ActiveFeeds(ctx context.Context) ([]Feed, error)
}

// Feed is one configured source feed.
type Feed struct {
	ID      string
	URL     string
	Section string
}
