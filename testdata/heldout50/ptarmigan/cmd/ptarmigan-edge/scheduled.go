//go:build js && wasm

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"ptarmigan/internal/edge/kvbind"
	"ptarmigan/internal/kinds"
)

// listenerID derives a stable listener id from an address.
func listenerID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:12])
}

// scheduled runs every ten minutes (see wrangler.toml).
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	a, err := newApp()
	if err != nil {
		return err
	}
	slog.Info("edge: scheduled run", "cron", ev.Cron, "at", ev.ScheduledTime)

	if err := snapshotRecent(a.root); err != nil {
		slog.Error("edge: recently played snapshot", "err", err)
	}
	// The backend publishes the ids of episodes taken down in the last day.
	raw, ok, err := a.root.Get("removed-episodes")
	if err != nil || !ok {
		return err
	}
	removed := make(map[string]bool)
	for _, id := range strings.Fields(raw) {
		removed[id] = true
	}
	n, err := pruneTallies(a.root, removed)
	slog.Info("edge: pruned tallies", "count", n)
	return err
}

// snapshotRecent publishes the episodes played in the last hour.
func snapshotRecent(root kvbind.Bucket) error {
	ns := root.Namespace()
	recent := root.Scope("last-played")
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: recent.Prefix(), Limit: 1000})
	if err != nil {
		return err
	}
	var eps []string
	for pages := 1; ; pages++ {
		for _, k := range res.Keys {
			eps = append(eps, strings.TrimPrefix(k.Name, recent.Prefix()))
		}
		if res.ListComplete || pages == 10 {
			break
		}
		res, err = ns.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	b, err := json.Marshal(eps)
	if err != nil {
		return err
	}
	return root.Scope("edge-charts").Put("recently-played", string(b), 2*time.Hour)
}

// pruneTallies drops the play tallies of removed episodes.
func pruneTallies(root kvbind.Bucket, removed map[string]bool) (int, error) {
	if len(removed) == 0 {
		return 0, nil
	}
	ns := root.Namespace()
	tallies := root.Scope(kinds.PlayTally.Prefix())
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: tallies.Prefix(),
		Limit:  2000, // EXPECT kvlimits
	}
	n := 0
	for page := 0; page < 50; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if removed[strings.TrimPrefix(k.Name, tallies.Prefix())] {
				if err := ns.Delete(k.Name); err != nil {
					return n, err
				}
				n++
			}
		}
		opts.Cursor = res.Cursor
	}
	return n, nil
}
