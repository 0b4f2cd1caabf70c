package articles

import (
	"context"
	"errors"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/source"
)

// ErrSlugTaken is returned when a slug already points to another article.
var ErrSlugTaken = errors.New("articles: slug taken")

// Slugs maps slug:<slug> to an article ID for the edge router.
type Slugs struct {
	store kv.Store
	db    source.Slugs
	hold  time.Duration
}

// NewSlugs returns the slug registry. hold is how long a draft's reservation
// lasts if the article is never published.
func NewSlugs(store kv.Store, db source.Slugs, hold time.Duration) *Slugs {
	return &Slugs{store: store, db: db, hold: hold}
}

// Reserve holds slug for a draft so two editors don't pick the same URL.
func (s *Slugs) Reserve(ctx context.Context, slug, articleID string) error {
	key := "slug:" + slug
	owner, err := s.store.Get(ctx, key)
	switch {
	case err == nil && string(owner) != articleID:
		return ErrSlugTaken
	case err != nil && !kv.IsNotFound(err):
		return err
	}
	return s.store.Put(ctx, key, []byte(articleID), kv.PutOptions{TTL: s.hold}) // EXPECT kvrace
}

// Claim makes slug permanent for a published article. The unique index in
// the database decides; KV only gets the result.
func (s *Slugs) Claim(ctx context.Context, slug, articleID string) error {
	if err := s.db.ClaimSlug(ctx, slug, articleID); err != nil {
		if errors.Is(err, source.ErrConflict) {
			return ErrSlugTaken
		}
		return err
	}
	return s.store.Put(ctx, "slug:"+slug, []byte(articleID), kv.PutOptions{})
}

// Resolve returns the article ID for slug.
func (s *Slugs) Resolve(ctx context.Context, slug string) (string, error) {
	id, err := s.store.Get(ctx, "slug:"+slug)
	return string(id), err
}
