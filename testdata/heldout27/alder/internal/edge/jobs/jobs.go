//go:build js && wasm

// Package jobs holds the Worker's scheduled tasks and its queue consumer for
// door-controller events.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/alder/internal/config"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/edge/kvstore"
	"example.com/alder/internal/service/occupancy"
	"example.com/alder/internal/service/visitors"
)

const nullText = "<null>"

// lastSeenWindow is how long a door controller counts as online after its
// latest event.
const lastSeenWindow = 10 * time.Minute

// Notifier sends the morning digest to a site's reception.
type Notifier interface {
	Notify(ctx context.Context, site domain.SiteID, subject, body string) error
}

// Runner executes cron ticks and queue batches.
type Runner struct {
	cfg       config.Config
	store     *kvstore.Store
	feed      *kvstore.Store
	binding   string
	occupancy *occupancy.Service
	visitors  *visitors.Service
	notify    Notifier
}

// ProvideRunner assembles the runner.
func ProvideRunner(cfg config.Config, st, feed *kvstore.Store, occ *occupancy.Service, vs *visitors.Service, n Notifier) *Runner {
	return &Runner{cfg: cfg, store: st, feed: feed, binding: st.Binding(), occupancy: occ, visitors: vs, notify: n}
}

// Scheduled is the cron entry point.
func (r *Runner) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return r.tick(ctx, ev.ScheduledTime)
	case "0 3 * * *":
		return r.nightly(ctx, ev.ScheduledTime)
	case "30 6 * * *":
		return r.morning(ctx, ev.ScheduledTime)
	default:
		return fmt.Errorf("jobs: unknown schedule %q", ev.Cron)
	}
}

// tick refreshes the occupancy snapshots and the cross-site summary.
func (r *Runner) tick(ctx context.Context, now time.Time) error {
	for _, site := range r.cfg.Sites {
		if err := ctx.Err(); err != nil {
			return err
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := r.occupancy.Snapshot(sctx, site)
		cancel()
		if err != nil {
			log.Printf("jobs: snapshot %s: %v", site, err)
		}
	}
	all, err := r.occupancy.Summaries(ctx, r.cfg.Sites)
	if err != nil {
		return err
	}
	return r.store.PutJSON(ctx, "dashboard:summary", map[string]any{"at": now, "sites": all}, 15*time.Minute)
}

func (r *Runner) nightly(ctx context.Context, now time.Time) error {
	for _, site := range r.cfg.Sites {
		if err := newHoldSweeper(r.store, site).Run(ctx, now); err != nil {
			return err
		}
	}
	if _, err := r.purgeArchive(ctx, now); err != nil {
		return err
	}
	return r.purgeLegacyPasses(ctx)
}

// purgeArchive removes archived room sheets older than a year.
func (r *Runner) purgeArchive(ctx context.Context, now time.Time) (int, error) {
	ns, err := kv.NewNamespace(r.binding)
	if err != nil {
		return 0, err
	}
	cutoff := now.AddDate(-1, 0, 0).Format("2006-01-02")
	opts := &kv.ListOptions{Prefix: "archive:room:day:"}
	removed := 0
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			day := k.Name[strings.LastIndexByte(k.Name, '/')+1:]
			if day < cutoff {
				if err := ns.Delete(k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return removed, nil
}

// purgeLegacyPasses removes spent passes written before retention was set.
func (r *Runner) purgeLegacyPasses(ctx context.Context) error {
	ns, err := kv.NewNamespace(r.binding)
	if err != nil {
		return err
	}
	opts := &kv.ListOptions{Prefix: "pass:used:", Limit: 1000}
	for page := 0; page < 50; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

type siteInfo struct {
	ID        domain.SiteID `json:"id"`
	Name      string        `json:"name"`
	Reception string        `json:"reception"`
}

// siteDirectory reads the site list the back office publishes.
func (r *Runner) siteDirectory() ([]siteInfo, error) {
	ns, err := kv.NewNamespace(r.binding)
	if err != nil {
		return nil, err
	}
	rd, err := ns.GetReader("config:sites", nil) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	var sites []siteInfo
	if err := json.Unmarshal(b, &sites); err != nil {
		return nil, fmt.Errorf("jobs: site directory: %w", err)
	}
	return sites, nil
}

type digestTemplate struct {
	Subject string `json:"subject"`
	Header  string `json:"header"`
}

// morning sends each reception the list of expected visitors.
func (r *Runner) morning(ctx context.Context, now time.Time) error {
	sites, err := r.siteDirectory()
	if err != nil {
		return err
	}
	raw, err := r.store.Raw(ctx, "config:digest-template") // EXPECT kvnull
	if err != nil {
		return err
	}
	var tpl digestTemplate
	if err := json.Unmarshal([]byte(raw), &tpl); err != nil {
		return fmt.Errorf("jobs: digest template: %w", err)
	}
	for _, site := range sites {
		if err := ctx.Err(); err != nil {
			return err
		}
		tokens, err := r.visitors.Expected(ctx, site.ID, now)
		if err != nil {
			return err
		}
		body := tpl.Header + "\n\n" + strings.Join(tokens, "\n")
		if err := r.notify.Notify(ctx, site.ID, tpl.Subject+" – "+site.Name, body); err != nil {
			log.Printf("jobs: digest for %s: %v", site.ID, err)
		}
	}
	return nil
}

// doorEvent is what a controller publishes for every badge or code use.
type doorEvent struct {
	Site   domain.SiteID   `json:"site"`
	Door   string          `json:"door"`
	Member domain.MemberID `json:"member,omitempty"`
	Result string          `json:"result"`
	At     time.Time       `json:"at"`
}

// Consume handles a batch of door events.
func (r *Runner) Consume(batch *queues.MessageBatch) error {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	ns, err := kv.NewNamespace(r.binding)
	if err != nil {
		return err
	}
	for _, msg := range batch.Messages {
		if ctx.Err() != nil {
			msg.Retry()
			continue
		}
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev doorEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			log.Printf("jobs: dropping malformed event %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}
		if err := r.record(ctx, ns, msg.ID, ev); err != nil {
			log.Printf("jobs: event %s: %v", msg.ID, err)
			msg.Retry()
			continue
		}
		if err := r.feed.PutJSON(ctx, "dashboard:feed:latest", ev, 0); err != nil { // EXPECT kvhotkey
			log.Printf("jobs: feed: %v", err)
		}
		msg.Ack()
	}
	return nil
}

// record appends the event to the door's daily audit log, marks the
// controller as online and keeps the raw event for a week.
func (r *Runner) record(ctx context.Context, ns *kv.Namespace, id string, ev doorEvent) error {
	door := string(ev.Site.Normalize()) + ":" + ev.Door
	logKey := "audit:" + door + ":" + domain.Day(ev.At)
	old, err := ns.GetString(logKey, nil)
	if err != nil {
		return err
	}
	if old == nullText {
		old = ""
	}
	line := fmt.Sprintf("%s %s %s\n", ev.At.Format(time.RFC3339), ev.Result, ev.Member)
	if err := ns.PutString(logKey, old+line, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}); err != nil { // EXPECT kvrace
		return err
	}
	if err := ns.PutString("door:last:"+door, ev.At.Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: int(lastSeenWindow)}); err != nil { // EXPECT kvttl
		return err
	}
	return r.store.PutJSON(ctx, "event:"+id, ev, 7*24*time.Hour)
}
