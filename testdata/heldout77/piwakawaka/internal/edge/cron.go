//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	maxIndexPages  = 10
	maxExportPages = 20
)

// Scheduled runs the Worker's cron triggers.
func (a *App) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		if err := a.mirrorHeartbeats(ctx); err != nil {
			return err
		}
		return a.rebuildBadgeIndex()
	case "17 * * * *":
		return a.exportRunnerConfigs(ctx)
	}
	return nil
}

// mirrorHeartbeats copies the expirations of the runners' heartbeat keys
// into D1, where the fleet page queries them.
func (a *App) mirrorHeartbeats(ctx context.Context) error {
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "runners/",
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		res, err := a.cache.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			id, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, "runners/"), "/heartbeat")
			if !ok || k.Expiration == 0 {
				continue
			}
			if _, err := a.db.ExecContext(ctx,
				`INSERT INTO runner_seen (id, alive_until) VALUES (?, ?)
				 ON CONFLICT (id) DO UPDATE SET alive_until = excluded.alive_until`, id, k.Expiration); err != nil {
				return err
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// rebuildBadgeIndex keeps the list of badges the status page links to.
func (a *App) rebuildBadgeIndex() error {
	var names []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "badge/", Limit: 1000}
	for range maxIndexPages {
		res, err := a.cache.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "badge/"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	b, _ := json.Marshal(map[string]any{"badges": names, "built": time.Now().Unix()})
	return a.cache.PutString("badges/index", string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900})
}

// exportRunnerConfigs copies every runner's configuration into D1 for the
// fleet reports.
func (a *App) exportRunnerConfigs(ctx context.Context) error {
	res, err := a.cache.List(&cloudflare.KVNamespaceListOptions{Prefix: "runners/", Limit: 1000})
	if err != nil {
		return err
	}
	var configs []runnerConfig
	for page := 0; page < maxExportPages; page++ {
		for _, k := range res.Keys {
			if !strings.HasSuffix(k.Name, "/config") {
				continue
			}
			v, err := a.cache.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			var c runnerConfig
			if json.Unmarshal([]byte(v), &c) == nil {
				configs = append(configs, c)
			}
		}
		if res.ListComplete {
			break
		}
		res, err = a.cache.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}

	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, c := range configs {
		labels, _ := json.Marshal(c.Labels)
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO runners (id, pool, labels, registered) VALUES (?, ?, ?, ?)`,
			c.ID, c.Pool, string(labels), c.Registered.Unix()); err != nil {
			return err
		}
	}
	return tx.Commit()
}
