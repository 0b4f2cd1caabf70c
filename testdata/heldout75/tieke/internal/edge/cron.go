//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"tieke/internal/ecs"
)

// Components of the digest world.
const (
	cRoom ecs.Mask = 1 << iota
	cHistory
	cDigest
)

type roomRow struct {
	ID      string
	History []string
	Digest  map[string]any
}

// digestWorld is a throw-away world built once per cron run: one entity per
// room with a round key, systems that load history and render a digest, and
// an end-of-tick flush that writes the digests.
type digestWorld struct {
	ns    *cloudflare.KVNamespace
	day   string
	w     *ecs.World
	rows  map[ecs.Entity]*roomRow
	sched *ecs.Scheduler
}

// Nightly is the scheduled handler.
func Nightly(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := binding()
	if err != nil {
		return err
	}
	if ev.Cron == "*/10 * * * *" {
		return pruneDigests(ns, ev.ScheduledTime)
	}
	dw := &digestWorld{ns: ns, day: ev.ScheduledTime.Format("20060102"), w: ecs.NewWorld(), rows: map[ecs.Entity]*roomRow{}}
	if err := dw.load(); err != nil {
		return err
	}
	dw.sched = ecs.NewScheduler(dw.w, time.Second)
	dw.sched.Every("history", 1, dw.loadHistory)
	dw.sched.Every("render", 1, dw.render)
	dw.sched.AfterTick = dw.flush
	dw.sched.TickOnce(ctx, ev.ScheduledTime)
	return nil
}

// load spawns a room entity for every room that has a round key.
func (d *digestWorld) load() error {
	cursor := ""
	for {
		res, err := d.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "room:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if id, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, "room:"), ":round"); ok {
				e := d.w.Spawn(cRoom)
				d.rows[e] = &roomRow{ID: id}
			}
		}
		cursor = res.Cursor
	}
	return nil
}

func (d *digestWorld) loadHistory(w *ecs.World, _ time.Duration) {
	keys := make([]string, 0)
	w.Query(cRoom, func(e ecs.Entity) {
		row := d.rows[e]
		raw, err := d.ns.GetString("room:"+row.ID+":history", nil) // DEBATABLE kvlist
		if err != nil || raw == kvNull {
			return
		}
		if json.Unmarshal([]byte(raw), &row.History) == nil {
			w.Add(e, cHistory)
			keys = append(keys, row.ID)
		}
	})
	w.Emit(historyLoaded{rooms: len(keys)})
}

type historyLoaded struct{ rooms int }

func (d *digestWorld) render(w *ecs.World, _ time.Duration) {
	w.Query(cRoom|cHistory, func(e ecs.Entity) {
		row := d.rows[e]
		last := ""
		if len(row.History) > 0 {
			last = row.History[len(row.History)-1]
		}
		row.Digest = map[string]any{"room": row.ID, "rounds": len(row.History), "last": last, "day": d.day}
		w.Add(e, cDigest)
		_ = d.ns.PutString("cron:digest:progress", row.ID, nil) // EXPECT kvhotkey
	})
}

func (d *digestWorld) flush(_ context.Context, w *ecs.World) {
	var index []string
	w.Query(cDigest, func(e ecs.Entity) {
		row := d.rows[e]
		body, _ := json.Marshal(row.Digest)
		key := "digest:" + d.day + ":" + row.ID
		if err := d.ns.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(digestKeep / time.Second)}); err == nil {
			index = append(index, row.ID)
		}
	})
	body, _ := json.Marshal(index)
	_ = d.ns.PutString("digest:"+d.day+":index", string(body), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(digestKeep).Unix()),
	})
}

// pruneDigests deletes digests of days older than the keep window, a few
// pages per run.
func pruneDigests(ns *cloudflare.KVNamespace, now time.Time) error {
	cutoff := "digest:" + now.Add(-digestKeep).Format("20060102")
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "digest:", Limit: 2000} // EXPECT kvlimits
	for page := 0; page < 3; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Name < cutoff {
				_ = ns.Delete(k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}
	return nil
}

// Sweep reports rooms whose slug points at a room without a round, reading at
// most maxPages pages of slugs.
func Sweep(ns *cloudflare.KVNamespace, maxPages int) ([]string, error) {
	var orphans []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "slug:", Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(opts)
		if err != nil {
			return orphans, err
		}
		for _, k := range res.Keys {
			orphans = append(orphans, strings.TrimPrefix(k.Name, "slug:"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return orphans, nil
}
