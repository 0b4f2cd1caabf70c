//go:build js && wasm

// Package jobs holds the cron work of the Worker. wrangler.toml schedules
// three triggers; Run dispatches on the trigger's expression.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"tanager/internal/config"
	"tanager/internal/feeds"
	"tanager/internal/keys"
	"tanager/internal/kv"
	"tanager/internal/ops"
)

const (
	everyFiveMinutes = "*/5 * * * *"
	hourly           = "0 * * * *"
	nightly          = "30 3 * * *"
)

// digestOpts is the lifetime of a show's daily digest: a day plus slack
// for a late cron.
var digestOpts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: 26 * 3600}

type Runner struct {
	Cfg config.Config
}

// Run is the cron.Task.
func (jr Runner) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := kv.OpenAll()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case everyFiveMinutes:
		err = jr.refreshFeeds(ns, ev.ScheduledTime)
	case hourly:
		err = jr.premieres(ns)
	case nightly:
		err = jr.nightly(ns, ev.ScheduledTime)
	default:
		err = fmt.Errorf("jobs: no job for cron %q", ev.Cron)
	}
	if err != nil {
		return err
	}
	return ns.Cache.Put(keys.CronLastRun, ev.Cron+" "+ev.ScheduledTime.Format(time.RFC3339), 0)
}

// refreshFeeds re-renders page 0 of the feeds of shows the origin reports
// as changed since the last run, one goroutine per show.
func (jr Runner) refreshFeeds(ns kv.Namespaces, at time.Time) error {
	since := at.Add(-5 * time.Minute).Unix()
	res, err := http.Get(jr.Cfg.Origin("/v1/shows/changed?since=%d", since))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var changed struct {
		Shows []struct {
			ID       string   `json:"id"`
			Title    string   `json:"title"`
			Episodes []string `json:"episodes"`
		} `json:"shows"`
	}
	if err := json.NewDecoder(res.Body).Decode(&changed); err != nil {
		return err
	}
	if len(changed.Shows) > 0 {
		if err := ns.Cache.PutUntil("banner:feeds-refresh", "New episodes are on their way", time.Now().Add(30*time.Second)); err != nil { // EXPECT kvttl
			log.Printf("jobs: banner: %v", err)
		}
	}
	errs := make(chan error, len(changed.Shows))
	var wg sync.WaitGroup
	for _, show := range changed.Shows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := jr.refreshShow(ns, show.ID, show.Title, show.Episodes)
			if err == nil {
				err = ns.Cache.NS().PutString(keys.FeedsUpdatedAt, time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (jr Runner) refreshShow(ns kv.Namespaces, showID, title string, episodeIDs []string) error {
	// The studio shows a spinner while this key exists.
	if err := ns.Cache.Put("feedrefresh:"+showID, "1", 30*time.Second); err != nil { // EXPECT kvttl
		return err
	}
	items := make([]feeds.Item, 0, len(episodeIDs))
	for i, id := range episodeIDs[:min(len(episodeIDs), jr.Cfg.FeedPageSize)] {
		var it feeds.Item
		if _, err := ns.Shows.GetJSON(keys.Episode(showID, id), &it); err != nil {
			return err
		}
		items = append(items, it)
		status := fmt.Sprintf("rendering %d/%d", i+1, len(episodeIDs))
		if err := ns.Cache.Put(keys.FeedStatus(showID), status, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	doc, err := feeds.Render(title, "https://tanager.fm/"+showID, jr.Cfg.MediaBaseURL+"/dl/"+showID, items)
	if err != nil {
		return err
	}
	if err := ns.Cache.PutCache(keys.Feed(showID, "public", 0), string(doc), 30*time.Second); err != nil {
		return err
	}
	return ns.Cache.Update("feedmeta:"+showID, 7*24*time.Hour, func(m map[string]any) error {
		m["refreshed_at"] = time.Now().UTC().Format(time.RFC3339)
		m["episodes"] = len(items)
		return nil
	})
}

// premieres caches the countdown card of episodes premiering soon; the card
// disappears a few minutes before the premiere starts.
func (jr Runner) premieres(ns kv.Namespaces) error {
	res, err := http.Get(jr.Cfg.Origin("/v1/premieres?within=%s", "2h"))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var list []struct {
		ShowID    string    `json:"show_id"`
		EpisodeID string    `json:"episode_id"`
		Title     string    `json:"title"`
		StartsAt  time.Time `json:"starts_at"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		return err
	}
	for _, p := range list {
		card, _ := json.Marshal(map[string]any{"title": p.Title, "starts_at": p.StartsAt})
		key := fmt.Sprintf("premiere:%s:%s", p.ShowID, p.EpisodeID)
		if err := ns.Cache.Put(key, string(card), max(time.Until(p.StartsAt)-5*time.Minute, 30*time.Second)); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}

// nightly builds per-show digests and runs the key statistics.
func (jr Runner) nightly(ns kv.Namespaces, at time.Time) error {
	stats := ns.Stats.NS()
	const lockKey = "digest:lock"
	if held, err := stats.GetString(lockKey, nil); err != nil {
		return err
	} else if !kv.IsNull(held) {
		log.Printf("jobs: digest already running since %s", held)
		return nil
	}
	lockOpts := *digestOpts
	lockOpts.ExpirationTTL = 20                                                          // EXPECT kvttl
	if err := stats.PutString(lockKey, at.Format(time.RFC3339), &lockOpts); err != nil { // EXPECT kvrace
		return err
	}
	day := at.AddDate(0, 0, -1).Format("2006-01-02")
	if err := jr.enqueueDigests(ns, day); err != nil {
		return err
	}
	summary, _ := json.Marshal(map[string]any{"day": day, "finished_at": time.Now().UTC()})
	if err := stats.PutString("digest:last", string(summary), digestOpts); err != nil {
		return err
	}
	weekly := *digestOpts
	weekly.ExpirationTTL = 8 * 24 * 3600
	year, week := at.ISOWeek()
	if err := stats.PutString(fmt.Sprintf("digest:week:%d-W%02d", year, week), string(summary), &weekly); err != nil {
		return err
	}
	var report strings.Builder
	for _, prefix := range []string{"ep:", "settings:", "slug:"} {
		if err := ops.Run([]string{"stats", "-ns", "SHOWS", "-prefix", prefix}, &report); err != nil {
			return err
		}
	}
	log.Print(report.String())
	return nil
}

// enqueueDigests asks the origin's digest worker, which consumes DIGESTS,
// to build one digest per show.
func (jr Runner) enqueueDigests(ns kv.Namespaces, day string) error {
	q, err := queues.NewProducer("DIGESTS")
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "settings:"}
	for {
		res, err := ns.Shows.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			showID := strings.TrimPrefix(k.Name, "settings:")
			if err := q.SendJSON(map[string]any{"show_id": showID, "day": day}); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}
