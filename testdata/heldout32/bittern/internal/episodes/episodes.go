//go:build js && wasm

// Package episodes publishes episodes at the edge: slug claims, the show's
// episode index, scheduled releases with private preview links, and bulk
// imports from other hosts.
//
// All keys of a show live under "show:<id>:", built through edgekv.Scoped.
package episodes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"bittern/internal/edgekv"
	"bittern/internal/kvctx"
	"bittern/internal/loader"
	"bittern/internal/model"
	"bittern/internal/origin"
)

var ErrSlugTaken = errors.New("episodes: slug already used on this show")

// Item is an entry of a show's episode index.
type Item struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	PublishAt time.Time `json:"publish_at"`
}

const indexSize = 100

var byID = &loader.Loader[string, model.Episode]{
	Key: func(id string) string { return "epcache:" + id },
	Fetch: func(ctx context.Context, id string) (model.Episode, error) {
		return origin.Fetch[model.Episode](ctx, origin.Path("episodes", id))
	},
	TTL: 45 * time.Second, // EXPECT kvttl
}

// Get returns an episode by ID from the read-through cache.
func Get(ctx context.Context, id string) (model.Episode, error) { return byID.Load(ctx, id) }

func scoped(ctx context.Context, showID string) edgekv.Scoped {
	return edgekv.Scoped{KV: kvctx.From(ctx), Scope: "show:" + showID}
}

// Publish stores a new episode, claims its slug, and adds it to the show's
// index. Episodes dated in the future get a preview link instead.
func Publish(ctx context.Context, ep model.Episode) (previewToken string, err error) {
	s := scoped(ctx, ep.ShowID)
	if err := claimSlug(ctx, s, ep.Slug, ep.ID); err != nil {
		return "", err
	}
	if err := s.Write(s.Key("ep", ep.ID)).JSON(ep).Do(ctx); err != nil {
		return "", err
	}
	if ep.PublishAt.After(time.Now()) {
		if err := s.Put(ctx, schedKey(ep), ep.ID, 0); err != nil {
			return "", err
		}
		return schedulePreview(ctx, s, ep)
	}
	return "", appendToIndex(ctx, s, ep)
}

func schedKey(ep model.Episode) string {
	return fmt.Sprintf("sched:%010d:%s:%s", ep.PublishAt.Unix(), ep.ShowID, ep.ID)
}

func claimSlug(ctx context.Context, s edgekv.KV, slug, id string) error {
	key := s.Key("slug", slug)
	if _, taken, err := s.Lookup(ctx, key); err != nil {
		return err
	} else if taken {
		return ErrSlugTaken
	}
	return s.Put(ctx, key, id, 0) // EXPECT kvrace
}

func appendToIndex(ctx context.Context, s edgekv.KV, ep model.Episode) error {
	key := s.Key("index")
	var idx []Item
	if err := s.Read(key).Into(ctx, &idx); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	idx = append(idx, Item{ID: ep.ID, Slug: ep.Slug, Title: ep.Title, PublishAt: ep.PublishAt})
	slices.SortFunc(idx, func(a, b Item) int { return b.PublishAt.Compare(a.PublishAt) })
	if len(idx) > indexSize {
		idx = idx[:indexSize]
	}
	return s.Write(key).JSON(idx).Do(ctx) // EXPECT kvrace
}

// Listing returns the show's index, newest first.
func Listing(ctx context.Context, showID string) ([]Item, error) {
	s := scoped(ctx, showID)
	var idx []Item
	err := s.Read(s.Key("index")).CacheTTL(2*time.Minute).Into(ctx, &idx)
	if errors.Is(err, edgekv.ErrNotFound) {
		return nil, nil
	}
	return idx, err
}

// schedulePreview stores a private preview link that stops working when the
// episode goes public.
func schedulePreview(ctx context.Context, s edgekv.KV, ep model.Episode) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	return tok, s.Write(s.Key("preview", tok)).TTL(time.Until(ep.PublishAt)).String(ep.ID).Do(ctx) // EXPECT kvttl
}

// Reschedule moves an episode's release and extends the preview link with it.
func Reschedule(ctx context.Context, ep model.Episode, previewToken string, at time.Time) error {
	s := scoped(ctx, ep.ShowID)
	if err := s.Delete(ctx, schedKey(ep)); err != nil {
		return err
	}
	ep.PublishAt = at
	if err := s.Put(ctx, schedKey(ep), ep.ID, 0); err != nil {
		return err
	}
	ttl := max(time.Until(at), edgekv.MinTTL)
	return s.Write(s.Key("preview", previewToken)).TTL(ttl).String(ep.ID).Do(ctx)
}

// Edit applies a metadata change and notes it in the show's changelog,
// which the dashboard shows under "Recent changes".
func Edit(ctx context.Context, ep model.Episode, editor string, debounce time.Duration) error {
	s := scoped(ctx, ep.ShowID)
	if err := s.Write(s.Key("ep", ep.ID)).JSON(ep).Do(ctx); err != nil {
		return err
	}
	if err := byID.Forget(ctx, ep.ID); err != nil {
		return err
	}
	logKey := s.Key("changelog")
	old, _, err := s.Lookup(ctx, logKey)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s\t%s\tedited %q", time.Now().UTC().Format(time.RFC3339), editor, ep.Title)
	if err := s.Put(ctx, logKey, trimLog(line+"\n"+old, 50), 0); err != nil { // EXPECT kvrace
		return err
	}
	return markFeedStale(ctx, s, debounce)
}

func trimLog(log string, lines int) string {
	parts := strings.SplitN(log, "\n", lines+1)
	if len(parts) > lines {
		parts = parts[:lines]
	}
	return strings.Join(parts, "\n")
}

// markFeedStale asks the feed renderer to rebuild once edits settle down.
func markFeedStale(ctx context.Context, s edgekv.KV, debounce time.Duration) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	return s.Put(ctx, s.Key("feed-stale"), stamp, max(2*debounce, 5*time.Second)) // EXPECT kvttl
}

// TogglePin pins or unpins an episode at the top of the show page.
func TogglePin(ctx context.Context, showID, episodeID string) error {
	s := scoped(ctx, showID)
	return edgekv.Update(ctx, s, s.Key("pinned"), 0, func(old string, ok bool) (string, error) {
		var ids []string
		if ok && old != "" {
			ids = strings.Split(old, ",")
		}
		if i := slices.Index(ids, episodeID); i >= 0 {
			ids = slices.Delete(ids, i, i+1)
		} else {
			ids = append(ids, episodeID)
		}
		if len(ids) > 3 {
			return "", errors.New("episodes: at most three pinned episodes")
		}
		return strings.Join(ids, ","), nil
	})
}

// Stored returns an episode as last published or edited from the
// dashboard, which may be ahead of the origin's copy.
func Stored(ctx context.Context, showID, episodeID string) (*model.Episode, error) {
	s := scoped(ctx, showID)
	raw, err := s.Get(ctx, s.Key("ep", episodeID)) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var ep model.Episode
	if err := json.Unmarshal([]byte(raw), &ep); err != nil {
		return nil, fmt.Errorf("episodes: record of %s: %w", episodeID, err)
	}
	return &ep, nil
}

// Import stores a batch of episodes migrated from another host. The import
// cursor lets the dashboard resume a batch that failed half way.
func Import(ctx context.Context, showID string, eps []model.Episode) (int, error) {
	s := scoped(ctx, showID)
	items := make([]Item, 0, len(eps))
	for i, ep := range eps {
		if err := s.Write(s.Key("ep", ep.ID)).JSON(ep).Do(ctx); err != nil {
			return i, err
		}
		if err := s.Put(ctx, s.Key("import-cursor"), ep.ID, 24*time.Hour); err != nil { // EXPECT kvhotkey
			return i, err
		}
		items = append(items, Item{ID: ep.ID, Slug: ep.Slug, Title: ep.Title, PublishAt: ep.PublishAt})
	}
	slices.SortFunc(items, func(a, b Item) int { return b.PublishAt.Compare(a.PublishAt) })
	if len(items) > indexSize {
		items = items[:indexSize]
	}
	return len(eps), s.Write(s.Key("index")).JSON(items).Do(ctx)
}

// DeleteShow removes every key stored under a show.
func DeleteShow(ctx context.Context, showID string) error {
	s := kvctx.From(ctx)
	opts := &kv.ListOptions{Prefix: "show:" + showID + ":"}
	for {
		res, err := s.Page(ctx, opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := s.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}
