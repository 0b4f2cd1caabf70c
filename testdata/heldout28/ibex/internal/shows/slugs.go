package shows

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/kvstore"
)

// ErrSlugTaken is returned when a vanity slug already belongs to a show.
var ErrSlugTaken = errors.New("shows: slug taken")

type slugRef struct {
	ShowID    string    `json:"show_id"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// SlugRegistry maps vanity slugs and imported feed URLs to show IDs.
type SlugRegistry struct {
	*kvstore.Store
	prefix string
}

// NewSlugRegistry returns a registry stored in st.
func NewSlugRegistry(st *kvstore.Store) *SlugRegistry {
	return &SlugRegistry{Store: st, prefix: "slug:"}
}

func (r *SlugRegistry) key(slug string) string { return r.prefix + keys.Slug(slug) }

// Resolve returns the show that owns slug.
func (r *SlugRegistry) Resolve(ctx context.Context, slug string) (string, bool, error) {
	var ref slugRef
	found, err := r.Load(ctx, r.key(slug), &ref)
	if err != nil || !found {
		return "", false, err
	}
	return ref.ShowID, true, nil
}

// Claim assigns slug to showID if nobody holds it.
func (r *SlugRegistry) Claim(ctx context.Context, slug, showID string) error {
	key := r.key(slug)
	_, err := r.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !kvstore.IsNotFound(err):
		return err
	}
	b, err := json.Marshal(slugRef{ShowID: showID, ClaimedAt: timeNow().UTC()})
	if err != nil {
		return err
	}
	return r.Put(ctx, key, b) // EXPECT kvrace
}

// RecordImport remembers which show an imported feed URL now belongs to,
// so the old host's redirects resolve. The origin assigns the show ID.
func (r *SlugRegistry) RecordImport(ctx context.Context, feedURL, showID string) error {
	b, err := json.Marshal(slugRef{ShowID: showID, ClaimedAt: timeNow().UTC()})
	if err != nil {
		return err
	}
	return r.Put(ctx, "imported:"+keys.URL(feedURL), b)
}
