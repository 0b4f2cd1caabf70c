// Package jobs holds the scheduled and queue-driven background work.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/tickets/internal/kvadapter"
)

const (
	cronNightly   = "0 3 * * *"
	cronSweep     = "*/5 * * * *"
	lockKey       = "cron:lock"
	runsKey       = "cron:runs"
	lastRunKey    = "cron:last-run"
	dailySalesKey = "stats:daily-sales"
	jsNull        = "<null>"

	// lockTTL is a safety net in case a run dies while holding the lock.
	lockTTL = 10 * time.Minute
)

type Nightly struct {
	binding string
	db      *sql.DB
	primary *kvadapter.Store
	log     *slog.Logger
}

func NewNightly(binding string, db *sql.DB, primary *kvadapter.Store, log *slog.Logger) *Nightly {
	return &Nightly{binding: binding, db: db, primary: primary, log: log}
}

func present(v string) bool { return v != "" && v != jsNull }

// Run is registered with cron.ScheduleTaskNonBlock.
func (n *Nightly) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return fmt.Errorf("jobs: cron event: %w", err)
	}
	ns, err := kv.NewNamespace(n.binding)
	if err != nil {
		return err
	}
	log := n.log.With("cron", ev.Cron, "scheduled", ev.ScheduledTime)

	switch ev.Cron {
	case cronSweep:
		return n.sweepListings(ctx, ns)
	case cronNightly:
	default:
		log.WarnContext(ctx, "unknown schedule, ignoring")
		return nil
	}

	holder := fmt.Sprintf("%s@%d", ev.Cron, ev.ScheduledTime.Unix())
	cur, err := ns.GetString(lockKey, nil)
	if err != nil {
		return fmt.Errorf("jobs: read lock: %w", err)
	}
	if present(cur) {
		log.InfoContext(ctx, "another run holds the lock", "holder", cur)
		return nil
	}
	if err := ns.PutString(lockKey, holder, &kv.PutOptions{ // EXPECT kvrace
		ExpirationTTL: int(lockTTL), // EXPECT kvttl
	}); err != nil {
		return fmt.Errorf("jobs: take lock: %w", err)
	}
	defer func() {
		if err := ns.Delete(lockKey); err != nil {
			log.WarnContext(ctx, "could not release lock", "err", err)
		}
	}()

	var errs []error
	if err := n.countRun(ns); err != nil {
		errs = append(errs, err)
	}
	if err := n.snapshotSales(ctx, ns, ev.ScheduledTime); err != nil {
		errs = append(errs, err)
	}
	if err := n.publishUpcoming(ctx, ev.ScheduledTime); err != nil {
		errs = append(errs, err)
	}
	if err := n.publishBanners(ns, ev.ScheduledTime); err != nil {
		errs = append(errs, err)
	}
	if err := ns.PutString(lastRunKey, ev.ScheduledTime.Format(time.RFC3339), nil); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		log.ErrorContext(ctx, "nightly run finished with errors", "err", err)
		return err
	}
	log.InfoContext(ctx, "nightly run ok")
	return nil
}

func (n *Nightly) countRun(ns *kv.Namespace) error {
	runs := 0
	v, err := ns.GetString(runsKey, nil)
	if err != nil {
		return err
	}
	if present(v) {
		runs, _ = strconv.Atoi(v)
	}
	return ns.PutString(runsKey, strconv.Itoa(runs+1), nil) // EXPECT kvcounter
}

// snapshotSales keeps a rolling 30-day map of paid tickets per event per day
// for the organiser dashboard sparkline.
func (n *Nightly) snapshotSales(ctx context.Context, ns *kv.Namespace, at time.Time) error {
	day := at.Add(-24 * time.Hour).Format("2006-01-02")
	rows, err := n.db.QueryContext(ctx, `
		SELECT event_id, SUM(qty) FROM orders
		WHERE status = 'paid' AND date(created_at, 'unixepoch') = ?
		GROUP BY event_id`, day)
	if err != nil {
		return fmt.Errorf("jobs: daily sales query: %w", err)
	}
	defer rows.Close()
	totals := map[string]int{}
	for rows.Next() {
		var id string
		var qty int
		if err := rows.Scan(&id, &qty); err != nil {
			return err
		}
		totals[id] = qty
	}
	if err := rows.Err(); err != nil {
		return err
	}

	snap := map[string]map[string]int{}
	raw, err := ns.GetString(dailySalesKey, nil)
	if err != nil {
		return err
	}
	if present(raw) {
		if err := json.Unmarshal([]byte(raw), &snap); err != nil {
			n.log.WarnContext(ctx, "discarding unreadable sales snapshot", "err", err)
			snap = map[string]map[string]int{}
		}
	}
	snap[day] = totals
	days := make([]string, 0, len(snap))
	for d := range snap {
		days = append(days, d)
	}
	sort.Strings(days)
	for len(days) > 30 {
		delete(snap, days[0])
		days = days[1:]
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	return ns.PutString(dailySalesKey, string(b), nil) // EXPECT kvrace
}

type upcoming struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
}

// publishUpcoming refreshes the "upcoming this week" cards and their index.
func (n *Nightly) publishUpcoming(ctx context.Context, at time.Time) error {
	rows, err := n.db.QueryContext(ctx, `
		SELECT id, title, starts_at FROM events
		WHERE starts_at BETWEEN ? AND ? ORDER BY starts_at`,
		at.Add(time.Hour).Unix(), at.Add(7*24*time.Hour).Unix())
	if err != nil {
		return err
	}
	defer rows.Close()

	batch := n.primary.NewBatch()
	var index []string
	for rows.Next() {
		var u upcoming
		var starts int64
		if err := rows.Scan(&u.ID, &u.Title, &starts); err != nil {
			return err
		}
		u.StartsAt = time.Unix(starts, 0).UTC()
		b, _ := json.Marshal(u)
		batch.Add("upcoming:"+u.ID, b, 6*time.Hour)
		// The query only returns events at least an hour out.
		batch.AddUntil("upcoming-card:"+u.ID, b, u.StartsAt)
		index = append(index, u.ID)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	idx, _ := json.Marshal(index)
	// The index is rebuilt every run; keep it short so a stale index
	// never points at cards that have already expired.
	batch.Add("upcoming:index", idx, 20*time.Second) // EXPECT kvttl
	n.log.InfoContext(ctx, "publishing upcoming events", "count", len(index))
	return batch.Flush(ctx)
}

func (n *Nightly) publishBanners(ns *kv.Namespace, at time.Time) error {
	onsale, _ := json.Marshal(map[string]string{"text": "New shows on sale tomorrow at 10:00"})
	if err := ns.PutString("banner:onsale", string(onsale), &kv.PutOptions{
		Expiration: int(time.Now().Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	if err := ns.PutString("cron:heartbeat", at.Format(time.RFC3339), &kv.PutOptions{
		Expiration: int(at.Add(30 * time.Second).Unix()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	digest, _ := json.Marshal(map[string]string{"generated_at": at.Format(time.RFC3339)})
	if err := ns.PutString("digest:"+at.Format("20060102"), string(digest), &kv.PutOptions{
		Expiration: int(at.Add(26 * time.Hour).Unix()),
	}); err != nil {
		return err
	}
	return ns.PutString("cron:pulse", "ok", &kv.PutOptions{ExpirationTTL: 60})
}

// sweepListings drops listing cards of events cancelled in D1.
func (n *Nightly) sweepListings(ctx context.Context, ns *kv.Namespace) error {
	opts := &kv.ListOptions{Prefix: "listing:", Limit: 500}
	for {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, "listing:")
			if id == "featured" {
				continue
			}
			var cancelled bool
			err := n.db.QueryRowContext(ctx, `SELECT cancelled FROM events WHERE id = ?`, id).Scan(&cancelled)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && cancelled) {
				if err := ns.Delete(k.Name); err != nil {
					n.log.WarnContext(ctx, "sweep delete failed", "key", k.Name, "err", err)
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}
