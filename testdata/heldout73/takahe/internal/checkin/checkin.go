// Package checkin keeps device last-seen times on the backend and sweeps
// devices that went quiet.
package checkin

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/dag"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Tracker records check-ins.
type Tracker struct {
	NS       *kvstore.Namespace
	Log      *slog.Logger
	Retain   time.Duration
	MaxPages int
}

func lastSeenKey(fleet, id string) string { return "lastseen/" + fleet + "/" + id }

// Record stores the time a device last checked in and reports to done.
func (t *Tracker) Record(ctx context.Context, fleet, id string, at time.Time, done func(error)) {
	ttl := max(t.Retain, 24*time.Hour)
	t.NS.PutAsync(ctx, lastSeenKey(fleet, id), []byte(strconv.FormatInt(at.Unix(), 10)), ttl, done)
}

// Quiet returns devices of fleet whose last check-in is older than cutoff.
// It reads the expiration the list returns instead of fetching each value.
func (t *Tracker) Quiet(ctx context.Context, fleet string, cutoff time.Duration) ([]string, error) {
	prefix := "lastseen/" + fleet + "/"
	var quiet []string
	cursor := ""
	pages := max(t.MaxPages, 1)
	for range pages {
		keys, next, err := t.NS.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return quiet, err
		}
		for _, k := range keys {
			seen := time.Unix(int64(k.Expiration), 0).Add(-t.Retain)
			if time.Since(seen) > cutoff {
				quiet = append(quiet, strings.TrimPrefix(k.Name, prefix))
			}
		}
		if next == "" {
			return quiet, nil
		}
		cursor = next
	}
	t.Log.Warn("quiet scan truncated", "fleet", fleet, "pages", pages)
	return quiet, nil
}

// Census counts devices per fleet for the billing report.
func (t *Tracker) Census(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	pager := t.NS.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, t.NS.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.NS.AccountID),
		Prefix:    cloudflare.F("lastseen/"),
	})
	for pager.Next() {
		parts := strings.SplitN(pager.Current().Name, "/", 3)
		if len(parts) == 3 {
			counts[parts[1]]++
		}
	}
	return counts, pager.Err()
}

// Forget removes the last-seen entries of decommissioned devices of a fleet.
func (t *Tracker) Forget(ctx context.Context, fleet string, maxPages int) (int, error) {
	prefix := "lastseen/" + fleet + "/"
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.NS.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	removed := 0
	for page := 0; page < maxPages; page++ {
		res, err := t.NS.Client.KV.Namespaces.Keys.List(ctx, t.NS.ID, params) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		var doomed []string
		for _, k := range res.Result {
			if strings.HasSuffix(k.Name, ".decommissioned") {
				doomed = append(doomed, k.Name)
			}
		}
		if err := t.NS.DeleteMany(ctx, doomed); err != nil {
			return removed, err
		}
		removed += len(doomed)
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(t.NS.AccountID),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return removed, nil
}

// Recent returns a handful of keys for the console's "recently seen" widget.
func (t *Tracker) Recent(ctx context.Context, fleet string) ([]string, error) {
	page, err := t.NS.Client.KV.Namespaces.Keys.List(ctx, t.NS.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.NS.AccountID),
		Prefix:    cloudflare.F("lastseen/" + fleet + "/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// SweepTasks returns the nightly sweep as a task graph: find quiet devices
// per fleet, mark them offline, and record the sweep.
func (t *Tracker) SweepTasks(fleets []string, cutoff time.Duration) []dag.Task {
	tasks := []dag.Task{}
	var names []string
	for _, fleet := range fleets {
		name := "quiet:" + fleet
		names = append(names, name)
		tasks = append(tasks, dag.Task{Name: name, Run: func(ctx context.Context, env *dag.Env) error {
			ids, err := t.Quiet(ctx, fleet, cutoff)
			env.Set(name, ids)
			return err
		}})
	}
	tasks = append(tasks, dag.Task{Name: "mark", Deps: names, Run: func(ctx context.Context, env *dag.Env) error {
		var fs []*async.Future[int]
		for _, fleet := range fleets {
			ids, _ := dag.Lookup[[]string](env, "quiet:"+fleet)
			fs = append(fs, async.Go(func() (int, error) {
				entries := make([]kvstore.Entry, 0, len(ids))
				for _, id := range ids {
					entries = append(entries, kvstore.Entry{Key: "offline/" + fleet + "/" + id, Value: []byte("1"), TTL: 7 * 24 * time.Hour})
				}
				return len(entries), t.NS.PutMany(ctx, entries)
			}))
		}
		counts, err := async.Settled(ctx, fs...)
		total := 0
		for _, c := range counts {
			total += c
		}
		env.Set("offline", total)
		return err
	}})
	tasks = append(tasks, dag.Task{Name: "record", Deps: []string{"mark"}, Run: func(ctx context.Context, env *dag.Env) error {
		total, _ := dag.Lookup[int](env, "offline")
		body := fmt.Sprintf(`{"at":%q,"offline":%d}`, time.Now().UTC().Format(time.RFC3339), total)
		return t.NS.Put(ctx, "sweep/last", []byte(body), 0)
	}})
	return tasks
}
