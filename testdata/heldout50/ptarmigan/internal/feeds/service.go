package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"ptarmigan/internal/config"
	"ptarmigan/internal/kinds"
	"ptarmigan/internal/kvstore"
)

// Service answers feed and status requests for the API.
type Service struct {
	origin *Origin
	feeds  kvstore.Scope
	meta   kvstore.Scope

	feed   LoaderFunc
	status LoaderFunc

	recheckEvery time.Duration
}

// NewService wires the loaders for each kind of document.
func NewService(root kvstore.Scope, origin *Origin, cfg config.Config) *Service {
	feeds := root.Scope(kinds.Feed.Prefix())
	s := &Service{
		origin:       origin,
		feeds:        feeds,
		meta:         root.Scope("feedmeta"),
		recheckEvery: 10 * time.Minute,
	}
	s.feed = LoaderFunc(origin.RenderFeed).
		Fallback(root.Scope("last-good", kinds.Feed.Prefix())).
		RememberMisses(root.Scope("nofeed"), cfg.NegativeTTL). // DEBATABLE kvttl
		Cached(feeds, cfg.FeedTTL)
	s.status = LoaderFunc(origin.EpisodeStatus).
		Cached(root.Scope(kinds.EpisodeStatus.Prefix()), 15*time.Second) // EXPECT kvttl
	return s
}

// Feed returns the rendered feed of a show.
func (s *Service) Feed(ctx context.Context, showID string) ([]byte, error) {
	b, err := s.feed(ctx, showID)
	if err == nil {
		s.recheck(showID)
	}
	return b, err
}

// Status returns the processing status of an episode.
func (s *Service) Status(ctx context.Context, episodeID string) ([]byte, error) {
	return s.status(ctx, episodeID)
}

// Invalidate drops the cached feed of a show.
func (s *Service) Invalidate(ctx context.Context, showID string) error {
	return s.feeds.Delete(ctx, showID)
}

type feedMeta struct {
	ETag        string    `json:"etag"`
	Status      int       `json:"status"`
	LastChecked time.Time `json:"last_checked"`
	LastChanged time.Time `json:"last_changed"`
}

// recheck asks the origin in the background whether the feed changed since
// it was cached, and drops the cached copy if it did.
func (s *Service) recheck(showID string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()

		var m feedMeta
		raw, err := s.meta.Get(ctx, showID)
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &m); err != nil {
				slog.Warn("feeds: bad feed meta", "show", showID, "err", err)
			}
		case !errors.Is(err, kvstore.ErrNotFound):
			return
		}
		if time.Since(m.LastChecked) < s.recheckEvery {
			return
		}
		etag, status, err := s.origin.Head(ctx, showID)
		if err != nil {
			return
		}
		m.LastChecked = time.Now().UTC()
		m.Status = status
		if etag != m.ETag {
			m.ETag = etag
			m.LastChanged = m.LastChecked
			if err := s.feeds.Delete(ctx, showID); err != nil {
				slog.Warn("feeds: invalidate failed", "show", showID, "err", err)
			}
		}
		b, _ := json.Marshal(m)
		if err := s.meta.Put(ctx, showID, b, 0); err != nil { // EXPECT kvrace
			slog.Warn("feeds: meta write failed", "show", showID, "err", err)
		}
	}()
}
