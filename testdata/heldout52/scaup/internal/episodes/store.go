//go:build js && wasm

// Package episodes serves episode metadata, slugs, chapters and previews
// from the edge.
package episodes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"scaup/internal/config"
	"scaup/internal/kvbase"
	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// Episode is the published view of an episode.
type Episode struct {
	ID           string    `json:"id"`
	ShowID       string    `json:"show_id"`
	Slug         string    `json:"slug,omitempty"`
	Title        string    `json:"title"`
	Notes        string    `json:"notes,omitempty"`
	AudioURL     string    `json:"audio_url"`
	Duration     int       `json:"duration_s"`
	Draft        bool      `json:"draft"`
	PublishedAt  time.Time `json:"published_at"`
	EmbargoUntil time.Time `json:"embargo_until"`
}

// SlugClaim maps a vanity slug to its episode.
type SlugClaim struct {
	EpisodeID string    `json:"episode_id"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// Chapter is one chapter marker.
type Chapter struct {
	StartSec int    `json:"start"`
	Title    string `json:"title"`
	URL      string `json:"url,omitempty"`
}

// Preview is a shareable pre-release link.
type Preview struct {
	Token     string    `json:"token"`
	EpisodeID string    `json:"episode_id"`
	Expires   time.Time `json:"expires"`
	Views     int       `json:"views"`
}

// ShowIndex lists a show's episodes in feed order.
type ShowIndex struct {
	ShowID   string    `json:"show_id"`
	Episodes []string  `json:"episodes"`
	Updated  time.Time `json:"updated"`
}

// Latest points at a show's newest public episode.
type Latest struct {
	EpisodeID   string    `json:"episode_id"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// teaserTTL is the life of a social-card teaser link; crawlers fetch it
// within seconds of the post.
const teaserTTL = 45 * time.Second

// Store is the edge view of episodes. The embedded table holds the episode
// records themselves; the other tables hold derived data.
type Store struct {
	kvbase.Table[Episode]
	Slugs    kvbase.Table[SlugClaim]
	Chapters kvbase.Table[[]Chapter]
	Previews kvbase.Table[Preview]
	Embargo  kvbase.Table[Episode]
	Index    kvbase.Table[ShowIndex]
	Latest   kvbase.Table[Latest]

	// Origin is the publishing API, the source of truth for episodes.
	Origin interface {
		Episode(ctx context.Context, id string) (Episode, error)
	}
	Cfg config.Config
}

// New binds the episode tables to one namespace.
func New(ns *cloudflare.KVNamespace, cfg config.Config, m kvbase.Metrics, origin interface {
	Episode(ctx context.Context, id string) (Episode, error)
}) *Store {
	return &Store{
		Table:    kvbase.Table[Episode]{NS: ns, Prefix: "ep", TTL: cfg.EpisodeCacheTTL, Metrics: m},
		Slugs:    kvbase.Table[SlugClaim]{NS: ns, Prefix: "slug", Metrics: m},
		Chapters: kvbase.Table[[]Chapter]{NS: ns, Prefix: "chapters", Metrics: m},
		Previews: kvbase.Table[Preview]{NS: ns, Prefix: "preview", Metrics: m},
		Embargo:  kvbase.Table[Episode]{NS: ns, Prefix: "embargo", Metrics: m},
		Index:    kvbase.Table[ShowIndex]{NS: ns, Prefix: "showidx", Metrics: m},
		Latest:   kvbase.Table[Latest]{NS: ns, Prefix: "latest", TTL: cfg.EpisodeCacheTTL, Metrics: m},
		Origin:   origin,
		Cfg:      cfg,
	}
}

// Get reads an episode through the edge cache, filling it from the origin
// on a miss.
func (s *Store) Get(ctx context.Context, id string) (Episode, error) {
	ep, err := s.Table.Get(ctx, id)
	var nf *kverr.NotFoundError
	switch {
	case err == nil:
		return ep, nil
	case !errors.As(err, &nf):
		return Episode{}, err
	}
	ep, err = s.Origin.Episode(ctx, id)
	if err != nil {
		return Episode{}, errors.Join(nf, err)
	}
	if ep.Draft {
		return ep, nil
	}
	return ep, s.Put(ctx, id, ep)
}

// ClaimSlug reserves a vanity slug for an episode.
func (s *Store) ClaimSlug(ctx context.Context, slug, episodeID string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if slug == "" || len(slug) > 120 {
		return fmt.Errorf("invalid slug %q", slug)
	}
	cur, err := s.Slugs.Get(ctx, slug)
	switch {
	case err == nil && cur.EpisodeID != episodeID:
		return &kverr.ConflictError{Key: slug, Holder: cur.EpisodeID}
	case err == nil:
		return nil
	case !kverr.IsNotFound(err):
		return err
	}
	return s.Slugs.Put(ctx, slug, SlugClaim{EpisodeID: episodeID, ClaimedAt: time.Now().UTC()}) // EXPECT kvrace
}

// ResolveSlug maps a slug to an episode ID.
func (s *Store) ResolveSlug(ctx context.Context, slug string) (string, error) {
	c, err := s.Slugs.Get(ctx, strings.ToLower(slug))
	if err != nil {
		return "", err
	}
	return c.EpisodeID, nil
}

// SaveDraft applies an editor's partial change to a draft.
func (s *Store) SaveDraft(ctx context.Context, id string, patch struct {
	Title *string `json:"title"`
	Notes *string `json:"notes"`
}) error {
	return s.Update(ctx, id, func(ep *Episode) error {
		if !ep.Draft {
			return &kverr.ConflictError{Key: id, Holder: "published"}
		}
		if patch.Title != nil {
			ep.Title = *patch.Title
		}
		if patch.Notes != nil {
			ep.Notes = *patch.Notes
		}
		return nil
	})
}

// AddChapter inserts a chapter marker and keeps the list ordered.
func (s *Store) AddChapter(ctx context.Context, id string, ch Chapter) (err error) {
	chs, err := s.Chapters.Get(ctx, id)
	if err != nil && !kverr.IsNotFound(err) {
		return err
	}
	defer func() {
		if err == nil {
			err = s.Chapters.Put(ctx, id, chs) // EXPECT kvrace
		}
	}()
	chs = append(chs, ch)
	slices.SortFunc(chs, func(a, b Chapter) int { return a.StartSec - b.StartSec })
	return nil
}

// ReplaceChapters stores the full chapter list produced by the editor.
func (s *Store) ReplaceChapters(ctx context.Context, id string, chs []Chapter) error {
	slices.SortFunc(chs, func(a, b Chapter) int { return a.StartSec - b.StartSec })
	return s.Chapters.Put(ctx, id, chs)
}

// Schedule records an embargoed episode so the edge hides it until release.
func (s *Store) Schedule(ctx context.Context, ep Episode) error {
	if !ep.EmbargoUntil.After(time.Now()) {
		return s.Put(ctx, ep.ID, ep)
	}
	return s.Embargo.PutFor(ctx, ep.ID, ep,
		time.Until(ep.EmbargoUntil), // EXPECT kvttl
	)
}

// Embargoed reports whether an episode is still held back.
func (s *Store) Embargoed(ctx context.Context, id string) (bool, error) {
	_, err := s.Embargo.Get(ctx, id)
	if kverr.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// IssuePreview creates a pre-release link for an episode.
func (s *Store) IssuePreview(ctx context.Context, episodeID string) (Preview, error) {
	p := Preview{Token: newToken(), EpisodeID: episodeID, Expires: time.Now().Add(s.Cfg.PreviewTTL)}
	ttl := max(time.Until(p.Expires), time.Minute)
	return p, s.Previews.PutFor(ctx, p.Token, p, ttl)
}

// OpenPreview resolves a preview link.
func (s *Store) OpenPreview(ctx context.Context, token string) (Preview, error) {
	p, err := s.Previews.Get(ctx, token)
	if err != nil {
		return Preview{}, err
	}
	if time.Now().After(p.Expires) {
		return Preview{}, &kverr.NotFoundError{Key: token}
	}
	return p, nil
}

// IssueTeaser creates a link for social-card crawlers that autoplay the
// opening seconds of an episode when it is shared.
func (s *Store) IssueTeaser(ctx context.Context, episodeID string) (Preview, error) {
	p := Preview{Token: newToken(), EpisodeID: episodeID, Expires: time.Now().Add(teaserTTL)}
	return p, s.Previews.PutFor(ctx, p.Token, p, teaserTTL) // EXPECT kvttl
}

// Duration returns an episode's duration in seconds from the probe cache.
func (s *Store) Duration(ctx context.Context, id string) (int, error) {
	raw, err := s.NS.GetString(s.Key(ctx, id, "dur"), nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	secs, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("duration cache for %s: %w", id, err)
	}
	return secs, nil
}

// CachedDuration is the probe-cache read used by the feed renderer.
func (s *Store) CachedDuration(ctx context.Context, id string) (int, bool) {
	raw, ok, err := kvbase.GetRaw(s.NS, s.Key(ctx, id, "dur"), 3600)
	if err != nil || !ok {
		return 0, false
	}
	secs, err := strconv.Atoi(raw)
	return secs, err == nil
}

// PublishBatch publishes several episodes of one show and moves the
// show's "latest episode" pointer along as each one goes live.
func (s *Store) PublishBatch(ctx context.Context, showID string, eps []Episode) error {
	writeLatest := (*kvbase.Table[Latest]).Put
	for _, ep := range eps {
		ep.Draft = false
		ep.PublishedAt = time.Now().UTC()
		if err := s.Put(ctx, ep.ID, ep); err != nil {
			return err
		}
		cur := Latest{EpisodeID: ep.ID, Title: ep.Title, PublishedAt: ep.PublishedAt}
		if err := writeLatest(&s.Latest, ctx, showID, cur); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// RebuildIndex replaces a show's index with the order given by the origin.
func (s *Store) RebuildIndex(ctx context.Context, showID string, order []string) error {
	return s.Index.Put(ctx, showID, ShowIndex{ShowID: showID, Episodes: order, Updated: time.Now().UTC()})
}

// Recent returns one page of episodes with the cursor for the next page.
func (s *Store) Recent(ctx context.Context, cursor string) ([]Episode, string, error) {
	ids, next, err := s.Page(ctx, cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]Episode, 0, len(ids))
	for _, id := range ids {
		ep, err := s.Table.Get(ctx, id) // EXPECT kvlist
		if err != nil {
			continue
		}
		out = append(out, ep)
	}
	return out, next, nil
}

// RecentIDs returns one page of episode IDs with the next cursor.
func (s *Store) RecentIDs(ctx context.Context, cursor string) ([]string, string, error) {
	return s.Page(ctx, cursor, s.Cfg.ListPageSize)
}

// Sitemap lists every claimed slug for the network's sitemap.
func (s *Store) Sitemap(ctx context.Context) ([]string, error) {
	prefix := kvbase.Key(tenant.From(ctx), "slug") + kvbase.Sep
	res, err := s.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		slugs = append(slugs, strings.TrimPrefix(k.Name, prefix))
	}
	return slugs, nil
}

// CountSlugs walks the slug table, stopping after the configured page budget.
func (s *Store) CountSlugs(ctx context.Context) (n int, complete bool, err error) {
	complete, err = s.Slugs.Scan(ctx, s.Cfg.MaxListPages, func(string) error {
		n++
		return nil
	})
	return n, complete, err
}

func newToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
