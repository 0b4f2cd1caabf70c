// Package episodes publishes podcast episodes: manifests, show indexes,
// slugs and scheduled releases, all projected into Workers KV for the edge.
package episodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/samber/lo"

	"dunnock/internal/kvstore"
)

// Episode is the published form of an episode.
type Episode struct {
	ID        string    `json:"id"`
	Show      string    `json:"show"`
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	AudioURL  string    `json:"audio_url"`
	Bytes     int64     `json:"bytes"`
	Tags      string    `json:"tags"`
	Published time.Time `json:"published"`
}

// Show is the cached projection of a show row.
type Show struct {
	ID    string `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Owner string `json:"owner"`
}

// ShowSource loads shows from the primary database.
type ShowSource interface {
	ShowBySlug(ctx context.Context, slug string) (Show, error)
}

// ErrSlugTaken is returned when a slug already belongs to another show.
var ErrSlugTaken = errors.New("episodes: slug already taken")

// Publisher writes episode projections.
type Publisher struct {
	kv    kvstore.Store
	shows ShowSource
}

// NewPublisher returns a Publisher over kv.
func NewPublisher(kv kvstore.Store, shows ShowSource) *Publisher {
	return &Publisher{kv: kv, shows: shows}
}

// ClaimSlug reserves slug for showID.
func (p *Publisher) ClaimSlug(ctx context.Context, slug, showID string) error {
	key := fmt.Sprintf("slug/%s", strings.ToLower(slug))
	owner, found, err := kvstore.TryGet(ctx, p.kv, key)
	if err != nil {
		return err
	}
	if found && string(owner) != showID {
		return ErrSlugTaken
	}
	return p.kv.Put(ctx, kvstore.Entry{Key: key, Value: showID}) // EXPECT kvrace
}

// Show returns a show, reading through the KV cache.
func (p *Publisher) Show(ctx context.Context, slug string) (Show, error) {
	key := fmt.Sprint(kvstore.ShowKey{Slug: slug})
	var s Show
	err := kvstore.GetJSON(ctx, p.kv, key, &s)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return Show{}, err
	}
	s, err = p.shows.ShowBySlug(ctx, slug)
	if err != nil {
		return Show{}, err
	}
	return s, kvstore.CacheJSON(ctx, p.kv, key, s, 10*time.Minute)
}

// WarmShows loads each show into the cache concurrently.
func (p *Publisher) WarmShows(ctx context.Context, slugs []string) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, slug := range lo.Uniq(slugs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Show(ctx, slug); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", slug, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

type showIndex struct {
	Episodes []int     `json:"episodes"`
	Updated  time.Time `json:"updated"`
}

// Publish writes the episode manifest, adds it to the show index and
// records its tags.
func (p *Publisher) Publish(ctx context.Context, ep Episode) error {
	key := kvstore.EpisodeKey{Show: ep.Show, Number: ep.Number}
	body, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if err := p.kv.Put(ctx, kvstore.Entry{Key: fmt.Sprintf("%s", key), Value: string(body)}); err != nil {
		return err
	}

	indexKey := fmt.Sprintf("%v/index", kvstore.ShowKey{Slug: ep.Show})
	var idx showIndex
	if err := kvstore.GetJSON(ctx, p.kv, indexKey, &idx); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if !slices.Contains(idx.Episodes, ep.Number) {
		idx.Episodes = append(idx.Episodes, ep.Number)
		slices.Sort(idx.Episodes)
	}
	idx.Updated = time.Now()
	if err := kvstore.PutJSON(ctx, p.kv, indexKey, idx, 0); err != nil { // EXPECT kvrace
		return err
	}

	for tag := range strings.FieldsSeq(strings.ToLower(ep.Tags)) {
		tagKey := fmt.Sprintf("tag/%s/%s", tag, ep.ID)
		if err := p.kv.Put(ctx, kvstore.Entry{Key: tagKey, Value: ep.Title}); err != nil {
			return err
		}
	}
	return nil
}

// PublishSeason writes a whole season with the bulk API and moves the
// show's "latest" pointer as it goes.
func (p *Publisher) PublishSeason(ctx context.Context, show string, eps []Episode) error {
	entries := lo.Map(eps, func(ep Episode, _ int) kvstore.Entry {
		b := lo.Must(json.Marshal(ep))
		return kvstore.Entry{Key: kvstore.EpisodeKey{Show: ep.Show, Number: ep.Number}.String(), Value: string(b)}
	})
	for _, batch := range lo.Chunk(entries, 1000) {
		if err := p.kv.PutMany(ctx, batch); err != nil {
			return err
		}
	}
	latest := fmt.Sprintf("%v/latest", kvstore.ShowKey{Slug: show})
	for _, ep := range eps {
		if ep.Published.IsZero() {
			continue
		}
		if err := p.kv.Put(ctx, kvstore.Entry{Key: latest, Value: ep.ID}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SetLatest moves the show's "latest" pointer once, after a batch.
func (p *Publisher) SetLatest(ctx context.Context, show string, eps []Episode) error {
	newest, ok := lo.Last(lo.Filter(eps, func(ep Episode, _ int) bool { return !ep.Published.IsZero() }))
	if !ok {
		return nil
	}
	return p.kv.Put(ctx, kvstore.Entry{Key: fmt.Sprintf("%v/latest", kvstore.ShowKey{Slug: show}), Value: newest.ID})
}

// SaveDraft stores an unpublished preview for the editor.
func (p *Publisher) SaveDraft(ctx context.Context, ep Episode, autosave bool) error {
	key := "draft/" + ep.ID
	if autosave {
		return kvstore.PutJSON(ctx, p.kv, key, ep, 30*time.Second) // EXPECT kvttl
	}
	return kvstore.PutJSON(ctx, p.kv, key, ep, 7*24*time.Hour)
}

// SavePreview stores a share-preview card; CacheJSON keeps at least a minute.
func (p *Publisher) SavePreview(ctx context.Context, ep Episode) error {
	return kvstore.CacheJSON(ctx, p.kv, "preview/"+ep.ID, ep, 20*time.Second)
}

// Embargo hides an episode from the edge until at.
func (p *Publisher) Embargo(ctx context.Context, ep Episode, at time.Time) error {
	return p.kv.Put(ctx, kvstore.Entry{Key: "embargo/" + ep.ID, Value: at.Format(time.RFC3339), TTL: int(time.Until(at).Seconds())}) // EXPECT kvttl
}

// Premiere marks an episode as "premiering" until at, for at least five minutes.
func (p *Publisher) Premiere(ctx context.Context, ep Episode, at time.Time) error {
	ttl := max(time.Until(at), 5*time.Minute)
	return p.kv.Put(ctx, kvstore.Entry{Key: "premiere/" + ep.ID, Value: at.Format(time.RFC3339), TTL: kvstore.Seconds(ttl)})
}

// AppendChangelog adds a line to the show's public changelog.
func (p *Publisher) AppendChangelog(ctx context.Context, show, line string) error {
	key := fmt.Sprintf("%s/changelog", kvstore.ShowKey{Slug: show})
	old, _, err := kvstore.TryGet(ctx, p.kv, key)
	if err != nil {
		return err
	}
	stamped := time.Now().UTC().Format(time.DateOnly) + " " + line + "\n"
	return p.kv.Put(ctx, kvstore.Entry{Key: key, Value: string(old) + stamped}) // EXPECT kvrace
}

// RetagAll bumps the tag list of many episodes, one key each.
func (p *Publisher) RetagAll(ctx context.Context, eps []Episode, tag string) error {
	return kvstore.Safely(func() error {
		for i, ep := range slices.All(eps) {
			eps[i].Tags = strings.TrimSpace(ep.Tags + " " + tag)
			if err := p.kv.Put(ctx, kvstore.Entry{Key: fmt.Sprintf("tag/%s/%s", tag, ep.ID), Value: ep.Title}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddTagToShowIndex keeps a per-tag list of shows; it goes through Mutate.
func (p *Publisher) AddTagToShowIndex(ctx context.Context, tag, show string) error {
	return kvstore.Mutate(ctx, p.kv, "tagshows/"+tag, 0, func(cur []byte) ([]byte, error) {
		var shows []string
		if len(cur) > 0 {
			if err := json.Unmarshal(cur, &shows); err != nil {
				return nil, err
			}
		}
		return json.Marshal(lo.Uniq(append(shows, show)))
	})
}
