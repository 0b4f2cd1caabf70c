package shows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/origin"
	"example.com/ibex/internal/repo"
	"example.com/ibex/internal/tokens"
)

var (
	timeNow      = time.Now
	newPreviewID = tokens.ID
)

const featuredKey = "catalog:featured"

// Source is the authoritative catalog.
type Source interface {
	Show(ctx context.Context, id string) (origin.Show, error)
	Episodes(ctx context.Context, showID string, limit int) ([]origin.Episode, error)
}

// rawStore is the part of the KV adapter the catalog uses directly.
type rawStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte) error
}

// Catalog serves and publishes shows and episodes.
type Catalog struct {
	shows    *repo.Repo[Show]
	episodes *repo.Repo[Episode]
	index    *repo.Repo[EpisodeIndex]
	previews *repo.Repo[Preview]
	raw      rawStore
	src      Source
}

// NewCatalog wires a catalog over be (repositories) and raw (documents
// read without a repository).
func NewCatalog(be repo.Backend, raw rawStore, src Source) *Catalog {
	return &Catalog{
		shows:    repo.New[Show](be, repo.WithPrefix("show:"), repo.WithTTL(lifetime.Day.Duration())),
		episodes: repo.New[Episode](be, repo.WithPrefix("episode:"), repo.WithTTL(lifetime.Hours(6).Duration())),
		index:    repo.New[EpisodeIndex](be, repo.WithPrefix("episodes-of:")),
		previews: repo.New[Preview](be, repo.WithPrefix("preview:"), repo.WithTTL(30*time.Second)), // EXPECT kvttl
		raw:      raw,
		src:      src,
	}
}

// Show returns a show, filling the projection from the origin on a miss.
func (c *Catalog) Show(ctx context.Context, id string) (Show, error) {
	return c.shows.GetOrLoad(ctx, id, c.loadShow)
}

func (c *Catalog) loadShow(ctx context.Context, id string) (Show, error) {
	s, err := c.src.Show(ctx, id)
	if errors.Is(err, origin.ErrNotFound) {
		return Show{}, fmt.Errorf("show %s: %w", id, err)
	}
	if err != nil {
		return Show{}, err
	}
	return Show{ID: s.ID, Slug: s.Slug, Title: s.Title, OwnerID: s.OwnerID, Network: s.Network, Explicit: s.Explicit, UpdatedAt: s.UpdatedAt}, nil
}

// Publish stores a newly published episode and adds it to its show's index.
func (c *Catalog) Publish(ctx context.Context, ep Episode) error {
	if ep.PublishedAt.IsZero() {
		ep.PublishedAt = timeNow().UTC()
	}
	if err := c.episodes.Put(ctx, ep.ID, ep); err != nil {
		return err
	}
	idx, _, err := c.index.Get(ctx, ep.ShowID)
	if err != nil {
		return err
	}
	if slices.Contains(idx.EpisodeIDs, ep.ID) {
		return nil
	}
	idx.ShowID = ep.ShowID
	idx.EpisodeIDs = append([]string{ep.ID}, idx.EpisodeIDs...)
	return c.index.Put(ctx, ep.ShowID, idx) // EXPECT kvrace
}

// RebuildIndex replaces a show's episode index with the origin's list.
func (c *Catalog) RebuildIndex(ctx context.Context, showID string) error {
	eps, err := c.src.Episodes(ctx, showID, 500)
	if err != nil {
		return err
	}
	idx := EpisodeIndex{ShowID: showID, EpisodeIDs: make([]string, 0, len(eps))}
	for _, e := range eps {
		idx.EpisodeIDs = append(idx.EpisodeIDs, e.ID)
	}
	return c.index.Put(ctx, showID, idx)
}

// Rename changes a show's title in the projection; the origin is updated
// by the caller.
func (c *Catalog) Rename(ctx context.Context, id, title string) (Show, error) {
	return c.shows.Update(ctx, id, func(s *Show) error {
		if s.ID == "" {
			return fmt.Errorf("show %s: not cached", id)
		}
		s.Title = title
		s.UpdatedAt = timeNow().UTC()
		return nil
	})
}

// Invalidate drops a show's projection after the origin changed it.
func (c *Catalog) Invalidate(ctx context.Context, id string) error {
	return c.shows.Delete(ctx, id)
}

// CreatePreview mints a private preview link for an unpublished episode.
func (c *Catalog) CreatePreview(ctx context.Context, episodeID, creatorID string) (string, error) {
	id := newPreviewID()
	p := Preview{EpisodeID: episodeID, CreatedBy: creatorID, CreatedAt: timeNow().UTC()}
	if err := c.previews.Put(ctx, id, p); err != nil {
		return "", err
	}
	return id, nil
}

// Featured returns the editorially featured show IDs.
func (c *Catalog) Featured(ctx context.Context) ([]string, error) {
	b, _ := c.raw.Get(ctx, featuredKey) // EXPECT kvnull
	var ids []string
	if err := json.Unmarshal(b, &ids); err != nil {
		return nil, fmt.Errorf("featured list: %w", err)
	}
	return ids, nil
}

// SetFeatured replaces the featured list; called from the editorial tool.
func (c *Catalog) SetFeatured(ctx context.Context, ids []string) error {
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return c.raw.Put(ctx, featuredKey, b)
}

func settingsKey(showID string) string { return "settings:" + showID }

// Settings loads a show's player settings, upgrading old records.
func (c *Catalog) Settings(ctx context.Context, showID string) (Settings, error) {
	raw, err := c.raw.Get(ctx, settingsKey(showID))
	if kvstore.IsNotFound(err) {
		return Settings{Chapters: true, Languages: []string{"en"}}, nil
	}
	if err != nil {
		return Settings{}, err
	}
	var s Settings
	migrated, err := settingsSchema.Unwrap(raw, &s)
	if err != nil {
		return Settings{}, err
	}
	if migrated {
		if b, err := settingsSchema.Wrap(s); err == nil {
			_ = c.raw.Put(ctx, settingsKey(showID), b) // DEBATABLE kvrace
		}
	}
	return s, nil
}
