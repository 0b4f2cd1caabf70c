//go:build js && wasm

package feeds

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// maxRefreshPages bounds how much of the namespace one cron tick walks.
const maxRefreshPages = 4

// Refresher re-fetches cached feeds from the cron trigger.
type Refresher struct {
	Cache *Cache
	NS    *kv.Namespace
}

// Tick refreshes every registered promoter feed.
func (r *Refresher) Tick(ctx context.Context) error {
	ps, err := Promoters(r.NS)
	if err != nil {
		return err
	}
	started := r.Cache.clock.Now()
	failed := 0
	for i, p := range ps {
		if err := r.Cache.store.Delete(ctx, "feed:"+p.ID); err != nil {
			failed++
			continue
		}
		if _, err := r.Cache.Feed(ctx, p); err != nil {
			failed++
		}
		progress := p.ID + " " + time.Duration(i+1).String()
		_ = r.Cache.store.Put(ctx, "feeds:progress", progress, 0) // EXPECT kvhotkey
	}
	summary := started.Format(time.RFC3339) + " failed=" + strconv.Itoa(failed)
	return r.Cache.store.Put(ctx, "feeds:lastrun", summary, 0)
}

// Stale lists lineup keys whose expiry has already passed the given time;
// KV drops them lazily, so the dashboard filters them out.
func (r *Refresher) Stale(ctx context.Context, before time.Time) ([]string, error) {
	var stale []string
	opts := &kv.ListOptions{Prefix: "lineup:", Limit: 500}
	for {
		res, err := r.NS.List(opts) // EXPECT kvlist
		if err != nil {
			return stale, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < before.Unix() {
				stale = append(stale, k.Name)
			}
		}
		opts.Cursor = res.Cursor
	}
	return stale, nil
}

// Posters returns every cached poster key for a promoter.
func (r *Refresher) Posters(ctx context.Context, promoterID string) ([]string, error) {
	var out []string
	res, err := r.NS.List(&kv.ListOptions{Prefix: "poster:" + promoterID + ":"})
	if err != nil {
		return nil, err
	}
	for pages := 1; ; pages++ {
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
		if res.ListComplete || pages == maxRefreshPages {
			break
		}
		res, err = r.NS.List(&kv.ListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Lineups walks the lineup cache for the shows listed, reading at most
// maxRefreshPages pages and stopping early once every show was seen.
func (r *Refresher) Lineups(ctx context.Context, shows []string) (map[string]string, error) {
	want := make(map[string]bool, len(shows))
	for _, s := range shows {
		want[s] = true
	}
	found := map[string]string{}
	cursor := ""
outer:
	for range maxRefreshPages {
		res, err := r.NS.List(&kv.ListOptions{Prefix: "lineup:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return found, err
		}
		for _, k := range res.Keys {
			show := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if want[show] {
				found[show] = k.Name
				if len(found) == len(want) {
					break outer
				}
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return found, nil
}

// Archive returns the archived feed keys of one promoter, a screenful at a time.
func (r *Refresher) Archive(promoterID, cursor string) ([]string, string, error) {
	res, err := r.NS.List(&kv.ListOptions{
		Prefix: "archive:" + promoterID + ":",
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}
