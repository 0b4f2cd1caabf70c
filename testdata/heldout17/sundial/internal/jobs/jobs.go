//go:build js && wasm

// Package jobs runs sundial's scheduled work from the Worker's cron triggers.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sundial/internal/catalog"
	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/keys"
)

const null = "<null>"

// Cron expressions configured in wrangler.toml.
const (
	EveryFiveMinutes = "*/5 * * * *"
	Hourly           = "0 * * * *"
	Nightly          = "30 3 * * *"
)

// maxSweepPages bounds the nightly sweeps.
const maxSweepPages = 20

// Jobs holds the dependencies of the scheduled tasks.
type Jobs struct {
	NS      func() (*kv.Namespace, error)
	Events  d1.Table[catalog.Event]
	Counter d1.Counter
	Clock   clock.Clock
	Log     *slog.Logger
	Batch   int
}

// Run dispatches a cron trigger to its task.
func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := j.NS()
	if err != nil {
		return err
	}
	j.Log.Info("cron", "schedule", ev.Cron, "at", ev.ScheduledTime)
	switch ev.Cron {
	case EveryFiveMinutes:
		return j.publishDue(ctx, ns, ev.ScheduledTime)
	case Hourly:
		return errors.Join(j.prepareTeasers(ctx, ns, ev.ScheduledTime), j.mirrorViews(ctx, ns))
	case Nightly:
		return errors.Join(j.rebuildDirectory(ns), j.purgeProvider(ns, "paypal"), j.sweepTeasers(ctx, ns), j.countSessions(ns))
	}
	return fmt.Errorf("jobs: no task for %q", ev.Cron)
}

type summary struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
}

// publishDue publishes the scheduled events whose time has come.
func (j *Jobs) publishDue(ctx context.Context, ns *kv.Namespace, now time.Time) error {
	due, err := j.Events.Select(ctx, func(e catalog.Event) bool {
		return e.Status == catalog.Scheduled && !e.PublishAt.After(now)
	}, j.Batch)
	if err != nil {
		return err
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  []error
		index = make([]summary, 0, len(due))
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for _, e := range due {
		wg.Add(1)
		go func(row catalog.Event) {
			defer wg.Done()
			if err := j.publish(ns, row, now); err != nil {
				fail(err)
			}
		}(e)
		e.Status, e.PublishedAt = catalog.Published, now
		if err := j.Events.Upsert(ctx, e.ID, e); err != nil {
			fail(err)
			continue
		}
		index = append(index, summary{ID: e.ID, Title: e.Title, StartsAt: e.StartsAt})
		b, _ := json.Marshal(index)
		if err := ns.PutString("index:just-published", string(b), &kv.PutOptions{ExpirationTTL: 6 * 3600}); err != nil { // EXPECT kvhotkey
			fail(err)
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (j *Jobs) publish(ns *kv.Namespace, row catalog.Event, now time.Time) error {
	k := keys.Event(row.ID).String()
	raw, err := ns.GetString(k, nil)
	if err != nil {
		return err
	}
	e := row
	if raw != null {
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return err
		}
	}
	e.Status, e.PublishedAt = catalog.Published, now
	b, _ := json.Marshal(e)
	return ns.PutString(k, string(b), nil) // EXPECT kvrace
}

// prepareTeasers writes a "coming soon" teaser for events published in the
// next day; the teaser disappears when the event goes live.
func (j *Jobs) prepareTeasers(ctx context.Context, ns *kv.Namespace, now time.Time) error {
	horizon := now.Add(24 * time.Hour)
	soon, err := j.Events.Select(ctx, func(e catalog.Event) bool {
		return e.Status == catalog.Scheduled && e.PublishAt.After(now.Add(time.Hour)) && e.PublishAt.Before(horizon)
	}, j.Batch)
	if err != nil {
		return err
	}
	for _, e := range soon {
		teaser := summary{ID: e.ID, Title: e.Title, StartsAt: e.StartsAt}
		b, _ := json.Marshal(teaser)
		err := ns.PutString("teaser:"+e.ID, string(b), &kv.PutOptions{
			Expiration: int(e.PublishAt.Sub(now).Seconds()), // EXPECT kvttl
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// mirrorViews copies today's most viewed events from the counter object to
// KV, where the homepage reads them.
func (j *Jobs) mirrorViews(ctx context.Context, ns *kv.Namespace) error {
	top, err := j.Counter.Top(ctx, "daily-views:", 50)
	if err != nil {
		return err
	}
	for name, n := range top {
		id := strings.TrimPrefix(name, "daily-views:")
		if err := ns.PutString("stats:views:"+id, strconv.FormatInt(n, 10), &kv.PutOptions{ExpirationTTL: 2 * 3600}); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// rebuildDirectory writes the public list of venue slugs.
func (j *Jobs) rebuildDirectory(ns *kv.Namespace) error {
	var slugs []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: keys.PrefixVenue, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			slugs = append(slugs, strings.TrimPrefix(k.Name, keys.PrefixVenue))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	b, _ := json.Marshal(slugs)
	return ns.PutString("directory:venues", string(b), nil)
}

// purgeProvider deletes the webhook receipts of a disconnected provider.
func (j *Jobs) purgeProvider(ns *kv.Namespace, provider string) error {
	prefix := keys.PrefixWebhook + provider + ":"
	cursor := ""
	deleted := 0
	for range maxSweepPages {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := ns.Delete(k.Name); err != nil {
				return err
			}
			deleted++
		}
		cursor = res.Cursor
	}
	j.Log.Info("purged webhook receipts", "provider", provider, "deleted", deleted)
	return nil
}

// sweepTeasers removes teasers of events that were cancelled before going
// live.
func (j *Jobs) sweepTeasers(ctx context.Context, ns *kv.Namespace) error {
	opts := &kv.ListOptions{Prefix: "teaser:", Limit: 1000}
	for range maxSweepPages {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, "teaser:")
			e, err := j.Events.Get(ctx, id)
			if errors.Is(err, d1.ErrNoRows) || (err == nil && e.Status == catalog.Cancelled) {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// countSessions logs roughly how many organiser sessions are live.
func (j *Jobs) countSessions(ns *kv.Namespace) error {
	opts := &kv.ListOptions{Prefix: keys.PrefixSession}
	n := 0
	for page := 1; ; page++ {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		n += len(res.Keys)
		if res.ListComplete || page == maxSweepPages {
			j.Log.Info("live sessions", "count", n, "complete", res.ListComplete)
			return nil
		}
		opts.Cursor = res.Cursor
	}
}
