package articles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"example.com/feeds/internal/crawler"
	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/repo"
	"example.com/feeds/internal/source"
)

// Document is the article JSON the edge site renders.
type Document struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Section   string    `json:"section"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	SourceURL string    `json:"source_url"`
	Published time.Time `json:"published"`
}

// BulkStore is the namespace API the publisher needs.
type BulkStore interface {
	kv.Store
	PutMany(ctx context.Context, entries []kv.Entry) error
}

// Publisher implements crawler.Sink.
type Publisher struct {
	store     BulkStore
	db        source.Articles
	docs      *repo.Repository[Document]
	index     *IndexPages
	tags      *Taxonomy
	slugs     *Slugs
	teaserTTL time.Duration
	bannerFor time.Duration
	now       func() time.Time
	log       *slog.Logger
}

// PublisherConfig groups the publisher's collaborators and knobs.
type PublisherConfig struct {
	Store     BulkStore
	DB        source.Articles
	Index     *IndexPages
	Tags      *Taxonomy
	Slugs     *Slugs
	TeaserTTL time.Duration
	// BannerFor is how long a breaking item stays in the site-wide banner.
	BannerFor time.Duration
	Logger    *slog.Logger
}

// NewPublisher builds a publisher from cfg.
func NewPublisher(cfg PublisherConfig) *Publisher {
	p := &Publisher{
		store:     cfg.Store,
		db:        cfg.DB,
		index:     cfg.Index,
		tags:      cfg.Tags,
		slugs:     cfg.Slugs,
		teaserTTL: cfg.TeaserTTL,
		bannerFor: cfg.BannerFor,
		now:       time.Now,
		log:       cfg.Logger,
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.docs = repo.New[Document](cfg.Store, "article:", repo.WithMetadata(func(id string) map[string]string {
		return map[string]string{"kind": "article"}
	}))
	return p
}

var _ crawler.Sink = (*Publisher)(nil)

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(title string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

func articleID(feedID, guid string) string {
	sum := sha256.Sum256([]byte(feedID + "\x00" + guid))
	return hex.EncodeToString(sum[:10])
}

// Ingest publishes the items that are new to the database.
func (p *Publisher) Ingest(ctx context.Context, feed crawler.Feed, items []crawler.Item) (int, error) {
	now := p.now()
	var (
		teasers   []kv.Entry
		published int
	)
	for _, it := range items {
		id := articleID(feed.ID, it.GUID)
		if _, err := p.db.Get(ctx, id); err == nil {
			continue
		} else if !errors.Is(err, source.ErrNotFound) {
			return published, err
		}

		doc := Document{
			ID: id, Section: feed.Section, Title: it.Title, Summary: it.Summary,
			SourceURL: it.Link, Published: it.Published,
		}
		doc.Slug = slugify(it.Title)
		if err := p.slugs.Claim(ctx, doc.Slug, id); errors.Is(err, ErrSlugTaken) {
			doc.Slug = doc.Slug + "-" + id[:6]
			if err := p.slugs.Claim(ctx, doc.Slug, id); err != nil {
				return published, err
			}
		} else if err != nil {
			return published, err
		}

		body, _ := json.Marshal(doc)
		sum := sha256.Sum256(body)
		if err := p.db.Upsert(ctx, source.Article{
			ID: id, Slug: doc.Slug, Section: doc.Section, Title: doc.Title, Summary: doc.Summary,
			Hash: hex.EncodeToString(sum[:]), PublishedAt: doc.Published,
		}); err != nil {
			return published, err
		}

		// Live blogs and breaking items carry their own takedown time.
		var ttl time.Duration
		if !it.Expires.IsZero() {
			ttl = it.Expires.Sub(now) // EXPECT kvttl
		}
		if err := p.docs.PutFor(ctx, id, doc, ttl); err != nil {
			return published, err
		}

		teaser, _ := json.Marshal(Summary{ID: id, Slug: doc.Slug, Title: doc.Title, Published: doc.Published})
		e := kv.Entry{
			Key:           "teaser:" + id,
			Value:         string(teaser),
			ExpirationTTL: int64(p.teaserTTL), // EXPECT kvttl
		}
		if it.Expires.After(now.Add(2 * time.Minute)) {
			e.ExpirationTTL, e.Expiration = 0, it.Expires.Unix()
		}
		teasers = append(teasers, e)

		if err := p.index.Prepend(ctx, feed.Section, Summary{ID: id, Slug: doc.Slug, Title: doc.Title, Summary: doc.Summary, Published: doc.Published}); err != nil {
			p.log.Warn("index prepend failed", "section", feed.Section, "err", err)
		}
		if err := p.tags.Tag(ctx, feed.Section, id, doc.Title); err != nil {
			p.log.Warn("tagging failed", "article", id, "err", err)
		}
		if feed.Section == "breaking" && published == 0 {
			if err := p.setBanner(ctx, doc, it.Published); err != nil {
				p.log.Warn("banner failed", "err", err)
			}
		}
		published++
	}
	if len(teasers) > 0 {
		if err := p.store.PutMany(ctx, teasers); err != nil {
			return published, fmt.Errorf("teasers: %w", err)
		}
	}
	return published, nil
}

func (p *Publisher) setBanner(ctx context.Context, doc Document, at time.Time) error {
	b, err := json.Marshal(map[string]string{"title": doc.Title, "slug": doc.Slug})
	if err != nil {
		return err
	}
	return p.store.Put(ctx, "banner:breaking", b, kv.PutOptions{
		ExpiresAt: at.Add(p.bannerFor).UnixMilli(), // EXPECT kvttl
	})
}
