//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// maxSweepPages bounds one sweep of the embargo keys.
const maxSweepPages = 10

// Scheduled runs on the worker's cron trigger (every five minutes).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	feeds, err := kv.NewNamespace(bindFeeds)
	if err != nil {
		return err
	}
	stats, err := kv.NewNamespace(bindStats)
	if err != nil {
		return err
	}
	if err := releaseEmbargoes(feeds, ev.ScheduledTime); err != nil {
		return err
	}
	if err := indexDomains(feeds); err != nil {
		return err
	}
	if err := reportPreviews(feeds, stats); err != nil {
		return err
	}
	if err := sweepRecent(stats); err != nil {
		return err
	}
	status, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime})
	return stats.PutString("edge:cron:last_run", string(status), &kv.PutOptions{ExpirationTTL: 900})
}

// releaseEmbargoes drops the embargo marker of every episode whose release
// time has passed, so the feed renderer picks it up.
func releaseEmbargoes(feeds *kv.Namespace, now time.Time) error {
	opts := &kv.ListOptions{Prefix: "embargo:"}
	for {
		res, err := feeds.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(now) {
				_ = feeds.Delete(k.Name)
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// indexDomains rebuilds the list of custom domains the router accepts.
func indexDomains(feeds *kv.Namespace) error {
	var hosts []string
	res, err := feeds.List(&kv.ListOptions{Prefix: "domain:", Limit: 1000})
	for page := 0; err == nil && page < maxSweepPages; page++ {
		for _, k := range res.Keys {
			hosts = append(hosts, strings.TrimPrefix(k.Name, "domain:"))
		}
		if res.ListComplete {
			break
		}
		res, err = feeds.List(&kv.ListOptions{Cursor: res.Cursor}) // EXPECT kvlist
	}
	if err != nil {
		return err
	}
	b, _ := json.Marshal(hosts)
	return feeds.PutString("domains:index", string(b), &kv.PutOptions{ExpirationTTL: 900})
}

// reportPreviews records how many previews are live, for the ops board.
func reportPreviews(feeds, stats *kv.Namespace) error {
	opts := &kv.ListOptions{Prefix: "preview:", Limit: 1000}
	live := 0
	for page := 0; page < maxSweepPages; page++ {
		res, err := feeds.List(opts)
		if err != nil {
			return err
		}
		live += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return stats.PutString("edge:previews:live", strconv.Itoa(live), &kv.PutOptions{ExpirationTTL: 600})
}

// sweepRecent drops recent-listener lists that are about to expire anyway.
// It checkpoints its position so that a run cut short by the CPU limit
// resumes where it stopped.
func sweepRecent(stats *kv.Namespace) error {
	const checkpointKey = "edge:sweep:recent"
	opts := &kv.ListOptions{Prefix: "recent:", Limit: 1000}
	if cur, ok, err := lookup(stats, checkpointKey, nil); err == nil && ok {
		opts.Cursor = cur
	}
	for page := 0; page < maxSweepPages; page++ {
		res, err := stats.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Until(time.Unix(int64(k.Expiration), 0)) < time.Hour {
				_ = stats.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return stats.Delete(checkpointKey)
		}
		_ = stats.PutString(checkpointKey, res.Cursor, nil) // EXPECT kvhotkey
		opts.Cursor = res.Cursor
	}
	return nil
}
