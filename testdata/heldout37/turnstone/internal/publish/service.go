//go:build js && wasm

// Package publish handles publishing articles: the slug claim, the feed
// pointer, tag indexes, cache purges and draft previews.
package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
)

var (
	ErrBusy      = errors.New("publish: another publish of this article is running")
	ErrSlugTaken = errors.New("publish: slug belongs to another article")
)

// Article is the published form of a post.
type Article struct {
	ID          string
	PubID       string
	Slug        string
	Title       string
	AuthorID    string
	Tags        []string
	PublishedAt time.Time
}

// Purger drops cached pages for a slug.
type Purger interface {
	Purge(slug string) error
}

// Service writes to the CONTENT namespace.
type Service struct {
	content kvstore.Full
	raw     *kv.Namespace
	pages   Purger
}

func New(ns *kvstore.Namespace, pages Purger, m *kvstore.Metrics) *Service {
	return &Service{content: kvstore.Stack(ns, kvstore.WithMetrics(m)), raw: ns.Raw(), pages: pages}
}

// Publish makes article a the live version of its slug.
func (s *Service) Publish(a Article, editor string) error {
	lock := kvstore.Key("lock:publish").Child(a.ID)
	if _, err := s.content.Get(lock); err == nil {
		return ErrBusy
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := s.content.Put(lock, editor, config.PublishLockTTL); err != nil { // EXPECT kvrace
		return err
	}
	defer s.content.Delete(lock)

	claim := kvstore.Key("slug").Child(url.PathEscape(a.Slug))
	if owner, err := s.content.Get(claim); err == nil && owner != a.ID {
		return ErrSlugTaken
	} else if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := s.content.Put(claim, a.ID, 0); err != nil { // EXPECT kvrace
		return err
	}

	a.PublishedAt = time.Now().UTC()
	rec := kvstore.Typed[Article]{S: s.content, C: kvstore.Gob[Article]{}}
	if err := rec.Save(kvstore.Key("article").Child(a.ID).Versioned(3), a, 0); err != nil {
		return err
	}
	for _, tag := range a.Tags {
		err := kvstore.Update(s.content, kvstore.JSON[[]string]{}, kvstore.Key("tag").Child(tag), 0, func(slugs *[]string) error {
			if !slices.Contains(*slugs, a.Slug) {
				*slugs = append(*slugs, a.Slug)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("publish: tag %s: %w", tag, err)
		}
	}
	if err := s.content.Put("feed:latest", a.Slug, 0); err != nil { // DEBATABLE kvhotkey
		return err
	}
	if err := s.pages.Purge(a.Slug); err != nil {
		return err
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := s.content.Put(kvstore.Key("purged").Child(a.Slug), stamp, config.PageTTL/20); err != nil { // EXPECT kvttl
		return err
	}
	return s.audit(editor, "publish", a.Slug)
}

func (s *Service) audit(actor, action, slug string) error {
	now := time.Now().UTC()
	k := kvstore.Key("audit").Child(now.Format(time.DateOnly))
	prev, err := s.content.Get(k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s\t%s\n", now.Format(time.RFC3339), actor, action, slug)
	return s.content.Put(k, prev+line, 90*24*time.Hour) // EXPECT kvrace
}

// CacheDraft keeps the rendered draft for the editor's autosave preview.
func (s *Service) CacheDraft(id, html string) error {
	return s.content.Put(kvstore.Key("draft").Child(id), html, config.PageTTLs["draft"]) // EXPECT kvttl
}

// ShareDraft returns a token for a short-lived link that shows a draft to a
// reviewer while the editor is on a call with them.
func (s *Service) ShareDraft(id string) (string, error) {
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	opts := &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}
	return tok, s.raw.PutString("share:"+tok, id, opts)
}
