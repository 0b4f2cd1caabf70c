//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// Scheduled is the Worker's cron handler (see wrangler.toml triggers).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	e, err := openEnv()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return e.publishFlags(ctx)
	case "17 3 * * *":
		if err := e.sweepPreviewHosts(ctx); err != nil {
			return err
		}
		return e.sweepBuildLogs(ctx)
	default:
		return fmt.Errorf("unexpected cron %q", ev.Cron)
	}
}

// publishFlags copies the global flags from D1, where the admin UI edits
// them, to KV, where every request reads them.
func (e *Env) publishFlags(ctx context.Context) error {
	rows, err := e.db.QueryContext(ctx, `SELECT name, enabled FROM feature_flags WHERE tenant IS NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	flags := map[string]bool{}
	for rows.Next() {
		var name string
		var on bool
		if err := rows.Scan(&name, &on); err != nil {
			return err
		}
		flags[name] = on
	}
	if err := rows.Err(); err != nil {
		return err
	}
	body, _ := json.Marshal(flags)
	return e.flags.PutString("flags:global", string(body), nil)
}

// sweepPreviewHosts drops routing entries of previews deleted in D1.
func (e *Env) sweepPreviewHosts(ctx context.Context) error {
	var slugs []string
	cursor := ""
	for {
		res, err := e.previews.List(&kv.ListOptions{Prefix: "preview-host:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			slugs = append(slugs, strings.TrimPrefix(k.Name, "preview-host:"))
		}
		cursor = res.Cursor
	}
	for _, slug := range slugs {
		var deleted bool
		err := e.db.QueryRowContext(ctx, `SELECT deleted_at IS NOT NULL FROM previews WHERE slug = ?`, slug).Scan(&deleted)
		if err != nil || !deleted {
			continue
		}
		if err := e.previews.Delete("preview-host:" + slug); err != nil {
			return err
		}
	}
	return nil
}

// sweepBuildLogs removes logs of builds that D1 no longer knows, a few
// pages per night.
func (e *Env) sweepBuildLogs(ctx context.Context) error {
	opts := &kv.ListOptions{Prefix: "buildlog:", Limit: 2000} // EXPECT kvlimits
	for page := 0; page < 20; page++ {
		res, err := e.previews.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			var n int
			id := strings.TrimPrefix(k.Name, "buildlog:")
			if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM builds WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if err := e.previews.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	return nil
}
