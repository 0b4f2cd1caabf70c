// Package feeds renders podcast RSS feeds from the catalog and publishes them
// to KV, where the edge worker serves them.
package feeds

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/catalog"
	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/kvstore"
)

// Service owns the feed keys in the FEEDS namespace:
//
//	feed:<show>:rss          rendered RSS document
//	preview:<show>           draft preview for the creator
//	show:<show>:episodes     newest-first episode IDs
//	show:<show>:settings     show settings edited in the dashboard
//	episode:<id>             episode page JSON
//	embargo:<id>             present until an episode's release time
type Service struct {
	ns      *kvstore.Namespace
	catalog *catalog.Source
	cfg     config.FeedsConfig
	baseURL string
	log     *zap.Logger
}

// NewService is provided to fx with the "feeds" namespace.
func NewService(ns *kvstore.Namespace, src *catalog.Source, cfg config.Config, log *zap.Logger) *Service {
	return &Service{
		ns:      ns,
		catalog: src,
		cfg:     cfg.Feeds,
		baseURL: cfg.PublicURL,
		log:     log.Named("feeds"),
	}
}

func feedKey(showID string) string     { return "feed:" + showID + ":rss" }
func indexKey(showID string) string    { return "show:" + showID + ":episodes" }
func settingsKey(showID string) string { return "show:" + showID + ":settings" }

// Rendered returns the RSS document for a show, rendering it from the
// catalog and caching it when KV has none.
func (s *Service) Rendered(ctx context.Context, showID string) ([]byte, error) {
	raw, err := s.ns.Get(ctx, feedKey(showID))
	if err == nil {
		return raw, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	body, err := s.render(ctx, showID, false)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, feedKey(showID), body, s.cfg.CacheTTL); err != nil {
		s.log.Warn("caching feed", zap.String("show", showID), zap.Error(err))
	}
	return body, nil
}

// Preview renders the feed with drafts included, for the creator's eyes only.
func (s *Service) Preview(ctx context.Context, showID string) ([]byte, error) {
	body, err := s.render(ctx, showID, true)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, "preview:"+showID, body, s.cfg.PreviewTTL); err != nil {
		return nil, err
	}
	return body, nil
}

// Invalidate drops the cached feed so the next request renders it again.
func (s *Service) Invalidate(ctx context.Context, showID string) error {
	return s.ns.Delete(ctx, feedKey(showID))
}

type latestEpisode struct {
	ShowID    string    `json:"show_id"`
	EpisodeID string    `json:"episode_id"`
	Title     string    `json:"title"`
	At        time.Time `json:"at"`
}

// Publish records a newly published episode: it joins the show's index, the
// network's "latest" shelf, and the feed is rendered again.
func (s *Service) Publish(ctx context.Context, showID string, ep catalog.Episode) error {
	log := s.log.With(zap.String("show", showID), zap.String("episode", ep.ID))

	var ids []string
	if err := s.ns.GetJSON(ctx, indexKey(showID), &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ids = append([]string{ep.ID}, ids...)
	if len(ids) > s.cfg.MaxEpisodes {
		ids = ids[:s.cfg.MaxEpisodes]
	}
	if err := s.ns.PutJSON(ctx, indexKey(showID), ids, 0); err != nil { // EXPECT kvrace
		return err
	}

	if ep.PublishAt.After(time.Now()) {
		if err := s.ns.Put(ctx, "embargo:"+ep.ID, []byte(showID), time.Until(ep.PublishAt)); err != nil { // EXPECT kvttl
			return err
		}
	}

	shelf := latestEpisode{ShowID: showID, EpisodeID: ep.ID, Title: ep.Title, At: time.Now().UTC()}
	if err := s.ns.PutJSON(ctx, "catalog:latest", shelf, 0); err != nil { // EXPECT kvhotkey
		log.Warn("updating latest shelf", zap.Error(err))
	}

	page, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if err := s.ns.PutCache(ctx, "episode:"+ep.ID, page, 20*time.Second); err != nil {
		log.Warn("caching episode page", zap.Error(err))
	}
	if _, err := s.Embed(ctx, ep); err != nil {
		log.Warn("embed", zap.Error(err))
	}
	return s.Invalidate(ctx, showID)
}

// Embed returns the oEmbed player HTML for an episode.
func (s *Service) Embed(ctx context.Context, ep catalog.Episode) (string, error) {
	html := fmt.Sprintf(`<iframe src="%s/embed/%s" width="100%%" height="180" frameborder="0" title=%q></iframe>`,
		s.baseURL, ep.ID, ep.Title)
	if err := s.ns.Put(ctx, "oembed:"+ep.ID, []byte(html), 30*time.Second); err != nil { // EXPECT kvttl
		s.log.Warn("caching embed", zap.String("episode", ep.ID), zap.Error(err))
	}
	return html, nil
}

type rssItem struct {
	Title     string `xml:"title"`
	GUID      string `xml:"guid"`
	PubDate   string `xml:"pubDate"`
	Summary   string `xml:"description"`
	Enclosure struct {
		URL    string `xml:"url,attr"`
		Length int64  `xml:"length,attr"`
		Type   string `xml:"type,attr"`
	} `xml:"enclosure"`
}

func (s *Service) render(ctx context.Context, showID string, drafts bool) ([]byte, error) {
	show, err := s.catalog.Show(ctx, showID)
	if err != nil {
		return nil, fmt.Errorf("show %s: %w", showID, err)
	}
	eps, err := s.catalog.Episodes(ctx, showID, drafts)
	if err != nil {
		return nil, fmt.Errorf("episodes of %s: %w", showID, err)
	}
	var doc struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title       string    `xml:"title"`
			Link        string    `xml:"link"`
			Description string    `xml:"description"`
			Language    string    `xml:"language"`
			Items       []rssItem `xml:"item"`
		} `xml:"channel"`
	}
	doc.Version = "2.0"
	doc.Channel.Title, doc.Channel.Description, doc.Channel.Language = show.Title, show.Description, show.Language
	doc.Channel.Link = s.baseURL + "/shows/" + show.ID
	now := time.Now()
	for _, ep := range eps {
		if !drafts && (ep.Draft || ep.PublishAt.After(now)) {
			continue
		}
		it := rssItem{Title: ep.Title, GUID: ep.GUID, PubDate: ep.PublishAt.UTC().Format(time.RFC1123Z), Summary: ep.Summary}
		it.Enclosure.URL, it.Enclosure.Length, it.Enclosure.Type = ep.AudioURL, ep.AudioBytes, "audio/mpeg"
		doc.Channel.Items = append(doc.Channel.Items, it)
		if len(doc.Channel.Items) == s.cfg.MaxEpisodes {
			break
		}
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}
