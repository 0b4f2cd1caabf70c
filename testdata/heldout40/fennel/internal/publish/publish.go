// Package publish writes episodes to the edge namespace when they go live,
// either immediately or at a scheduled release time.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
)

// ErrHandleTaken is returned when a vanity handle already belongs to a show.
var ErrHandleTaken = errors.New("publish: handle already taken")

const (
	lastPublished = "releases:last-published"
	schedulePfx   = "sched:"
	teaserTTL     = 30 * time.Second
)

// Episode is the document the Worker serves for a published episode.
type Episode struct {
	Show      keys.ShowID    `json:"show"`
	ID        keys.EpisodeID `json:"id"`
	Title     string         `json:"title"`
	AudioURL  string         `json:"audio_url"`
	Duration  int            `json:"duration_s"`
	Premium   bool           `json:"premium"`
	ReleaseAt time.Time      `json:"release_at"`
}

func (e Episode) key() string { return keys.EpisodeKey{Show: e.Show, Episode: e.ID}.String() }

// Scheduler publishes episodes now or later.
type Scheduler interface {
	PublishNow(ctx context.Context, ep Episode) error
	Schedule(ctx context.Context, ep Episode) error
	Cancel(ctx context.Context, show keys.ShowID, id keys.EpisodeID) error
	Run(ctx context.Context, tick time.Duration) error
	ClaimHandle(ctx context.Context, handle string, show keys.ShowID) error
}

type publisher struct {
	*kvadmin.Store
	log *slog.Logger

	mu     sync.Mutex
	timers map[keys.EpisodeID]*time.Timer
}

// NewScheduler returns the publisher for the edge namespace.
func NewScheduler(st *kvadmin.Store, log *slog.Logger) Scheduler {
	return &publisher{Store: st, log: log, timers: make(map[keys.EpisodeID]*time.Timer)}
}

// PublishNow makes ep visible at the edge and adds it to its show's index.
func (p *publisher) PublishNow(ctx context.Context, ep Episode) error {
	doc, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if err := p.Put(ctx, ep.key(), doc, 0); err != nil {
		return err
	}
	if err := p.appendToIndex(ctx, ep.Show, ep.ID); err != nil {
		return err
	}
	return p.Delete(ctx, keys.Embargo.Under(ep.Show)+string(ep.ID))
}

func (p *publisher) appendToIndex(ctx context.Context, show keys.ShowID, id keys.EpisodeID) error {
	key := keys.EpisodeIndex.With(string(show))
	var idx []keys.EpisodeID
	raw, err := p.Get(ctx, key)
	switch {
	case kvadmin.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &idx); err != nil {
			return fmt.Errorf("publish: index %s: %w", show, err)
		}
	}
	for _, have := range idx {
		if have == id {
			return nil
		}
	}
	idx = append(idx, id)
	out, _ := json.Marshal(idx)
	return p.Put(ctx, key, out, 0) // EXPECT kvrace
}

// Schedule records the release and arms a timer that publishes it.
func (p *publisher) Schedule(ctx context.Context, ep Episode) error {
	if !ep.ReleaseAt.After(time.Now()) {
		return p.PublishNow(ctx, ep)
	}
	embargo := keys.Embargo.Under(ep.Show) + string(ep.ID)
	if err := p.Put(ctx, embargo, []byte(ep.Title), time.Until(ep.ReleaseAt)); err != nil { // EXPECT kvttl
		return err
	}
	doc, _ := json.Marshal(ep)
	if err := p.PutMeta(ctx, schedulePfx+string(ep.ID), doc, map[string]int64{"at": ep.ReleaseAt.Unix()}); err != nil {
		return err
	}
	p.arm(ep)
	return nil
}

// Reschedule moves a release. The embargo marker lives at least a minute
// so a release moved to "now" still shows as embargoed until publish runs.
func (p *publisher) Reschedule(ctx context.Context, ep Episode) error {
	ttl := max(time.Until(ep.ReleaseAt), time.Minute)
	if err := p.Put(ctx, keys.Embargo.Under(ep.Show)+string(ep.ID), []byte(ep.Title), ttl); err != nil {
		return err
	}
	p.arm(ep)
	return nil
}

func (p *publisher) arm(ep Episode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.timers[ep.ID]; ok {
		t.Stop()
	}
	p.timers[ep.ID] = time.AfterFunc(time.Until(ep.ReleaseAt), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.PublishNow(ctx, ep); err != nil {
			p.log.Error("scheduled publish failed", "episode", ep.ID, "err", err)
		}
		p.mu.Lock()
		delete(p.timers, ep.ID)
		p.mu.Unlock()
	})
}

// Cancel withdraws a scheduled release.
func (p *publisher) Cancel(ctx context.Context, show keys.ShowID, id keys.EpisodeID) error {
	p.mu.Lock()
	if t, ok := p.timers[id]; ok {
		t.Stop()
		delete(p.timers, id)
	}
	p.mu.Unlock()
	tx := p.Begin()
	tx.Delete(schedulePfx + string(id))
	tx.Delete(keys.Embargo.Under(show) + string(id))
	return tx.Commit(ctx)
}

// Run publishes due episodes on every tick until ctx ends. Timers cover the
// common case; this catches releases scheduled before a restart.
func (p *publisher) Run(ctx context.Context, tick time.Duration) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			if err := p.releaseDue(ctx, now, tick); err != nil {
				p.log.Warn("release sweep", "err", err)
			}
		}
	}
}

func (p *publisher) releaseDue(ctx context.Context, now time.Time, tick time.Duration) error {
	const maxPages = 10
	cursor := ""
	var due []Episode
	for page := 0; page < maxPages; page++ {
		ks, next, err := p.Page(ctx, schedulePfx, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range ks {
			at := releaseTime(k)
			if at.IsZero() {
				continue
			}
			if at.Before(now) {
				raw, err := p.Get(ctx, k.Name) // DEBATABLE kvlist
				if err != nil {
					continue
				}
				var ep Episode
				if json.Unmarshal(raw, &ep) == nil {
					due = append(due, ep)
				}
				continue
			}
			if at.Before(now.Add(tick)) {
				teaser := max(2*tick, 5*time.Second) // EXPECT kvttl
				_ = p.Put(ctx, "releasing:"+k.Name, []byte(at.Format(time.RFC3339)), teaser)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	for _, ep := range due {
		if err := p.PublishNow(ctx, ep); err != nil {
			return err
		}
		if err := p.Delete(ctx, schedulePfx+string(ep.ID)); err != nil {
			return err
		}
		if err := p.Put(ctx, lastPublished, []byte(ep.ID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// releaseTime reads the release time carried in list metadata.
func releaseTime(k kv.Key) time.Time {
	m, ok := k.Metadata.(map[string]any)
	if !ok {
		return time.Time{}
	}
	at, ok := m["at"].(float64)
	if !ok {
		return time.Time{}
	}
	return time.Unix(int64(at), 0)
}

// ClaimHandle gives a show a vanity handle such as podloft.fm/@handle.
func (p *publisher) ClaimHandle(ctx context.Context, handle string, show keys.ShowID) error {
	key := keys.Handles.With(handle)
	_, err := p.Get(ctx, key)
	if err == nil {
		return ErrHandleTaken
	}
	if !kvadmin.IsNotFound(err) {
		return err
	}
	return p.Put(ctx, key, []byte(show), 0) // EXPECT kvrace
}

// Teaser publishes a short teaser clip that disappears shortly after.
func (p *publisher) Teaser(ctx context.Context, ep Episode, clipURL string) error {
	return p.PutAt(ctx, "teaser:"+string(ep.ID), []byte(clipURL), time.Now().Add(teaserTTL)) // EXPECT kvttl
}

// PremiumWindow writes the early-access marker that expires when the
// episode becomes free for everyone.
func (p *publisher) PremiumWindow(ctx context.Context, ep Episode, freeAt time.Time) error {
	_, err := p.Client().KV.Namespaces.Values.Update(ctx, p.ID(), "early:"+string(ep.ID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(p.Account()),
		Value:      cloudflare.F(string(ep.Show)),
		Expiration: cloudflare.F(float64(freeAt.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// CacheEpisodeCard caches the rendered share card of a published episode.
func (p *publisher) CacheEpisodeCard(ctx context.Context, ep Episode, card []byte) error {
	_, err := p.Client().KV.Namespaces.Values.Update(ctx, p.ID(), "card:"+string(ep.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.Account()),
		Value:         cloudflare.F(string(card)),
		ExpirationTTL: cloudflare.F(float64(time.Hour)), // EXPECT kvttl
	})
	return err
}

// CacheShowPage caches a rendered show page for a day.
func (p *publisher) CacheShowPage(ctx context.Context, show keys.ShowID, html []byte) error {
	_, err := p.Client().KV.Namespaces.Values.Update(ctx, p.ID(), "page:"+string(show), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.Account()),
		Value:         cloudflare.F(string(html)),
		ExpirationTTL: cloudflare.F((24 * time.Hour).Seconds()),
	})
	return err
}
