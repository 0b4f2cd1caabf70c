// Package sweeper runs the background jobs of fleetd: flushing buffered
// last-seen records and sweeping stale device keys.
package sweeper

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/fleetline/dotterel/internal/checkin"
	"github.com/fleetline/dotterel/internal/kvstore"
)

// Sweeper owns the background loops.
type Sweeper struct {
	s        *kvstore.Store
	seen     <-chan checkin.LastSeen
	interval time.Duration
	maxPages int
}

// New returns a Sweeper that flushes records from seen every interval.
func New(s *kvstore.Store, seen <-chan checkin.LastSeen, interval time.Duration) *Sweeper {
	return &Sweeper{s: s, seen: seen, interval: interval, maxPages: 20}
}

// FlushLoop batches last-seen records and writes them in bulk.
func (w *Sweeper) FlushLoop(ctx context.Context) {
	pending := map[string]checkin.LastSeen{}
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ls := <-w.seen:
			pending[ls.Key()] = ls
		case <-t.C:
			if len(pending) == 0 {
				continue
			}
			batch := make([]checkin.LastSeen, 0, len(pending))
			for _, ls := range pending {
				batch = append(batch, ls)
			}
			if err := kvstore.SaveAll(ctx, w.s, batch); err != nil {
				slog.Error("flush last-seen", "n", len(batch), "err", err)
				continue
			}
			online := strconv.Itoa(len(pending))
			if err := w.s.Put(ctx, "fleet/online-count", []byte(online), 10*time.Minute); err != nil { // DEBATABLE kvcounter
				slog.Warn("online gauge", "err", err)
			}
			clear(pending)
		}
	}
}

// SweepStale deletes last-seen records of devices that were decommissioned,
// walking the whole tenant space.
func (w *Sweeper) SweepStale(ctx context.Context, decommissioned func(key string) bool) (int, error) {
	api, rc, ns := w.s.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: "t/", Limit: 1000}
	var doomed []string
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return 0, fmt.Errorf("sweep list: %w", err)
		}
		for _, k := range resp.Result {
			if decommissioned(k.Name) {
				doomed = append(doomed, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	if _, err := api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: doomed}); err != nil {
		return 0, err
	}
	return len(doomed), nil
}

// SweepLowBattery clears low-battery flags older than the retention,
// bounded to maxPages pages per run; the next run continues.
func (w *Sweeper) SweepLowBattery(ctx context.Context, tenant string, cursor string) (string, error) {
	ts := w.s.WithPrefix("t/" + tenant + "/")
	var doomed []string
	for page := 0; page < w.maxPages; page++ {
		keys, next, err := ts.ListPage(ctx, "lowbatt/", cursor, 1000)
		if err != nil {
			return cursor, err
		}
		for _, k := range keys {
			if k.Expiration == 0 {
				doomed = append(doomed, strings.TrimPrefix(k.Name, ts.Prefix()))
			}
		}
		cursor = next
		if next == "" {
			break
		}
	}
	return cursor, ts.BulkDelete(ctx, doomed)
}

// CountAlerts reports the number of open alerts for the status page.
func (w *Sweeper) CountAlerts(ctx context.Context) (int, error) {
	api, rc, ns := w.s.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: "alert/"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(resp.Result), nil
}

// Mutes returns every active suppression fingerprint.
func (w *Sweeper) Mutes(ctx context.Context) ([]string, error) {
	var out []string
	cursor := ""
	for {
		keys, next, err := w.s.ListPage(ctx, "mute/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			out = append(out, strings.TrimPrefix(k.Name, "mute/"))
		}
		cursor = next
	}
	return out, nil
}

// Digests walks the digest keys of all tenants with a page budget.
func (w *Sweeper) Digests(ctx context.Context, budget int) ([]string, error) {
	api, rc, ns := w.s.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: "digest/", Limit: 500}
	var out []string
	for i := 0; i < budget; i++ {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params)
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			out = append(out, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: ns, Cursor: resp.Cursor, Limit: 500} // EXPECT kvlist
	}
	return out, nil
}

// Heartbeat records that the sweeper is alive; called once per cron tick.
func (w *Sweeper) Heartbeat(ctx context.Context, host string) error {
	return w.s.Put(ctx, "sweeper/heartbeat", []byte(host+" "+time.Now().UTC().Format(time.RFC3339)), time.Hour)
}
