// Package publish turns drafts into live articles.
package publish

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"example.com/newsroom/internal/drafts"
	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Article is a published story.
type Article struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Standfirst  string    `json:"standfirst"`
	Body        string    `json:"body"`
	Author      string    `json:"author"`
	Desk        string    `json:"desk"`
	Tags        []string  `json:"tags"`
	Status      string    `json:"status"`
	PublishedAt time.Time `json:"published_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Embargo     time.Time `json:"embargo,omitempty"`
}

// Statuses.
const (
	StatusLive      = "live"
	StatusEmbargoed = "embargoed"
	StatusWithdrawn = "withdrawn"
)

var (
	// ErrSlugTaken means another article already uses the slug.
	ErrSlugTaken = errors.New("publish: slug already in use")
	slugRE       = regexp.MustCompile(`[^a-z0-9]+`)
)

// DraftSource is the part of drafts.Service the publisher needs.
type DraftSource interface {
	Get(ctx context.Context, id string) (drafts.Draft, error)
	Discard(ctx context.Context, id string) error
}

// Indexer is told about every newly published article.
type Indexer interface {
	Add(tag, articleID string) error
}

// Publisher runs the publish workflow.
type Publisher struct {
	articles *repo.Repo[Article]
	st       store.Store
	drafts   DraftSource
	tags     Indexer
	now      func() time.Time
}

// New returns a publisher.
func New(st store.Store, ds DraftSource, tags Indexer) *Publisher {
	return &Publisher{
		articles: repo.New[Article](st, "article:"),
		st:       st,
		drafts:   ds,
		tags:     tags,
		now:      time.Now,
	}
}

// Slugify makes a URL slug from a headline.
func Slugify(title string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

// Publish makes a draft live (or embargoed until embargo, if set).
func (p *Publisher) Publish(ctx context.Context, draftID string, embargo time.Time) (Article, error) {
	d, err := p.drafts.Get(ctx, draftID)
	if err != nil {
		return Article{}, fmt.Errorf("load draft: %w", err)
	}
	slug := Slugify(d.Title)
	if err := p.claimSlug(ctx, slug, d.ID); err != nil {
		return Article{}, err
	}
	now := p.now()
	art := Article{
		ID: d.ID, Slug: slug, Title: d.Title, Standfirst: d.Standfirst, Body: d.Body,
		Author: d.Author, Desk: d.Desk, Tags: d.Tags,
		Status: StatusLive, PublishedAt: now, UpdatedAt: now,
	}
	if embargo.After(now) {
		art.Status = StatusEmbargoed
		art.Embargo = embargo
		// The edge router serves a holding page while this marker exists.
		marker := []byte(embargo.Format(time.RFC3339))
		if err := p.st.Put(ctx, "embargo:"+art.ID, marker, store.WithTTL(time.Until(embargo))); err != nil { // EXPECT kvttl
			return Article{}, err
		}
	}
	if err := p.articles.Save(ctx, art.ID, art); err != nil {
		return Article{}, err
	}
	for _, t := range art.Tags {
		if err := p.tags.Add(t, art.ID); err != nil {
			return art, fmt.Errorf("index tag %q: %w", t, err)
		}
	}
	return art, p.drafts.Discard(ctx, draftID)
}

func (p *Publisher) claimSlug(ctx context.Context, slug, articleID string) error {
	key := "slug:" + slug
	if _, err := p.st.Get(ctx, key); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return p.st.Put(ctx, key, []byte(articleID)) // EXPECT kvrace
}

// Withdraw takes an article down (legal, corrections desk).
func (p *Publisher) Withdraw(ctx context.Context, id, reason string) error {
	art, err := p.articles.Get(ctx, id)
	if err != nil {
		return err
	}
	art.Status = StatusWithdrawn
	art.UpdatedAt = p.now()
	art.Body = "This article has been withdrawn. " + reason
	return p.articles.Save(ctx, id, art) // EXPECT kvrace
}

// ScheduleReminder pings the desk ten minutes before an embargo lifts.
func (p *Publisher) ScheduleReminder(ctx context.Context, art Article) error {
	remindAt := art.Embargo.Add(-10 * time.Minute)
	ttl := max(time.Until(remindAt), time.Minute)
	return p.st.Put(ctx, "reminder:"+art.ID, []byte(art.Title), store.WithTTL(ttl))
}

// BySlug resolves a public URL to an article.
func (p *Publisher) BySlug(ctx context.Context, slug string) (Article, error) {
	id, err := p.st.Get(ctx, "slug:"+slug)
	if err != nil {
		return Article{}, err
	}
	return p.articles.Get(ctx, string(id))
}
