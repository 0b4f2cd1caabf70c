//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"starling/internal/keys"
	"starling/internal/retry"
)

const (
	directoryKey  = "feed:directory"
	progressKey   = "feed:directory:progress"
	trendingKey   = "feed:trending"
	sitemapKey    = "feed:sitemap"
	sitemapPrefix = "ep:"
	maxSweepPages = 20
)

// Scheduled runs the worker's cron triggers.
func (a *App) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		return a.refreshDirectory(ctx)
	case "0 3 * * *":
		if err := a.sweepEmbargoes(); err != nil {
			return err
		}
		if err := a.writeSitemap(); err != nil {
			return err
		}
		return a.purgeRetired()
	}
	return fmt.Errorf("unknown cron %q", ev.Cron)
}

// refreshDirectory re-renders every public feed and the show directory.
func (a *App) refreshDirectory(ctx context.Context) error {
	shows, err := a.origin.Shows(ctx)
	if err != nil {
		return err
	}
	for i, show := range shows {
		body, err := a.origin.Fetch(ctx, show, "rss")
		if err != nil {
			a.log.Warn("render feed", "show", show, "err", err)
			continue
		}
		key := feedRoot.With(show).Child("rss").String()
		if err := retry.Do(ctx, retry.Default, func(context.Context) error { return a.feeds.Put(key, body, a.cfg.FeedTTL) }); err != nil {
			return err
		}
		if err := a.feeds.Put(progressKey, fmt.Sprintf("%d/%d %s", i+1, len(shows), show), time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	b, _ := json.Marshal(shows)
	if err := a.feeds.Namespace().PutString(directoryKey, string(b), &kv.PutOptions{ExpirationTTL: int((6 * time.Hour).Seconds())}); err != nil {
		return err
	}
	t, _ := json.Marshal(shows[:min(len(shows), 25)])
	return a.feeds.Namespace().PutString(trendingKey, string(t), &kv.PutOptions{
		ExpirationTTL: int(30 * time.Minute), // EXPECT kvttl
	})
}

// sweepEmbargoes re-arms the embargo markers of scheduled episodes
// (sched:<show>:<episode>:<RFC 3339 time>), a bounded number of pages per
// night.
func (a *App) sweepEmbargoes() error {
	cursor := ""
	for range maxSweepPages {
		res, err := a.feeds.List("sched:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			i := strings.LastIndex(k.Name, ":")
			at, err := time.Parse(time.RFC3339, k.Name[i+1:])
			if err != nil || at.Before(time.Now()) {
				continue
			}
			ttl := max(time.Until(at), time.Minute)
			if err := a.feeds.PutSeconds("ep:"+strings.TrimPrefix(k.Name[:i], "sched:")+":embargo", "1", int(ttl.Seconds())); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	a.log.Warn("embargo sweep stopped at page budget", "pages", maxSweepPages)
	return nil
}

// writeSitemap publishes the newest episode URLs for search engines.
func (a *App) writeSitemap() error {
	res, err := a.feeds.Namespace().List(&kv.ListOptions{
		Prefix: sitemapPrefix,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, k := range res.Keys {
		fmt.Fprintf(&b, "<url><loc>https://starling.fm/%s</loc></url>", strings.ReplaceAll(strings.TrimPrefix(k.Name, sitemapPrefix), ":", "/"))
	}
	b.WriteString("</urlset>")
	if !res.ListComplete {
		a.log.Info("sitemap truncated", "next", res.Cursor)
	}
	return a.feeds.Namespace().PutString(sitemapKey, b.String(), &kv.PutOptions{
		Expiration: int(time.Now().Add(48 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
}

// purgeRetired removes everything cached for shows their hosts have retired.
func (a *App) purgeRetired() error {
	raw, ok, err := a.feeds.Get("feed:retired")
	var shows []string
	if err == nil && ok {
		err = json.Unmarshal([]byte(raw), &shows)
	}
	for _, show := range shows {
		if err = a.purgeShow(feedRoot.With(show)); err != nil {
			break
		}
	}
	return err
}

func (a *App) purgeShow(root keys.Key) error {
	cursor := ""
	for {
		res, err := a.feeds.List(root.Prefix(), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := a.feeds.Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}
